// Build step (scripts/build.mjs): runs the path of a short tracked `mlc run` under
// tracking.delivery: background once through the built journal, then the deliverer's path (the
// journal into an outbox) and a background run's path through the built tracker, in a throw-away
// project, and writes both code caches: the functions those paths call are then stored compiled,
// and a tracked run (or the deliverer) loads them instead of compiling them on its own time.
// Nothing is sent anywhere: the runs are queued for a server that is never contacted, and a pid
// file naming this process stands in for the deliverer, so none is started.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dist = (p) => import(pathToFileURL(join(import.meta.dirname, "..", "dist", p)).href);
const journal = await dist("tracking/mlflow/journal.js");
const tracker = await dist("tracking/mlflow/tracker.js");
const root = mkdtempSync(join(tmpdir(), "mlc-warm-tracker-"));
try {
  const uri = "http://127.0.0.1:9";
  const pidFile = journal.delivererFile(root, journal.clientOptionsFromEnv(uri, {}));
  mkdirSync(join(root, ".mlc", "outbox"), { recursive: true });
  writeFileSync(pidFile, String(process.pid));
  const graph = { irVersion: 1, name: "warm", nodes: [], datasets: [{ name: "raw", persistent: true, filepath: "data/raw.csv" }], params: [], edges: [], layers: [], pipelines: {} };
  const project = { root, env: "local", graph, selected: graph, parameters: { model: { lr: 0.1, layers: [1, 2] }, seed: 1 }, credentials: {}, hooks: [], mlflow: { server: { mlflow_tracking_uri: uri }, tracking: { delivery: "background" } } };
  const now = new Date().toISOString();
  const record = (runId) => ({ run_id: runId, status: "success", started_at: now, finished_at: now, executor: "sequential", pipeline: "__default__", selection: {}, params: {}, graph_hash: "0".repeat(64), git_commit: null, env: "local", command: "mlc run", nodes: [], metrics: {}, datasets: [] });
  const start = (runId) => ({ project, runId, pipeline: "__default__", executor: "sequential", command: "mlc run", env: "local", params: project.parameters, graphIr: JSON.stringify(graph), graphHash: "0".repeat(64), gitCommit: null });
  const log = (sink) => {
    sink.logMetric("rmse", 0.5, 0);
    sink.setTag("warm", "1");
    sink.logParam("extra", "1");
  };

  // A run under background: the journal.
  journal.deliveryFromEnv(); // mlc run's guess while the project compiles
  const cfg = journal.trackingFor(project, "__default__");
  if (cfg?.delivery !== "background") throw new Error("the warm-up run is not under delivery: background");
  const j = journal.startJournal(start("20260101-000000-000000"), cfg);
  j.hooks.afterDatasetLoaded?.("raw", null, "n");
  log(j.sink);
  await j.finish(record("20260101-000000-000000"));
  j.handoff();
  journal.writeCodeCache();

  // The deliverer: that journal into its outbox; then a run started through the tracker itself.
  await tracker.convertJournals(root, () => true);
  const t = await tracker.startTracking(start("20260101-000000-000001"));
  if (!t) throw new Error("the tracker did not start");
  log(t.sink);
  await t.finish(record("20260101-000000-000001"));
  t.handoff();
  tracker.writeCodeCache();
} finally {
  rmSync(root, { recursive: true, force: true });
}
