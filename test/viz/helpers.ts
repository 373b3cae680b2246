// Shared helpers of the viz tests: a temp copy of a fixture project (with a failed run record),
// running `node bin/mlc.js viz`, and the counts the page should show for a compiled graph.
import type { ChildProcess } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll } from "vitest";
import type { GraphIR } from "../../compiler/types.js";
import { mlc, spawnMlc } from "../helpers/cli.js";

export const REPO = resolve(import.meta.dirname, "../..");
export const DEMO = join(REPO, "test/fixtures/viz/demo");
export const SECRETS = ["S3cr3t-hunter2-viz", "viz_admin_user"];

// Temp copies are removed when the importing test file ends.
const made: string[] = [];
afterAll(() => made.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fresh copy of `fixture` in a temp folder (without run records, caches or build output). */
export function tempProject(fixture: string): string {
  const dir = mkdtempSync(join(tmpdir(), "mlc-viz-"));
  made.push(dir);
  cpSync(fixture, dir, { recursive: true, filter: (src) => !/[\\/](\.mlc|build|node_modules)$/.test(src) });
  return dir;
}

/** Writes a failed run of the demo pipeline (evaluate failed, export_db not run) into .mlc/runs. */
export function writeFailedRun(root: string, runId = "20261126-031500-abc123"): void {
  const dir = join(root, ".mlc", "runs", runId);
  mkdirSync(dir, { recursive: true });
  const node = (name: string, status: string, duration_ms: number, extra = {}) => ({
    name,
    status,
    attempts: 1,
    duration_ms,
    ...extra,
  });
  writeFileSync(
    join(dir, "run.json"),
    JSON.stringify(
      {
        run_id: runId,
        status: "failed",
        started_at: "2026-11-26T03:15:00.000Z",
        finished_at: "2026-11-26T03:15:04.210Z",
        executor: "sequential",
        pipeline: "__default__",
        selection: {},
        params: {},
        graph_hash: "x",
        git_commit: null,
        env: "local",
        command: "mlc run",
        metrics: {},
        datasets: [],
        resume_command: "mlc run --from-nodes evaluate",
        nodes: [
          node("ingest", "completed", 120),
          node("clean", "completed", 340),
          node("features.item_stats", "completed", 80),
          node("features.user_stats", "completed", 95),
          node("train", "completed", 2310),
          node("evaluate", "failed", 1204, {
            error: { code: "MLC5001", message: 'node "evaluate" threw: TypeError: rows is undefined' },
          }),
          node("export_db", "not_run", 0),
        ],
      },
      null,
      2,
    ),
  );
}

/** Runs `mlc viz ...args` to completion. */
export function runViz(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = mlc(REPO, "viz", ...args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `mlc viz --no-open --port 0` and resolves with the printed URL. */
export function serveViz(
  args: string[],
): Promise<{ url: string; child: ChildProcess; stop: () => Promise<number | null> }> {
  const child = spawnMlc(REPO, ["viz", "--no-open", "--port", "0", ...args]);
  let out = "";
  let err = "";
  const stop = () =>
    new Promise<number | null>((done) => {
      if (child.exitCode !== null) return done(child.exitCode);
      child.once("exit", (code) => done(code));
      child.kill("SIGTERM");
    });
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`mlc viz did not print a URL in 30 s\n${out}\n${err}`)), 30_000);
    child.stderr!.on("data", (b) => (err += b));
    child.stdout!.on("data", (b) => {
      out += b;
      const m = /(http:\/\/\S+\/)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok({ url: m[1], child, stop });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`mlc viz exited ${code}\n${out}\n${err}`));
    });
  });
}

/** What the default view (everything shown, nothing collapsed) must draw for `graph`. */
export function expectedCounts(graph: GraphIR): { nodes: number; datasets: number; params: number; edges: number } {
  let edges = 0;
  for (const n of graph.nodes) edges += new Set(n.inputs).size + new Set(n.outputs).size;
  return { nodes: graph.nodes.length, datasets: graph.datasets.length, params: graph.params.length, edges };
}
