// Bad input: coded errors naming the dataset and path, no partial or temporary files, no secrets.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { allFiles, catalog, project, rejection } from "./helpers.js";

describe("load errors (MLC6001)", () => {
  const malformed: [string, string, string, RegExp][] = [
    ["csv", "bad.csv", "a,b\n1,2\n3,4,5\n", /bad\.csv:3.*expected 2 fields, found 3/],
    ["csv", "open.csv", 'a,b\n1,"never closed\n2,3\n', /open\.csv:2.*not closed/],
    ["csv", "after.csv", 'a,b\n1,"x"y\n', /after\.csv:2/],
    ["json", "bad.json", '{\n  "a": 1,\n  "b": }\n', /bad\.json:3:\d+/],
    ["jsonl", "bad.jsonl", '{"a":1}\n{"a":\n', /bad\.jsonl:2/],
    ["yaml", "bad.yml", "a: [1, 2\nb: 3\n", /bad\.yml:\d+/],
    ["parquet", "bad.parquet", "PAR1 this is not parquet at all PAR1", /bad\.parquet/],
    ["binary", "bad.bin", "not v8 data", /bad\.bin/],
  ];
  for (const [type, file, content, re] of malformed) {
    it(`malformed ${type} names the dataset, the file and the line`, async () => {
      const root = project({ [`data/${file}`]: content });
      const err = await rejection(catalog(root, { ds: { type, filepath: `data/${file}` } }).load("ds"));
      expect(err.code).toBe("MLC6001");
      expect(err.message).toContain('"ds"');
      expect(err.message).toMatch(re);
      expect(err.details).toMatchObject({ dataset: "ds", file: `data/${file}` });
      expect(err.stack ?? "").not.toContain("csv-parse");
    });
  }

  it("a missing file and a directory in place of a file", async () => {
    const root = project();
    mkdirSync(join(root, "data/dir.csv"), { recursive: true });
    const cat = catalog(root, {
      gone: { type: "csv", filepath: "data/none.csv" },
      dir: { type: "csv", filepath: "data/dir.csv" },
    });
    const gone = await rejection(cat.load("gone"));
    expect(gone).toMatchObject({ code: "MLC6001", details: { dataset: "gone", file: "data/none.csv" } });
    expect(gone.message).toMatch(/"gone".*not found.*data\/none\.csv/);
    const dir = await rejection(cat.load("dir"));
    expect(dir.code).toBe("MLC6001");
    expect(dir.message).toMatch(/"dir".*data\/dir\.csv is a directory/);
    expect((await rejection(cat.load("never_saved"))).code).toBe("MLC6001");
  });
});

describe("save errors (MLC6002)", () => {
  it("undefined is refused, naming the dataset", async () => {
    const root = project();
    const err = await rejection(catalog(root, { out: { type: "json", filepath: "o.json" } }).save("out", undefined));
    expect(err.code).toBe("MLC6002");
    expect(err.message).toBe('node returned undefined for dataset "out"');
    expect(existsSync(join(root, "o.json"))).toBe(false);
  });

  it("a folder that cannot be created (a file sits where a folder should be)", async () => {
    const root = project({ "data/blocker": "I am a file" });
    const err = await rejection(
      catalog(root, { o: { type: "csv", filepath: "data/blocker/out.csv" } }).save("o", [{ a: 1 }]),
    );
    expect(err.code).toBe("MLC6002");
    expect(err.message).toContain("data/blocker/out.csv");
    expect(allFiles(root)).toEqual(["data/blocker"]);
  });

  it("a directory where the file should go", async () => {
    const root = project();
    mkdirSync(join(root, "out.json"));
    const err = await rejection(catalog(root, { o: { type: "json", filepath: "out.json" } }).save("o", { a: 1 }));
    expect(err.code).toBe("MLC6002");
    expect(err.message).toMatch(/out\.json is a directory/);
    expect(allFiles(root)).toEqual([]);
  });

  it("a path leaving the project is refused for save and load; nothing is written outside", async () => {
    const root = project();
    const cat = catalog(join(root, "proj"), {
      x: { type: "text", filepath: "../../etc/x" },
      y: { type: "text", filepath: "data/../../y.txt" },
    });
    mkdirSync(join(root, "proj"));
    for (const name of ["x", "y"]) {
      const err = await rejection(cat.save(name, "data"));
      expect(err.code).toBe("MLC6002");
      expect(err.message).toMatch(/leaves the project/);
      expect(err.details.dataset).toBe(name);
      expect((await rejection(cat.load(name))).code).toBe("MLC6001");
    }
    expect(allFiles(root)).toEqual([]);
  });

  it("an absolute filepath given explicitly is used as is", async () => {
    const outside = project();
    const root = project();
    const cat = catalog(root, { abs: { type: "text", filepath: join(outside, "abs.txt") } });
    await cat.save("abs", "ok");
    expect(await cat.load("abs")).toBe("ok");
  });

  it("a value the format cannot hold fails before anything is written; the old file survives", async () => {
    const root = project({ "keep.json": '{"old":true}\n' });
    const cat = catalog(root, {
      j: { type: "json", filepath: "keep.json" },
      t: { type: "text", filepath: "t.txt" },
      c: { type: "csv", filepath: "c.csv" },
      b: { type: "binary", filepath: "b.bin" },
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect((await rejection(cat.save("j", cyclic))).code).toBe("MLC6002");
    expect((await rejection(cat.save("j", 10n))).code).toBe("MLC6002");
    expect((await rejection(cat.save("t", 42))).message).toMatch(/expects a string, got number/);
    expect((await rejection(cat.save("c", { not: "rows" }))).code).toBe("MLC6002");
    expect((await rejection(cat.save("b", { f: () => 1 }))).code).toBe("MLC6002");
    expect(allFiles(root)).toEqual(["keep.json"]);
    expect(await cat.load("j")).toEqual({ old: true });
  });

  it("a stream that fails midway leaves the previous file and no temp file", async () => {
    const root = project({ "rows.jsonl": '{"old":1}\n' });
    const cat = catalog(root, { r: { type: "jsonl", filepath: "rows.jsonl" } });
    const rows: unknown[] = Array.from({ length: 50000 }, (_, i) => ({ i }));
    rows.push(Symbol("not json"));
    expect((await rejection(cat.save("r", rows))).code).toBe("MLC6002");
    expect(allFiles(root)).toEqual(["rows.jsonl"]);
    expect(await cat.load("r")).toEqual([{ old: 1 }]);
  });
});

describe("secrets", () => {
  it("credential values never appear in errors from custom datasets or describe()", async () => {
    const root = project({
      "src/ds.ts": `
        export class Leaky {
          constructor(private config: any, private ctx: any) {}
          async load() { throw new Error("connect failed for postgres://app:" + this.ctx.credentials.password + "@db"); }
          async save() { throw new Error("denied: " + this.ctx.credentials.password); }
          async exists() { return false; }
          describe() { return { type: "leaky", conn: this.ctx.credentials.password }; }
        }`,
    });
    const secret = "hunter2-VERY-secret";
    const cat = catalog(
      root,
      { t: { type: "./src/ds.ts#Leaky", credentials: "pg" } },
      { credentials: { pg: { password: secret } } },
    );
    const load = await rejection(cat.load("t"));
    expect(load.code).toBe("MLC6001");
    expect(load.message).toContain("postgres://app:***@db");
    expect(load.message + (load.stack ?? "")).not.toContain(secret);
    const save = await rejection(cat.save("t", 1));
    expect(save.code).toBe("MLC6002");
    expect(save.message + (save.stack ?? "")).not.toContain(secret);
    expect(JSON.stringify(cat.describe("t"))).not.toContain(secret);
  });

  it("an unknown credentials name is MLC3005", async () => {
    const err = await rejection(
      catalog(project(), { t: { type: "json", filepath: "t.json", credentials: "nope" } }).load("t"),
    );
    expect(err.code).toBe("MLC3005");
  });
});
