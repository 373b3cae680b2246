// Copies a fixture project from test/fixtures/compile into a temp folder and compiles it there
// (the module cache under .mlc/ must not land in the repository; the temp path also proves the
// output holds no absolute paths).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileProject } from "../../compiler/compile.js";
import type { CompileOptions } from "../../compiler/types.js";

export const FIXTURES = join(import.meta.dirname, "../fixtures/compile");
const GOLDEN = new Set(["graph.json", "pipeline.mmd", "diagnostics.json", "warnings.json", "options.json"]);
const temps: string[] = [];

/** Removes every copy made so far (call from afterAll). */
export function cleanupFixtures(): void {
  temps.splice(0).forEach((t) => rmSync(t, { recursive: true, force: true }));
}

/** A fresh copy of the fixture project without its golden files. */
export function copyFixture(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mlc-fixture-${name}-`));
  temps.push(dir);
  cpSync(join(FIXTURES, name), dir, { recursive: true, filter: (src) => !GOLDEN.has(src.split(/[\\/]/).pop()!) });
  return dir;
}

/** Compiles a copy of the fixture with env "local" and its options.json. */
export async function compileFixture(name: string, extra: Partial<CompileOptions> = {}) {
  const root = copyFixture(name);
  const optsFile = join(FIXTURES, name, "options.json");
  const opts = existsSync(optsFile) ? (JSON.parse(readFileSync(optsFile, "utf8")) as Partial<CompileOptions>) : {};
  return compileProject({ root, env: "local", ...opts, ...extra });
}
