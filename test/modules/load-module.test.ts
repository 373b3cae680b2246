// Loading user modules: TS transpile + on-disk cache, JS, packages, and MLC3006 errors.
import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  clearModuleCache,
  importUserModule,
  loadExport,
  loadFunction,
  moduleCacheDir,
  moduleStats,
} from "../../modules/load-module.js";
import { MlcError } from "../../compiler/diagnostics.js";

const made: string[] = [];
afterAll(() => made.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "mlc-lm-"));
  made.push(root);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, ".."), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

async function codeOf(p: Promise<unknown>): Promise<MlcError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(MlcError);
    return e as MlcError;
  }
  throw new Error("expected an MlcError");
}

beforeEach(() => clearModuleCache());

describe("importUserModule / loadExport", () => {
  it("bundles TypeScript with relative imports and reuses the disk cache without esbuild", async () => {
    const root = project({
      "src/a.ts": `import { helper } from "./b.js";\nexport const fn = (x: number): number => helper(x) * 2;\nexport default function hello(): string { return "hi"; }\n`,
      "src/b.ts": `export function helper(x: number): number { return x + 1; }\n`,
    });
    const calls0 = moduleStats.esbuildCalls;
    const fn = (await loadExport("./src/a.ts#fn", root)) as (x: number) => number;
    expect(fn(1)).toBe(4);
    expect(moduleStats.esbuildCalls).toBe(calls0 + 1);
    const files = readdirSync(moduleCacheDir(root));
    expect(files.filter((f) => f.endsWith(".mjs"))).toHaveLength(1);
    expect(files.some((f) => f.includes(".tmp-"))).toBe(false);
    const mjs = join(
      moduleCacheDir(root),
      files.find((f) => f.endsWith(".mjs"))!,
    );
    const mtime = statSync(mjs).mtimeMs;

    clearModuleCache();
    const hello = (await loadExport("src/a.ts", root)) as () => string;
    expect(hello()).toBe("hi");
    expect(moduleStats.esbuildCalls).toBe(calls0 + 1);
    expect(statSync(mjs).mtimeMs).toBe(mtime);

    // Changing an imported file (not the entry) invalidates the bundle.
    writeFileSync(join(root, "src/b.ts"), `export function helper(x: number): number { return x + 10; }\n`);
    utimesSync(join(root, "src/b.ts"), new Date(), new Date(Date.now() + 5000));
    clearModuleCache();
    const fn2 = (await loadExport("./src/a.ts#fn", root)) as (x: number) => number;
    expect(fn2(1)).toBe(22);
    expect(moduleStats.esbuildCalls).toBe(calls0 + 2);
    // The replaced bundle stays for an hour (another process may be importing it), then is swept.
    expect(readdirSync(moduleCacheDir(root)).filter((f) => f.endsWith(".mjs"))).toHaveLength(2);
    utimesSync(mjs, new Date(Date.now() - 2 * 3600_000), new Date(Date.now() - 2 * 3600_000));
    writeFileSync(join(root, "src/b.ts"), `export function helper(x: number): number { return x + 100; }\n`);
    utimesSync(join(root, "src/b.ts"), new Date(), new Date(Date.now() + 9000));
    clearModuleCache();
    expect(((await loadExport("./src/a.ts#fn", root)) as (x: number) => number)(1)).toBe(202);
    expect(readdirSync(moduleCacheDir(root)).filter((f) => f.endsWith(".mjs"))).toHaveLength(2);
    expect(existsSync(mjs)).toBe(false);
  });

  it("caches per process: the same module object twice", async () => {
    const root = project({ "src/m.ts": `export const o = { n: 1 };\n` });
    const a = await importUserModule("./src/m.ts", root);
    const b = await importUserModule("src/m.ts", root);
    expect(a.o).toBe(b.o);
  });

  it("imports .mjs and .js files directly and packages from the project root", async () => {
    const root = project({
      "src/m.mjs": `export const v = 7;\n`,
      "node_modules/fakepkg/package.json": JSON.stringify({
        name: "fakepkg",
        type: "module",
        exports: { ".": { import: "./esm.js" } },
      }),
      "node_modules/fakepkg/esm.js": `export const kind = "esm"; export default 5;\n`,
      "package.json": "{}",
    });
    expect(await loadExport("./src/m.mjs#v", root)).toBe(7);
    expect(await loadExport("fakepkg#kind", root)).toBe("esm");
    expect(await loadExport("fakepkg", root)).toBe(5);
    expect(moduleStats.esbuildCalls).toBeGreaterThanOrEqual(0);
  });

  it("MLC3006: missing module, missing export with suggestion, not a function, unknown package", async () => {
    const root = project({
      "src/a.ts": `export function trainModel(): number { return 1; }\nexport const answer = 42;\n`,
    });
    const missing = await codeOf(loadExport("./src/nope.ts#x", root));
    expect(missing).toMatchObject({ code: "MLC3006" });
    expect(missing.message).toContain("src/nope.ts");
    const noExport = await codeOf(loadExport("./src/a.ts#trainModle", root));
    expect(noExport.code).toBe("MLC3006");
    expect(noExport.message).toContain("trainModle");
    expect(noExport.details.hint).toContain("trainModel");
    const notFn = await codeOf(loadFunction("./src/a.ts#answer", root));
    expect(notFn.code).toBe("MLC3006");
    expect(notFn.message).toMatch(/not a function.*number/);
    const pkg = await codeOf(loadExport("no-such-package-xyz#f", root));
    expect(pkg.code).toBe("MLC3006");
    expect(pkg.message).toContain("no-such-package-xyz");
  });

  it("MLC3006: a TypeScript syntax error gives file:line:col", async () => {
    const root = project({ "src/bad.ts": `export const a = 1;\nexport const x: number = ;\n` });
    const err = await codeOf(loadExport("./src/bad.ts#x", root));
    expect(err.code).toBe("MLC3006");
    expect(err.message).toContain("src/bad.ts:2:26");
    expect(err.details).toMatchObject({ file: "src/bad.ts", line: 2, column: 26 });
  });

  it("MLC3006: an unresolvable relative import inside a TS module names the importing file", async () => {
    const root = project({ "src/a.ts": `import { y } from "./gone.js";\nexport const x = y;\n` });
    const err = await codeOf(loadExport("./src/a.ts#x", root));
    expect(err.code).toBe("MLC3006");
    expect(err.message).toContain("src/a.ts:1:");
    expect(err.message).toContain("gone");
  });

  it("MLC3006: a module that throws at import time", async () => {
    const root = project({ "src/t.mjs": `throw new Error("boom at top");\n` });
    const err = await codeOf(loadExport("./src/t.mjs#x", root));
    expect(err.code).toBe("MLC3006");
    expect(err.message).toContain("boom at top");
  });

  it("concurrent cold builds of one module (as worker threads do) leave one bundle and no temp files", async () => {
    const root = project({
      "src/c.mts": `export const v: number = 3;\n`,
      "src/d.cts": `export const w: string = "cjs-ts";\n`,
    });
    const loads = [];
    for (let i = 0; i < 4; i++) {
      loads.push(importUserModule("./src/c.mts", root));
      clearModuleCache(); // each call misses the in-process map and builds on its own
    }
    const mods = await Promise.all(loads);
    expect(mods.map((m) => m.v)).toEqual([3, 3, 3, 3]);
    const files = readdirSync(moduleCacheDir(root));
    expect(files.filter((f) => f.includes(".tmp-"))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".mjs"))).toHaveLength(1);
    expect(await loadExport("./src/d.cts#w", root)).toBe("cjs-ts");
  });

  it("'mlc-pipelines' resolves to the running mlc when the project has no install of its own", async () => {
    // Needs the built package (dist/index.js): CLI and unit runs build first (`npm test`).
    expect(
      existsSync(join(import.meta.dirname, "../../dist/index.js")),
      "dist/index.js missing: run `npm run build`",
    ).toBe(true);
    const root = project({
      "src/n.ts": `import { logMetric } from "mlc-pipelines";\nexport const kind = typeof logMetric;\n`,
    });
    expect(await loadExport("./src/n.ts#kind", root)).toBe("function");
  });
});
