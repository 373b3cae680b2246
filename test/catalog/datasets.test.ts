// Built-in datasets round-trip through real files; typed CSV; versioning; partitioned; mlflow.*.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newSaveVersion } from "../../catalog/catalog.js";
import { allFiles, catalog, project, recordingSink, rejection } from "./helpers.js";

const rows = [
  { id: 1, name: "a", score: 0.5, ok: true, note: null },
  { id: 2, name: "b, with comma", score: -1.25e-3, ok: false, note: 'say "hi"\nnew line' },
];

describe("round trips", () => {
  const cases: [string, Record<string, unknown>, unknown][] = [
    ["json", { filepath: "data/x.json" }, { a: [1, 2, { b: "c" }], n: null }],
    ["jsonl", { filepath: "data/x.jsonl" }, [{ a: 1 }, { a: 2, b: [true] }, "str", 3]],
    ["yaml", { filepath: "data/x.yml" }, { a: [1, "two"], nested: { k: true } }],
    ["text", { filepath: "data/x.txt" }, "héllo\nworld"],
    ["csv", { filepath: "data/x.csv" }, rows],
    ["parquet", { filepath: "data/x.parquet" }, rows],
  ];
  for (const [type, cfg, value] of cases) {
    it(`${type} saves and loads the same value, leaving no temp file`, async () => {
      const root = project();
      const cat = catalog(root, { ds: { type, ...cfg } });
      expect(await cat.exists("ds")).toBe(false);
      await cat.save("ds", value);
      expect(await cat.exists("ds")).toBe(true);
      expect(await catalog(root, { ds: { type, ...cfg } }).load("ds")).toEqual(value);
      expect(allFiles(root).filter((f) => f.includes(".tmp-"))).toEqual([]);
      expect(cat.isPersistent("ds")).toBe(true);
    });
  }

  it("binary keeps typed arrays, Maps, Dates and BigInts", async () => {
    const root = project();
    const value = {
      w: new Float32Array([1.5, 2.5]),
      m: new Map([["k", new Set([1])]]),
      d: new Date(0),
      big: 2n ** 70n,
    };
    await catalog(root, { m: { type: "binary", filepath: "data/m.bin" } }).save("m", value);
    const back = (await catalog(root, { m: { type: "binary", filepath: "data/m.bin" } }).load("m")) as typeof value;
    expect(back.w).toBeInstanceOf(Float32Array);
    expect(Array.from(back.w)).toEqual([1.5, 2.5]);
    expect(back.m.get("k")?.has(1)).toBe(true);
    expect(back.d.getTime()).toBe(0);
    expect(back.big).toBe(2n ** 70n);
  });

  it("memory keeps the value by reference, release drops it, unknown names are memory", async () => {
    const cat = catalog(project(), {});
    const obj = { a: 1 };
    await cat.save("anything", obj);
    expect(await cat.load("anything")).toBe(obj);
    expect(cat.isPersistent("anything")).toBe(false);
    expect(cat.has("anything")).toBe(false);
    await cat.release("anything");
    expect((await rejection(cat.load("anything"))).code).toBe("MLC6001");
  });
});

describe("parquet", () => {
  it("keeps Dates, bigints beyond 2^53, objects and mixed-type columns; safe INT64 columns read as numbers", async () => {
    const root = project();
    const value = [
      { d: new Date(1700000000000), big: 2n ** 60n, small: 5n, mixed: 1, obj: { a: 1 }, s: "x", f: 1.5 },
      { d: null, big: 5n, small: 6n, mixed: "two", obj: [1, 2], s: null, f: 2 },
    ];
    const cfg = { p: { type: "parquet", filepath: "p.parquet" } };
    await catalog(root, cfg).save("p", value);
    expect(await catalog(root, cfg).load("p")).toEqual([
      { d: new Date(1700000000000), big: 2n ** 60n, small: 5, mixed: 1, obj: { a: 1 }, s: "x", f: 1.5 },
      { d: null, big: 5n, small: 6, mixed: "two", obj: [1, 2], s: null, f: 2 },
    ]);
  });
});

describe("csv", () => {
  it("types values: numbers, booleans, empty -> null, big integers and codes stay strings", async () => {
    const root = project({ "d.csv": "a,b,c,d,e,f\n1,2.5,true,,0x1F,12345678901234567890\n-3,1e3,FALSE,x,007, 4\n" });
    const got = await catalog(root, { d: { type: "csv", filepath: "d.csv" } }).load("d");
    expect(got).toEqual([
      { a: 1, b: 2.5, c: true, d: null, e: "0x1F", f: "12345678901234567890" },
      { a: -3, b: 1000, c: false, d: "x", e: 7, f: " 4" },
    ]);
  });

  it("load_args: delimiter, cast: false, header: false, columns; quoted fields across lines", async () => {
    const root = project({
      "semi.csv": 'a;b\n1;"x;y"\n2;"multi\nline ""q"""\n',
      "nohead.csv": "1,2\n3,4\n",
    });
    const cat = catalog(root, {
      semi: { type: "csv", filepath: "semi.csv", load_args: { delimiter: ";" } },
      str: { type: "csv", filepath: "semi.csv", load_args: { delimiter: ";", cast: false } },
      arrays: { type: "csv", filepath: "nohead.csv", load_args: { header: false } },
      named: { type: "csv", filepath: "nohead.csv", load_args: { columns: ["x", "y"] } },
      viaParse: { type: "csv", filepath: "nohead.csv", load_args: { columns: ["x", "y"], to_line: 1 } },
    });
    expect(await cat.load("semi")).toEqual([
      { a: 1, b: "x;y" },
      { a: 2, b: 'multi\nline "q"' },
    ]);
    expect(await cat.load("str")).toEqual([
      { a: "1", b: "x;y" },
      { a: "2", b: 'multi\nline "q"' },
    ]);
    expect(await cat.load("arrays")).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(await cat.load("named")).toEqual([
      { x: 1, y: 2 },
      { x: 3, y: 4 },
    ]);
    expect(await cat.load("viaParse")).toEqual([{ x: 1, y: 2 }]);
  });

  it("a BOM, CRLF line ends, a last line without newline, blank lines and an empty file", async () => {
    const root = project({ "b.csv": "\ufeffa,b\r\n1,x\r\n\r\n2,y", "empty.csv": "", "head.csv": "a,b\n" });
    const cat = catalog(root, {
      b: { type: "csv", filepath: "b.csv" },
      e: { type: "csv", filepath: "empty.csv" },
      h: { type: "csv", filepath: "head.csv" },
    });
    expect(await cat.load("b")).toEqual([
      { a: 1, b: "x" },
      { a: 2, b: "y" },
    ]);
    expect(await cat.load("e")).toEqual([]);
    expect(await cat.load("h")).toEqual([]);
  });

  it("save_args: delimiter, bom (via csv-stringify); the header is the union of keys", async () => {
    const root = project();
    const cat = catalog(root, { o: { type: "csv", filepath: "o.csv", save_args: { delimiter: "|" } } });
    await cat.save("o", [
      { a: 1, b: true },
      { a: 2, c: "z" },
    ]);
    expect(readFileSync(join(root, "o.csv"), "utf8")).toBe("a|b|c\n1|true|\n2||z\n");
    // An option only csv-stringify knows (bom) takes the csv-stringify path with the same output.
    const viaLib = catalog(root, { o: { type: "csv", filepath: "o2.csv", save_args: { delimiter: "|", bom: true } } });
    await viaLib.save("o", [
      { a: 1, b: true, d: new Date(0) },
      { a: 2, c: "z|q" },
    ]);
    expect(readFileSync(join(root, "o2.csv"), "utf8")).toBe(
      '\ufeffa|b|d|c\n1|true|1970-01-01T00:00:00.000Z|\n2|||"z|q"\n',
    );
  });

  it("a file split across read chunks parses the same (1 MB+ with quotes near boundaries)", async () => {
    const lines = ["k,v"];
    for (let i = 0; i < 40000; i++) lines.push(`${i},"val ${i}, with ""quotes"" and\nnewline"`);
    const root = project({ "big.csv": lines.join("\r\n") + "\r\n" });
    const got = (await catalog(root, { b: { type: "csv", filepath: "big.csv" } }).load("b")) as {
      k: number;
      v: string;
    }[];
    expect(got).toHaveLength(40000);
    expect(got[39999]).toEqual({ k: 39999, v: 'val 39999, with "quotes" and\nnewline' });
    expect(got.every((r, i) => r.k === i)).toBe(true);
  });
});

describe("versioning", () => {
  it("saves under <filepath>/<version>/<basename>, loads the latest, honours a pinned version", async () => {
    const root = project();
    const ds = { m: { type: "json", filepath: "data/m.json", versioned: true } };
    const v1 = newSaveVersion(new Date("2026-01-01T00:00:00Z"));
    const v2 = newSaveVersion(new Date("2026-02-01T10:20:30.456Z"));
    expect(v2).toBe("2026-02-01T10.20.30.456Z");
    const c1 = catalog(root, ds, { saveVersion: v1 });
    await c1.save("m", { v: 1 });
    expect(c1.versionOf("m")).toBe(v1);
    await catalog(root, ds, { saveVersion: v2 }).save("m", { v: 2 });
    expect(allFiles(join(root, "data/m.json"))).toEqual([`${v1}/m.json`, `${v2}/m.json`]);
    const latest = catalog(root, ds);
    expect(await latest.load("m")).toEqual({ v: 2 });
    expect(latest.versionOf("m")).toBe(v2);
    const pinned = catalog(root, ds, { loadVersions: { m: v1 } });
    expect(await pinned.load("m")).toEqual({ v: 1 });
    expect(pinned.versionOf("m")).toBe(v1);
    const missing = await rejection(catalog(root, ds, { loadVersions: { m: "2020-01-01T00.00.00.000Z" } }).load("m"));
    expect(missing.code).toBe("MLC6001");
    expect(missing.message).toContain(v1);
    expect(missing.message).toContain(v2);
    expect(catalog(root, { plain: { type: "json", filepath: "p.json" } }).versionOf("plain")).toBeNull();
  });

  it("a versioned dataset with no versions yet is MLC6001", async () => {
    const err = await rejection(
      catalog(project(), { m: { type: "json", filepath: "data/m.json", versioned: true } }).load("m"),
    );
    expect(err).toMatchObject({ code: "MLC6001" });
    expect(err.message).toContain("data/m.json");
  });
});

describe("partitioned", () => {
  it("loads lazily: one function per file, nothing read until called", async () => {
    const root = project({ "parts/a.csv": "x\n1\n", "parts/sub/b.csv": "x\n2\n", "parts/skip.txt": "no" });
    const cat = catalog(root, { p: { type: "partitioned", path: "parts", dataset: "csv", filename_suffix: ".csv" } });
    const parts = (await cat.load("p")) as Record<string, () => Promise<unknown>>;
    expect(Object.keys(parts)).toEqual(["a", "sub/b"]);
    writeFileSync(join(root, "parts/a.csv"), "x\n42\n"); // proves the read happens on call, not on load()
    expect(await parts.a()).toEqual([{ x: 42 }]);
    expect(await parts["sub/b"]()).toEqual([{ x: 2 }]);
  });

  it("saves an object of values or functions, one file per key", async () => {
    const root = project();
    const cat = catalog(root, {
      p: { type: "partitioned", path: "out", dataset: { type: "json" }, filename_suffix: ".json" },
    });
    await cat.save("p", { one: { v: 1 }, two: async () => ({ v: 2 }) });
    expect(allFiles(join(root, "out"))).toEqual(["one.json", "two.json"]);
    const parts = (await cat.load("p")) as Record<string, () => Promise<unknown>>;
    expect(await parts.two()).toEqual({ v: 2 });
    const bad = await rejection(cat.save("p", { "../../escape": 1 }));
    expect(bad.code).toBe("MLC6002");
  });
});

describe("mlflow datasets", () => {
  it("metric/metrics log to the sink; artifact saves the wrapped file and logs its absolute path", async () => {
    const root = project();
    const sink = recordingSink();
    const cat = catalog(
      root,
      {
        rmse: { type: "mlflow.metric" },
        acc: { type: "mlflow.metric", key: "accuracy" },
        many: { type: "mlflow.metrics", prefix: "val_" },
        model: {
          type: "mlflow.artifact",
          artifact_path: "models",
          dataset: { type: "binary", filepath: "data/model.bin", versioned: true },
        },
      },
      { sink, saveVersion: "2026-03-03T00.00.00.000Z" },
    );
    await cat.save("rmse", 0.25);
    await cat.save("acc", 0.9);
    await cat.save("many", { a: 1, b: 2 });
    await cat.save("model", new Map([["w", 1]]));
    expect(await cat.load("rmse")).toBe(0.25);
    expect(cat.isPersistent("rmse")).toBe(false);
    expect(cat.isPersistent("model")).toBe(true);
    expect(cat.versionOf("model")).toBe("2026-03-03T00.00.00.000Z");
    expect(sink.calls).toEqual([
      ["metric", "rmse", 0.25, undefined],
      ["metric", "accuracy", 0.9, undefined],
      ["metric", "val_a", 1, undefined],
      ["metric", "val_b", 2, undefined],
      ["artifact", join(root, "data/model.bin/2026-03-03T00.00.00.000Z/model.bin"), "models"],
    ]);
    expect(((await cat.load("model")) as Map<string, number>).get("w")).toBe(1);
    expect((await rejection(cat.save("rmse", "high"))).code).toBe("MLC6002");
    expect((await rejection(cat.save("many", { a: Number.NaN }))).code).toBe("MLC6002");
    expect((await rejection(catalog(root, { m: { type: "mlflow.metric" } }).load("m"))).code).toBe("MLC6001");
  });
});

describe("catalog", () => {
  it("builds lazily: an entry with an unknown type fails only when used (MLC3003)", async () => {
    const cat = catalog(project(), {
      ok: { type: "json", filepath: "a.json" },
      bad: { type: "csvv", filepath: "b.csv" },
    });
    await cat.save("ok", 1);
    const err = await rejection(cat.load("bad"));
    expect(err.code).toBe("MLC3003");
    expect(err.details.hint).toContain("csv");
  });

  it("describe() shows the config and never credentials", async () => {
    const root = project();
    const secret = "s3cr3t-P4ss";
    const cat = catalog(
      root,
      { t: { type: "json", filepath: "t.json", credentials: "db", password: "inline-pw" } },
      {
        credentials: { db: { user: "bob", password: secret } },
      },
    );
    await cat.save("t", { x: 1 });
    const d = cat.describe("t");
    expect(d).toMatchObject({ name: "t", type: "json", filepath: "t.json", credentials: "db", password: "***" });
    expect(JSON.stringify(d)).not.toContain(secret);
    expect(JSON.stringify(d)).not.toContain("inline-pw");
    expect(cat.describe("unknown")).toEqual({ name: "unknown", type: "memory" });
  });
});
