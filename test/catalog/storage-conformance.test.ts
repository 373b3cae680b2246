// Every file dataset behaves the same on local disk and on S3 (a real moto_server): round trips,
// exists(), versioned layout and pinned versions, partitioned listings and overwrite.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatasetConfig } from "../../compiler/types.js";
import { startMoto, type MotoServer } from "../helpers/moto.js";
import { catalog, project, rejection } from "./helpers.js";

const rows = [
  { id: 1, name: "a", score: 0.5, ok: true, note: null },
  { id: 2, name: "b, with comma", score: -1.25e-3, ok: false, note: 'say "hi"\nnew line' },
];
const CASES: [string, string, unknown][] = [
  ["json", "x.json", { a: [1, 2, { b: "c" }], n: null }],
  ["jsonl", "x.jsonl", [{ a: 1 }, { a: 2, b: [true] }, "str", 3]],
  ["yaml", "x.yml", { a: [1, "two"], nested: { k: true } }],
  ["text", "x.txt", "héllo\nworld"],
  ["csv", "x.csv", rows],
  ["parquet", "x.parquet", rows],
  ["binary", "x.bin", new Map<string, unknown>([["k", new Float64Array([1.5, 2])]])],
];

let moto: MotoServer;
beforeAll(async () => {
  moto = await startMoto();
  await moto.createBucket("conf");
}, 90_000);
afterAll(() => moto?.stop());

let n = 0;
/** A fresh base location per test: a project folder, or a fresh prefix in the bucket. */
function where(backend: string): { root: string; base: string; credentials: Record<string, unknown> } {
  const root = project();
  if (backend === "local") return { root, base: "data", credentials: {} };
  return { root, base: `s3://conf/t${++n}`, credentials: { s3: moto.credentials } };
}

function cfg(backend: string, type: string, filepath: string, extra: Partial<DatasetConfig> = {}): DatasetConfig {
  return { type, filepath, ...(backend === "s3" ? { credentials: "s3" } : {}), ...extra };
}

for (const backend of ["local", "s3"]) {
  describe(`file datasets on ${backend}`, () => {
    for (const [type, file, value] of CASES) {
      it(`${type}: save, exists, load the same value`, async () => {
        const { root, base, credentials } = where(backend);
        const ds = { ds: cfg(backend, type, `${base}/${file}`) };
        const cat = catalog(root, ds, { credentials });
        expect(await cat.exists("ds")).toBe(false);
        await cat.save("ds", value);
        expect(await cat.exists("ds")).toBe(true);
        expect(await catalog(root, ds, { credentials }).load("ds")).toEqual(value);
      });
    }

    it("versioned: <filepath>/<version>/<basename>, latest by default, a pinned one on request", async () => {
      const { root, base, credentials } = where(backend);
      const ds = { m: cfg(backend, "json", `${base}/m.json`, { versioned: true }) };
      const v1 = "2026-01-01T00.00.00.000Z";
      const v2 = "2026-01-02T00.00.00.000Z";
      await catalog(root, ds, { credentials, saveVersion: v1 }).save("m", { v: 1 });
      await catalog(root, ds, { credentials, saveVersion: v2 }).save("m", { v: 2 });
      expect(await catalog(root, ds, { credentials }).load("m")).toEqual({ v: 2 });
      expect(await catalog(root, ds, { credentials, loadVersions: { m: v1 } }).load("m")).toEqual({ v: 1 });
      const e = await rejection(catalog(root, ds, { credentials, loadVersions: { m: "nope" } }).load("m"));
      expect(e.code).toBe("MLC6001");
      expect(e.message).toContain(`available: ${v1}, ${v2}`);
    });

    it("partitioned: one object per id, lazy loads, overwrite drops partitions the new set lacks", async () => {
      const { root, base, credentials } = where(backend);
      const ds = {
        p: {
          ...cfg(backend, "partitioned", ""),
          filepath: undefined,
          path: `${base}/parts`,
          dataset: "json",
          filename_suffix: ".json",
        },
      };
      const cat = catalog(root, ds as never, { credentials });
      await cat.save("p", { a: { x: 1 }, "sub/b": () => ({ x: 2 }) });
      const loaded = (await catalog(root, ds as never, { credentials }).load("p")) as Record<
        string,
        () => Promise<unknown>
      >;
      expect(Object.keys(loaded)).toEqual(["a", "sub/b"]);
      expect(await loaded["sub/b"]()).toEqual({ x: 2 });
      const over = { p: { ...ds.p, overwrite: true } };
      await catalog(root, over as never, { credentials }).save("p", { c: { x: 3 } });
      const after = (await catalog(root, over as never, { credentials }).load("p")) as Record<string, unknown>;
      expect(Object.keys(after)).toEqual(["c"]);
    });

    it("a partition id cannot leave the declared prefix", async () => {
      const { root, base, credentials } = where(backend);
      const ds = {
        p: {
          type: "partitioned",
          path: `${base}/parts`,
          dataset: "json",
          ...(backend === "s3" ? { credentials: "s3" } : {}),
        },
      };
      const e = await rejection(catalog(root, ds as never, { credentials }).save("p", { "../escape": { x: 1 } }));
      expect(e.code).toBe("MLC6002");
      expect(e.message).toContain("leaves the folder");
    });
  });
}

describe("custom datasets through ctx.files", () => {
  const source = `
import { readFile, writeFile } from "node:fs/promises";
export class Lines {
  constructor(private readonly config: { filepath: string }, private readonly ctx: any) {}
  load() { return this.ctx.files.readLocal(this.config.filepath, async (p: string) => (await readFile(p, "utf8")).split("\\\\n")); }
  save(rows: string[]) { return this.ctx.files.writeLocal(this.config.filepath, (p: string) => writeFile(p, rows.join("\\\\n"))); }
  async exists() { return (await this.ctx.files.stat(this.config.filepath)) !== null; }
}
`;
  for (const backend of ["local", "s3"]) {
    it(`a custom class saves, finds and loads its file on ${backend}`, async () => {
      const { base, credentials } = where(backend);
      const root = project({ "src/ds.ts": source });
      const ds = { ds: cfg(backend, "./src/ds.ts#Lines", `${base}/lines.txt`) };
      const cat = catalog(root, ds, { credentials });
      expect(await cat.exists("ds")).toBe(false);
      await cat.save("ds", ["a", "b"]);
      expect(await cat.exists("ds")).toBe(true);
      expect(await catalog(root, ds, { credentials }).load("ds")).toEqual(["a", "b"]);
    });
  }
});
