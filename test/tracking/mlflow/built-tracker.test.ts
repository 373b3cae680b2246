// The built tracker and journal (dist/tracking/mlflow/tracker.js and journal.js, see
// scripts/build.mjs) run tracker.cjs and journal.cjs through V8's code cache: each cache must be
// accepted, the modules must behave as the source ones (same exports, the shared MlcError
// class), and only the current build's caches are kept.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "..", "..", "..");
const DIR = join(REPO, "dist", "tracking", "mlflow");

function inNode(code: string, cwd = REPO): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd, encoding: "utf8", env: { ...process.env, MLFLOW_TRACKING_URI: "" } });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr };
}

describe("the built MLflow tracker and journal", () => {
  it("load their code from the V8 code caches the build made, one cache each", () => {
    const r = inNode(`const t = await import("./dist/tracking/mlflow/tracker.js"); const j = await import("./dist/tracking/mlflow/journal.js"); console.log(t.codeCache, typeof t.startTracking, j.codeCache, typeof j.startJournal);`);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("used function used function");
    const caches = readdirSync(DIR).filter((f) => f.endsWith(".cache")).sort();
    expect(caches).toHaveLength(2);
    expect(caches[0]).toMatch(/^journal-[0-9a-f]{16}\.cache$/);
    expect(caches[1]).toMatch(/^tracker-[0-9a-f]{16}\.cache$/);
  });

  /** Starts the built journal or tracker on a 7,000-character param: what it throws. */
  const longParam = (module: "journal" | "tracker", start: string) =>
    inNode(`
      import { mkdtempSync } from "node:fs"; import { tmpdir } from "node:os"; import { join } from "node:path";
      const m = await import("./dist/tracking/mlflow/${module}.js");
      const { MlcError } = await import("./dist/compiler/diagnostics.js");
      const root = mkdtempSync(join(tmpdir(), "mlc-built-"));
      const graph = { irVersion: 1, name: "g", nodes: [], datasets: [], params: [], edges: [], layers: [], pipelines: {} };
      const project = { root, env: "local", graph, selected: graph, parameters: {}, credentials: {}, hooks: [], mlflow: { server: { mlflow_tracking_uri: "http://127.0.0.1:9" }, tracking: { delivery: "background" } } };
      const opts = { project, runId: "r", pipeline: "__default__", executor: "sequential", command: "mlc run", env: "local", params: { long: "x".repeat(7000) } };
      try {
        await ${start};
        console.log("no error");
      } catch (err) {
        console.log(err instanceof MlcError, err.code);
      }`);

  it("the journal refuses a long parameter with the one MlcError class the rest of mlc checks with instanceof (long_params_strategy: fail, before the run starts)", () => {
    const r = longParam("journal", `m.startJournal(opts, m.trackingFor(project, "__default__"))`);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("true MLC7002");
  });

  it("so does the tracker (delivery: wait)", () => {
    const r = longParam("tracker", "m.startTracking(opts)");
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("true MLC7002");
  });

  it("ignores a damaged cache (V8 would crash on it) and compiles instead", () => {
    // A copy of the tracker's files, its imports linked to the real dist/: the real cache stays intact.
    const tmp = mkdtempSync(join(tmpdir(), "mlc-cache-"));
    try {
      const dir = join(tmp, "dist", "tracking", "mlflow");
      mkdirSync(dir, { recursive: true });
      symlinkSync(join(REPO, "dist", "compiler"), join(tmp, "dist", "compiler"), "dir");
      symlinkSync(join(REPO, "dist", "tracking", "run-store.js"), join(tmp, "dist", "tracking", "run-store.js"));
      for (const f of readdirSync(DIR).filter((f) => /^tracker(\.js|\.cjs|-[0-9a-f]+\.cache)$/.test(f))) copyFileSync(join(DIR, f), join(dir, f));
      const cache = readdirSync(dir).find((f) => f.endsWith(".cache"))!;
      const data = readFileSync(join(dir, cache));
      for (let i = 200; i < data.length; i += 97) data[i] ^= 0xff;
      writeFileSync(join(dir, cache), data);
      const r = inNode(`const m = await import("./dist/tracking/mlflow/tracker.js"); console.log(m.codeCache, typeof m.startTracking);`, tmp);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe("damaged function");
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
