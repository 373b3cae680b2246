// Build step (scripts/build.mjs): runs the path of a short tracked `mlc run` under
// tracking.delivery: background through the built tracker once, in a throw-away project, then
// writes the tracker's V8 code cache: the functions that path calls are then stored compiled,
// and a tracked run loads them instead of compiling them on its own time. Nothing is sent
// anywhere: the run is queued for a server that is never contacted, and a pid file naming this
// process stands in for the deliverer, so none is started.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const dist = (p) => import(pathToFileURL(join(import.meta.dirname, "..", "dist", p)).href);
const tracker = await dist("tracking/mlflow/tracker.js");
const root = mkdtempSync(join(tmpdir(), "mlc-warm-tracker-"));
try {
  const uri = "http://127.0.0.1:9";
  const pidFile = tracker.delivererFile(root, tracker.clientOptionsFromEnv(uri, {}));
  mkdirSync(join(root, ".mlc", "outbox"), { recursive: true });
  writeFileSync(pidFile, String(process.pid));
  const graph = { irVersion: 1, name: "warm", nodes: [], datasets: [], params: [], edges: [], layers: [], pipelines: {} };
  const project = { root, env: "local", graph, selected: graph, parameters: { model: { lr: 0.1, layers: [1, 2] }, seed: 1 }, credentials: {}, hooks: [], mlflow: { server: { mlflow_tracking_uri: uri }, tracking: { delivery: "background" } } };
  const runId = "20260101-000000-000000";
  const now = new Date().toISOString();
  const t = await tracker.startTracking({ project, runId, pipeline: "__default__", executor: "sequential", command: "mlc run", env: "local", params: project.parameters, graphIr: JSON.stringify(graph), graphHash: "0".repeat(64), gitCommit: null });
  if (!t) throw new Error("the tracker did not start");
  t.sink.logMetric("rmse", 0.5, 0);
  t.sink.setTag("warm", "1");
  t.sink.logParam("extra", "1");
  await t.finish({ run_id: runId, status: "success", started_at: now, finished_at: now, executor: "sequential", pipeline: "__default__", selection: {}, params: {}, graph_hash: "0".repeat(64), git_commit: null, env: "local", command: "mlc run", nodes: [], metrics: {}, datasets: [] });
  t.handoff();
  tracker.writeCodeCache();
} finally {
  rmSync(root, { recursive: true, force: true });
}
