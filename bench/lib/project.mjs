// Throw-away projects for benchmarks: pipeline.yml + catalog + node modules in a temp folder,
// with node_modules/mlc-pipelines linked to this repository.
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "..", "..");

/** Writes a project; returns its root and a cleanup function. */
export function makeProject({ nodesYaml, catalogYaml = "{}\n", paramsYaml = "{}\n", modules = {} }) {
  const dir = mkdtempSync(join(tmpdir(), "mlc-bench-"));
  mkdirSync(join(dir, "src"), { recursive: true });
  mkdirSync(join(dir, "conf", "base"), { recursive: true });
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(REPO, join(dir, "node_modules", "mlc-pipelines"), "dir");
  writeFileSync(join(dir, "pipeline.yml"), `version: 1\nnodes:\n${nodesYaml}`);
  writeFileSync(join(dir, "conf", "base", "catalog.yml"), catalogYaml);
  writeFileSync(join(dir, "conf", "base", "parameters.yml"), paramsYaml);
  for (const [file, text] of Object.entries(modules)) writeFileSync(join(dir, "src", file), text);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** median, min, max of a list of numbers (ms), rounded to 0.01. */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x) => Math.round(x * 100) / 100;
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { runs: s.length, median_ms: r(mid), min_ms: r(s[0]), max_ms: r(s[s.length - 1]) };
}

/** The built API (bench runs after `npm run build`). */
export async function api() {
  return import(join(REPO, "dist", "executors", "run-project.js"));
}

/** pipeline.yml node entries for an n-node chain n0000 -> n0001 -> ... of ./src/nodes.ts#step over memory datasets. */
export function chainYaml(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push(`  - name: n${String(i).padStart(4, "0")}`, "    func: ./src/nodes.ts#step");
    if (i > 0) out.push(`    inputs: d${i - 1}`);
    out.push(`    outputs: d${i}`);
  }
  return out.join("\n") + "\n";
}
