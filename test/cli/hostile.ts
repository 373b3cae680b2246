// The hostile-user suites' shared parts: a small project written into a temp folder, and checks
// that output holds no stack trace of mlc's own code.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, expect } from "vitest";
import { REPO } from "../executors/project.js";
import { mlc } from "../helpers/cli.js";

export const made: string[] = [];
afterAll(() => made.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

export const PIPELINE = `version: 1
nodes:
  - name: a
    func: ./src/n.mjs#double
    inputs: [raw, params:k]
    outputs: mid
  - name: b
    func: ./src/n.mjs#sum
    inputs: mid
    outputs: out
`;
export const CATALOG = `raw:
  type: json
  filepath: data/raw.json
out:
  type: json
  filepath: data/out.json
`;
export const NODES = `export const double = (xs, k) => xs.map((x) => x * k);
export const sum = (xs) => xs.reduce((a, b) => a + b, 0);
`;

/** A small valid project (two nodes, JSON in and out) with `files` written over it. */
export function project(files: Record<string, string | Buffer> = {}): string {
  if (!existsSync(join(REPO, "dist", "cli-bundle", "main.js")))
    throw new Error("dist is missing: run `npm run build` before these tests");
  const root = mkdtempSync(join(tmpdir(), "mlc-hostile-"));
  made.push(root);
  const all: Record<string, string | Buffer> = {
    "pipeline.yml": PIPELINE,
    "conf/base/catalog.yml": CATALOG,
    "conf/base/parameters.yml": "k: 2\n",
    "src/n.mjs": NODES,
    "data/raw.json": "[1, 2, 3]\n",
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  mkdirSync(join(root, "node_modules"), { recursive: true });
  symlinkSync(REPO, join(root, "node_modules", "mlc-pipelines"), "dir");
  return root;
}

/** No stack frame of mlc's own code and no "internal error" in the output. */
export function expectNoTrace(out: string): void {
  expect(out).not.toMatch(/internal error/);
  expect(out).not.toMatch(/^\s+at .*(dist\/|node:internal|node_modules\/(?!mlc-pipelines\/src))/m);
}

interface JsonDiag {
  code: string;
  file: string;
  line: number;
  column: number;
  severity: string;
}

/** `mlc validate --format json` diagnostics. */
export function diagnostics(root: string): { code: number | null; diags: JsonDiag[] } {
  const r = mlc(root, "validate", "--format", "json");
  expectNoTrace(r.all);
  return { code: r.code, diags: (JSON.parse(r.stdout) as { diagnostics: JsonDiag[] }).diagnostics };
}

export const EXECUTORS = ["sequential", "parallel"] as const;

/** A one-node project whose node is `export` of src/bad.mjs. */
export function badNode(exportName: string, body: string, outputs = "out"): string {
  return project({
    "pipeline.yml": `version: 1\nnodes:\n  - name: bad_node\n    func: ./src/bad.mjs#${exportName}\n    inputs: raw\n    outputs: ${outputs}\n`,
    "conf/base/catalog.yml": "raw:\n  type: json\n  filepath: data/raw.json\n",
    "conf/base/parameters.yml": "{}\n",
    "src/bad.mjs": body,
  });
}

/** The newest run record of `root`. */
export function lastRun(root: string): {
  status: string;
  nodes: { name: string; status: string; error?: { code: string; message: string } }[];
} {
  const dir = join(root, ".mlc", "runs");
  const ids = readdirSync(dir).sort();
  return JSON.parse(readFileSync(join(dir, ids[ids.length - 1], "run.json"), "utf8"));
}
