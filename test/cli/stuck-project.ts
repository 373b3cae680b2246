// A temp project whose nodes block, hang or print a lot, and the real CLI spawned on it (build
// first: the CLI and the node code's `mlc-pipelines` import run from dist/).
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { readRun } from "../../runs/store.js";
import type { RunRecord } from "../../runs/record.js";
import { REPO } from "../executors/project.js";
import { spawnMlc } from "../helpers/cli.js";

const NODES = `
const keep = [];
export function spin() { for (;;) {} }
export async function spinLater() { await new Promise((r) => setTimeout(r, 20)); for (;;) {} }
export function hog() { for (;;) keep.push(new Array(10_000).fill(Math.random())); }
export function never() { return new Promise(() => {}); }
export async function chatty() {
  for (let i = 0; i < 200; i++) { console.log("line " + i); await new Promise((r) => setTimeout(r, 2)); }
  return 1;
}
export const after = (x) => x;
`;

const made: string[] = [];
export const cleanup = () => made.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));

/** A project with one node per entry of `nodes` (YAML lines of the node list), sharing src/n.mjs. */
export function stuckProject(nodes: string): string {
  const root = mkdtempSync(join(tmpdir(), "mlc-stuck-"));
  made.push(root);
  const files: Record<string, string> = {
    "pipeline.yml": `version: 1\nnodes:\n${nodes}`,
    "conf/base/catalog.yml": "{}\n",
    "conf/base/parameters.yml": "{}\n",
    "src/n.mjs": NODES,
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  mkdirSync(join(root, "node_modules"));
  symlinkSync(REPO, join(root, "node_modules", "mlc-pipelines"), "dir");
  return root;
}

/** `mlc ...args` in `cwd` (the shared helper, without the test runner's NODE_OPTIONS). */
export function startMlc(cwd: string, args: string[], env: Record<string, string | undefined> = {}): Child {
  return spawnMlc(cwd, args, { env: { NODE_OPTIONS: undefined, ...env } });
}

type Child = ReturnType<typeof spawnMlc>;

export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** When it ended, in ms since the process started. */
  atMs: number;
}

/** Waits for `child` to end. */
export function ended(child: Child): Promise<Ended> {
  const t0 = performance.now();
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  child.stdout.on("error", () => {}); // a test may close it on purpose
  return new Promise((res) =>
    child.on("close", (code, signal) => res({ code, signal, stdout, stderr, atMs: performance.now() - t0 })),
  );
}

/** Resolves when `child` has printed `text` on stderr. */
export function printed(child: Child, text: string): Promise<void> {
  let seen = "";
  return new Promise((res) => {
    const on = (c: Buffer) => {
      seen += c;
      if (seen.includes(text)) {
        child.stderr.off("data", on);
        res();
      }
    };
    child.stderr.on("data", on);
  });
}

/** The only run record of `root`. */
export function onlyRun(root: string): RunRecord {
  const ids = readdirSync(join(root, ".mlc", "runs"));
  if (ids.length !== 1) throw new Error(`expected one run, found ${ids.length}`);
  return readRun(root, ids[0])!;
}
