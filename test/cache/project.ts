// A small project for incremental-run tests, written into a temp folder: a file chain
// (prep -> shape -> report), a node with `cache: false`, and a memory chain (m1 -> m2).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO } from "../executors/project.js";
import type { RunRecord } from "../../runs/record.js";

const made: string[] = [];

const FILES: Record<string, string> = {
  "pipeline.yml": `version: 1
name: inc
nodes:
  - { name: prep, func: ./src/nodes.ts#prep, inputs: [raw, "params:scale"], outputs: scaled }
  - { name: shape, func: ./src/nodes.ts#shape, inputs: [scaled, "params:mode"], outputs: shaped }
  - { name: report, func: ./src/nodes.ts#report, inputs: [shaped], outputs: report }
  - { name: noisy, func: ./src/nodes.ts#noisy, cache: false, inputs: [raw], outputs: noise }
  - { name: m1, func: ./src/chain.mjs#m1, inputs: [raw], outputs: mem_a }
  - { name: m2, func: ./src/chain.mjs#m2, inputs: [mem_a, "params:k"], outputs: chain_out }
`,
  "conf/base/catalog.yml": `raw: { type: json, filepath: data/raw.json }
scaled: { type: json, filepath: data/scaled.json }
shaped: { type: text, filepath: data/shaped.txt }
report: { type: json, filepath: data/report.json }
noise: { type: json, filepath: data/noise.json }
chain_out: { type: json, filepath: data/chain_out.json }
`,
  "conf/base/parameters.yml": "scale: 2\nmode: plain\nk: 10\n",
  "data/raw.json": "[1, 2, 3]\n",
  "src/helper.ts": "export function times(x: number, s: number): number {\n  return x * s;\n}\n",
  "src/nodes.ts": `import { times } from "./helper.ts";
export function prep(raw: number[], scale: number): number[] {
  if (process.env.CRASH_IN === "prep") process.exit(9);
  return raw.map((x) => times(x, scale));
}
// "plain" and "PLAIN" give the same text; "pad" only adds whitespace.
export function shape(scaled: number[], mode: string): string {
  return scaled.join(",") + (mode === "pad" ? "   \\n" : "\\n");
}
export function report(shaped: string): { chars: number } {
  if (process.env.CRASH_IN === "report") process.exit(9);
  return { chars: shaped.length };
}
export function noisy(raw: number[]): number {
  return raw.length + Math.random();
}
`,
  "src/chain-helper.mjs": "export const inc = (x) => x + 1;\n",
  "src/chain.mjs": `import { inc } from "./chain-helper.mjs";
export function m1(raw) {
  return raw.map(inc);
}
export function m2(a, k) {
  return a.reduce((s, x) => s + x, 0) * k;
}
`,
};

/** A fresh copy of the project; removed by `cleanupIncProjects()`. */
export function incProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "mlc-inc-"));
  for (const [rel, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(REPO, join(dir, "node_modules", "mlc-pipelines"), "dir");
  made.push(dir);
  return dir;
}

export function cleanupIncProjects(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** The newest run record of the project. */
export function lastRun(root: string): RunRecord {
  // Run ids of one second sort by their random part: the start time orders them.
  const runs = readdirSync(join(root, ".mlc", "runs")).map(
    (id) => JSON.parse(readFileSync(join(root, ".mlc", "runs", id, "run.json"), "utf8")) as RunRecord,
  );
  return runs.sort((a, b) => (a.started_at < b.started_at ? -1 : 1))[runs.length - 1];
}

/** Node name -> status of the newest run. */
export function statuses(root: string): Record<string, string> {
  return Object.fromEntries(lastRun(root).nodes.map((n) => [n.name, n.status]));
}

/** The names of the nodes that executed in the newest run. */
export function executed(root: string): string[] {
  return lastRun(root)
    .nodes.filter((n) => n.status === "completed")
    .map((n) => n.name)
    .sort();
}

/** Replaces one parameter line of conf/base/parameters.yml. */
export function setParam(root: string, name: string, value: string): void {
  const p = join(root, "conf/base/parameters.yml");
  const text = readFileSync(p, "utf8").replace(new RegExp(`^${name}: .*$`, "m"), `${name}: ${value}`);
  writeFileSync(p, text);
}
