// Custom dataset types from a .ts file: class or factory, through load-module (transpile + cache).
import { statSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clearModuleCache, moduleCacheDir, moduleStats } from "../../modules/load-module.js";
import { getDatasetType, registerDatasetType, BUILTIN_TYPES } from "../../catalog/registry.js";
import { catalog, project, rejection } from "./helpers.js";

const source = `
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
interface Cfg { type: string; filepath: string; upper?: boolean }
export class Upper {
  private path: string;
  constructor(private readonly config: Cfg, ctx: { root: string }) { this.path = join(ctx.root, config.filepath); }
  async load(): Promise<string> { return readFileSync(this.path, "utf8"); }
  async save(data: string): Promise<void> { writeFileSync(this.path, data.toUpperCase()); }
  async exists(): Promise<boolean> { return true; }
  describe() { return { type: "upper" }; }
}
export function makeCounter(config: Cfg) {
  let n = 0;
  return { load: async () => n, save: async (v: number) => { n += v; } };
}
export const notAType = 5;
export function noDataset() { return { load: 1 }; }
`;

describe("custom dataset types", () => {
  it("a class and a factory from a .ts file; the second catalog reuses the cached bundle", async () => {
    const root = project({ "src/datasets.ts": source });
    const calls = moduleStats.esbuildCalls;
    const cat = catalog(root, {
      u: { type: "./src/datasets.ts#Upper", filepath: "u.txt" },
      c: { type: "src/datasets.ts#makeCounter" },
    });
    await cat.save("u", "abc");
    expect(await cat.load("u")).toBe("ABC");
    await cat.save("c", 2);
    await cat.save("c", 3);
    expect(await cat.load("c")).toBe(5);
    expect(await cat.exists("c")).toBe(false); // default for a dataset without exists()
    expect(moduleStats.esbuildCalls).toBe(calls + 1);
    const bundle = readdirSync(moduleCacheDir(root)).find((f) => f.endsWith(".mjs"))!;
    const mtime = statSync(join(moduleCacheDir(root), bundle)).mtimeMs;
    clearModuleCache();
    const again = catalog(root, { u: { type: "./src/datasets.ts#Upper", filepath: "u.txt" } });
    expect(await again.load("u")).toBe("ABC");
    expect(moduleStats.esbuildCalls).toBe(calls + 1);
    expect(statSync(join(moduleCacheDir(root), bundle)).mtimeMs).toBe(mtime);
  });

  it("MLC3006 for a missing module, a missing export, a non-function, a factory returning no dataset", async () => {
    const root = project({ "src/datasets.ts": source });
    const cat = catalog(root, {
      a: { type: "./src/missing.ts#X" },
      b: { type: "./src/datasets.ts#Uper" },
      c: { type: "./src/datasets.ts#notAType" },
      d: { type: "./src/datasets.ts#noDataset" },
    });
    for (const name of ["a", "b", "c", "d"]) {
      const err = await rejection(cat.load(name));
      expect(err.code).toBe("MLC3006");
      expect(err.details.dataset).toBe(name);
    }
    expect((await rejection(cat.load("b"))).details.hint).toContain("Upper");
  });

  it("an old-style constructor function from a .mjs file is called with new", async () => {
    const root = project({
      "lib/box.mjs": `export function Box(config) { this.v = config.initial; }
Box.prototype.load = async function () { return this.v; };
Box.prototype.save = async function (v) { this.v = v; };`,
    });
    const cat = catalog(root, { b: { type: "./lib/box.mjs#Box", initial: 4 } });
    expect(await cat.load("b")).toBe(4);
  });

  it("registerDatasetType adds a named type; built-ins are listed", async () => {
    expect(BUILTIN_TYPES).toContain("partitioned");
    for (const t of BUILTIN_TYPES) expect(getDatasetType(t)).toBeTypeOf("function");
    let stored: unknown = null;
    registerDatasetType("test.box", () => ({
      load: async () => stored,
      save: async (v: unknown) => void (stored = v),
      exists: async () => stored !== null,
      describe: () => ({ type: "test.box" }),
    }));
    const cat = catalog(project(), { b: { type: "test.box" } });
    await cat.save("b", 7);
    expect(await cat.load("b")).toBe(7);
  });
});
