// W7: MLflow tracking against a REAL local MLflow server (.venv-mlflow, scripts/setup-mlflow.sh).
// (a) one run logs 10,000 metric points: they must reach the server in <= 11 requests (counted
//     by the server: its access log); time = log + finish (all delivered).
// (b) the W4 run (`mlc run` of a 1,000-node no-op chain, spawned) with tracking on vs off,
//     interleaved; target: at most 2% slower. A control row runs the same pairs untracked in both
//     arms: the noise floor the 2% is read against.
// (c) the same chain in-process: the sequential executor's run() with the tracking sink and hooks
//     installed vs without (the journal or tracker started and finished outside the timing): what
//     tracking costs the nodes.
// No server (not installed, cannot start): the rows say so in `notes` instead of failing.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chainYaml, makeProject, REPO, stats } from "./lib/project.mjs";

const METRICS = 10_000;
const RUNS_METRICS = 5;
/**
 * On/off pairs of the W4 chain (BENCH_W7_PAIRS): a 1-2% difference needs many on this noisy 2-core
 * VM (with 31, the control row alone moved by +-1.5%).
 */
const RUNS_CHAIN = Number(process.env.BENCH_W7_PAIRS) || 61;
/** Quiet time before each timed run, so neither arm starts while the server or deliverer still works. */
const SETTLE_MS = 30;
const N = 1000;
const MLFLOW = join(REPO, ".venv-mlflow", "bin", "mlflow");

async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Starts `mlflow server` (installing it first when missing); returns {uri, stop} or throws why not. */
async function startServer() {
  if (!existsSync(MLFLOW)) {
    const r = spawnSync("bash", [join(REPO, "scripts", "setup-mlflow.sh")], { cwd: REPO, encoding: "utf8" });
    if (r.status !== 0 || !existsSync(MLFLOW)) throw new Error(`setup-mlflow.sh failed: ${(r.stderr || "").trim().split("\n").slice(-2).join(" | ")}`);
  }
  const dir = mkdtempSync(join(tmpdir(), "mlc-w7-"));
  const port = await freePort();
  const uri = `http://127.0.0.1:${port}`;
  const log = join(dir, "server.log");
  const child = spawn(MLFLOW, ["server", "--host", "127.0.0.1", "--port", String(port), "--workers", "1", "--backend-store-uri", `sqlite:///${dir}/m.db`, "--artifacts-destination", `${dir}/art`], {
    cwd: dir, detached: true, stdio: ["ignore", openSync(log, "a"), openSync(log, "a")], env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: "true", MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false" },
  });
  const stop = () => {
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
    rmSync(dir, { recursive: true, force: true });
  };
  for (const until = Date.now() + 150_000; Date.now() < until; ) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2000) })).ok) return { uri, stop, log };
    } catch {}
    await new Promise((r) => setTimeout(r, 300));
  }
  const why = existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").slice(-2).join(" | ") : "";
  stop();
  throw new Error(`mlflow server did not start: ${why}`);
}

const dist = (p) => import(pathToFileURL(join(REPO, "dist", p)).href);

/** Requests the server logged so far: {total, logBatch} (uvicorn access log lines). */
function served(log) {
  const lines = readFileSync(log, "utf8").split("\n").filter((l) => /"(GET|POST|PUT) \/.* HTTP\/1\.1" \d+/.test(l));
  return { total: lines.length, logBatch: lines.filter((l) => l.includes("/runs/log-batch")).length };
}

/** (a): 10,000 metrics of one run, counting the requests the server received. */
async function metrics(uri, log) {
  const { startTracking } = await dist("tracking/mlflow/tracker.js");
  const root = mkdtempSync(join(tmpdir(), "mlc-w7-run-"));
  const graph = { irVersion: 1, name: "w7", nodes: [], datasets: [], params: [], edges: [], layers: [], pipelines: {} };
  const project = { root, env: "local", graph, selected: graph, parameters: {}, credentials: {}, mlflow: { server: { mlflow_tracking_uri: uri }, tracking: { experiment: { name: "w7" }, delivery: "wait" } }, hooks: [] };
  const times = [];
  const perRun = [];
  try {
    for (let r = 0; r < RUNS_METRICS; r++) {
      const before = served(log);
      const runId = `w7-${Date.now()}-${r}`;
      const t0 = performance.now();
      const t = await startTracking({ project, runId, pipeline: "__default__", executor: "sequential", command: "bench", env: "local", params: { a: 1 }, graphJson: "{}", mermaid: "flowchart TD\n" });
      for (let s = 0; s < METRICS; s++) t.sink.logMetric("loss", 1 / (s + 1), s);
      const now = new Date().toISOString();
      const link = await t.finish({ run_id: runId, status: "success", started_at: now, finished_at: now, executor: "sequential", pipeline: "__default__", selection: {}, params: {}, graph_hash: "", git_commit: null, env: "local", command: "bench", nodes: [], metrics: {}, datasets: [] });
      times.push(performance.now() - t0);
      if (!link) throw new Error("the run was not mirrored");
      await new Promise((res) => setTimeout(res, 300)); // let the access log catch up
      const after = served(log);
      perRun.push({ logBatch: after.logBatch - before.logBatch, total: after.total - before.total });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const worst = Math.max(...perRun.map((p) => p.logBatch));
  return {
    workload: "W7 10,000 metrics of one run reach a real MLflow server", ...stats(times),
    requests: worst, requests_total: Math.max(...perRun.map((p) => p.total)), target: "<= 11 log-batch requests (the ones carrying metrics)",
    notes: `server access log per run: ${perRun.map((p) => p.logBatch).join("/")} log-batch requests for ${METRICS} points (10 carry the metrics, 1000 each; 1 carries the params logged at start), ${perRun.map((p) => p.total).join("/")} requests in all (health, experiment, run create, log-batch, 3 artifacts, update); time = log + finish with everything delivered; pass=${worst <= 11}`,
  };
}


function spawnMs(root, env) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(REPO, "bin", "mlc.js"), "run", "--project", root, "--quiet"], { cwd: root, env, encoding: "utf8" });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`mlc run exited ${r.status}: ${(r.stderr || "").slice(-400)}`);
  if (/MLC700[12]/.test(r.stderr)) throw new Error(`tracking warned: ${r.stderr.slice(-400)}`);
  return ms;
}

/** Run ids recorded under the project's .mlc/runs. */
const runIds = (root) => (existsSync(join(root, ".mlc", "runs")) ? readdirSync(join(root, ".mlc", "runs")) : []);

/**
 * Waits until the project's outbox holds no run and run `runId`'s record carries its MLflow link
 * (background delivery done, the deliverer's last write included); returns the ms waited.
 */
async function delivered(root, runId) {
  const dir = join(root, ".mlc", "outbox");
  const linked = () => {
    if (!runId) return true;
    try {
      return !!JSON.parse(readFileSync(join(root, ".mlc", "runs", runId, "run.json"), "utf8")).mlflow;
    } catch {
      return false;
    }
  };
  const t0 = performance.now();
  while ((existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(".jsonl"))) || !linked()) {
    if (performance.now() - t0 > 30_000) throw new Error("background delivery did not finish within 30 s");
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - t0;
}

const settle = () => new Promise((r) => setTimeout(r, SETTLE_MS));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const r3 = (x) => Math.round(x * 1000) / 1000;

/**
 * Two estimates of on/off from pairs [off, on] run back to back, each with a 90% bootstrap
 * interval (seeded: the same samples give the same interval):
 * - ratio: median(on) / median(off);
 * - paired: 1 + median(on - off) / median(off), the median slowdown within a pair. Both runs of
 *   a pair share the machine's state of that moment, so a load drifting over the minute the
 *   bench takes cancels out of it; it is the estimate the pass/fail uses.
 */
function estimates(pairs) {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const ratio = (ps) => median(ps.map((p) => p[1])) / median(ps.map((p) => p[0]));
  const paired = (ps) => 1 + median(ps.map((p) => p[1] - p[0])) / median(ps.map((p) => p[0]));
  const boot = (f) => {
    const rs = [];
    for (let i = 0; i < 2000; i++) rs.push(f(pairs.map(() => pairs[Math.floor(rnd() * pairs.length)])));
    rs.sort((a, b) => a - b);
    return [r3(rs[Math.floor(rs.length * 0.05)]), r3(rs[Math.floor(rs.length * 0.95)])];
  };
  return { ratio: r3(ratio(pairs)), ratioInterval: boot(ratio), paired: r3(paired(pairs)), pairedInterval: boot(paired) };
}

/** fetch, again on a dropped keep-alive connection (uvicorn closes idle ones after 5 s). */
async function fetchRetry(url, init) {
  for (let i = 0; ; i++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (i >= 2) throw err;
    }
  }
}

/** MLflow runs the server holds in experiment `name` (to check that every tracked run arrived). */
async function runsIn(uri, name) {
  const get = await fetchRetry(`${uri}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
  if (!get.ok) return 0;
  const id = (await get.json()).experiment.experiment_id;
  const res = await fetchRetry(`${uri}/api/2.0/mlflow/runs/search`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ experiment_ids: [id], max_results: 1000 }) });
  return ((await res.json()).runs ?? []).filter((r) => r.info.status === "FINISHED").length;
}

/**
 * (b): the W4 chain, `mlc run` spawned, tracking off vs on, interleaved, once per delivery mode:
 * background (auto's choice at a terminal) and wait (auto's choice in scripts and CI). After a
 * background run the bench waits for its delivery before the next run, so the deliverer's work
 * never overlaps a timed run; that wait is reported as the delivery latency.
 * mode "control" runs the same procedure with tracking off in both arms: the ratio this machine
 * reports for no difference at all (its noise floor).
 */
async function chain(uri, mode) {
  const control = mode === "control";
  const step = "export function step(x?: number): number {\n  return (x ?? 0) + 1;\n}\n";
  const { dir, cleanup } = makeProject({ nodesYaml: chainYaml(N), modules: { "nodes.ts": step } });
  const base = { ...process.env, NO_COLOR: "1" };
  delete base.NODE_EXTRA_CA_CERTS;
  delete base.MLFLOW_TRACKING_URI;
  delete base.CI;
  const on = control ? { ...base } : { ...base, MLFLOW_TRACKING_URI: uri, MLC_MLFLOW_DELIVERY: mode };
  const experiment = dir.split("/").pop();
  try {
    spawnMs(dir, base);
    spawnMs(dir, on); // warm both paths (module bundle cache, experiment created, deliverer up)
    await delivered(dir);
    const off = [];
    const tracked = [];
    const latency = [];
    const trackedRun = async () => {
      const before = new Set(runIds(dir));
      await settle();
      tracked.push(spawnMs(dir, on));
      if (!control) latency.push(await delivered(dir, runIds(dir).find((id) => !before.has(id))));
    };
    const offRun = async () => {
      await settle();
      off.push(spawnMs(dir, base));
    };
    const pairs = () => off.map((o, i) => [o, tracked[i]]);
    // Pairs in alternating order (off-on, on-off, ...): neither arm always runs first or right
    // after a delivery.
    for (let r = 0; r < RUNS_CHAIN; r++) {
      if (r % 2 === 0) {
        await offRun();
        await trackedRun();
      } else {
        await trackedRun();
        await offRun();
      }
    }
    const arrived = control ? 0 : await runsIn(uri, experiment);
    if (!control && arrived !== RUNS_CHAIN + 1) throw new Error(`${mode}: ${arrived} of ${RUNS_CHAIN + 1} tracked runs reached the server as FINISHED`);
    const s = stats(tracked);
    const b = stats(off).median_ms;
    const est = estimates(pairs());
    if (process.env.BENCH_W7_DUMP) writeFileSync(`${process.env.BENCH_W7_DUMP}-${mode}.json`, JSON.stringify({ pairs: pairs(), latency }));
    const lat = stats(latency.length ? latency : [0]);
    if (control) {
      return {
        workload: "W7 control: the W4 chain with tracking off in both arms (the bench's noise floor)", ...s, baseline_median_ms: b,
        ratio: est.paired, ratio_90pct_interval: est.pairedInterval, ratio_of_medians: est.ratio, ratio_of_medians_90pct_interval: est.ratioInterval,
        target: "ratio = 1 (no difference)", notes: `the same ${RUNS_CHAIN} alternating pairs as the tracked rows, both untracked: how far from 1 this machine puts two identical arms; ${loadNote()}`,
      };
    }
    const how = mode === "background"
      ? `tracking.delivery: background (what delivery: auto picks when mlc run is started from a terminal): the run writes its outbox and exits; the project's deliverer (a detached \`mlc mlflow sync --linger 20\`, started by the warm-up run) sends it; delivered ${lat.median_ms} ms (median, max ${lat.max_ms}) after the run exited`
      : "tracking.delivery: wait (what delivery: auto picks from scripts, pipes, CI=true, Kubernetes): the run creates the MLflow run and delivers params, tags, the graph.json/pipeline.mmd/run.json artifacts and the status before it exits";
    return {
      workload: `W7 W4 chain (1,000 no-op nodes), MLflow tracking on vs off, delivery: ${mode}`, ...s, baseline_median_ms: b,
      ratio: est.paired, ratio_90pct_interval: est.pairedInterval, ratio_of_medians: est.ratio, ratio_of_medians_90pct_interval: est.ratioInterval,
      target: "ratio <= 1.02", delivery_latency_median_ms: mode === "background" ? lat.median_ms : 0,
      notes: `spawned bin/mlc.js run --quiet, MLFLOW_TRACKING_URI set vs unset, ${RUNS_CHAIN} pairs run back to back in alternating order (off-on, on-off, ...), each run after ${SETTLE_MS} ms of quiet; ratio = 1 + median within-pair slowdown / median off (ratio_of_medians: median on / median off), 90% bootstrap intervals; ${how}; all ${arrived} tracked runs checked FINISHED on the server; ${loadNote()}; pass=${est.paired <= 1.02}`,
    };
  } finally {
    cleanup();
  }
}

function loadNote() {
  return `1-min load average ${loadavg()[0].toFixed(1)}`;
}

/** (c): executor run() of the chain with the tracking sink + hooks vs the null sink, in-process. */
async function inProcess(uri, mode) {
  const step = "export function step(x?: number): number {\n  return (x ?? 0) + 1;\n}\n";
  const { dir, cleanup } = makeProject({ nodesYaml: chainYaml(N), modules: { "nodes.ts": step } });
  try {
    const [{ compileProject }, { plan }, { createSequentialExecutor }, { NULL_SINK }, { startTracking }, { startJournal, trackingFor }] = await Promise.all([
      dist("compiler/compile.js"), dist("executors/plan.js"), dist("executors/sequential.js"), dist("tracking/sink.js"), dist("tracking/mlflow/tracker.js"), dist("tracking/mlflow/journal.js"),
    ]);
    const { project } = await compileProject({ root: dir });
    const tracked = { ...project, mlflow: { server: { mlflow_tracking_uri: uri }, tracking: { experiment: { name: "w7-chain" }, delivery: mode } } };
    const p = plan(project.selected);
    const ctx = (sink, hooks) => ({ runId: "bench", project, saveVersion: "v", loadVersions: {}, hooks, sink, signal: new AbortController().signal, onEvent: () => {} });
    const off = [];
    const on = [];
    for (let r = 0; r < 17; r++) {
      let t0 = performance.now();
      await createSequentialExecutor().run(p, ctx(NULL_SINK, {}));
      const a = performance.now() - t0;
      const runId = `w7c-${Date.now()}-${r}`;
      const o = { project: tracked, runId, pipeline: "__default__", executor: "sequential", command: "bench", env: "local", params: {}, graphIr: "{}" };
      // What `mlc run` uses: the journal under background, the tracker under wait.
      const t = mode === "background" ? startJournal(o, trackingFor(tracked, "__default__")) : await startTracking(o);
      t0 = performance.now();
      await createSequentialExecutor().run(p, ctx(t.sink, t.hooks));
      const b = performance.now() - t0;
      const now = new Date().toISOString();
      await t.finish({ run_id: runId, status: "success", started_at: now, finished_at: now, executor: "sequential", pipeline: "__default__", selection: {}, params: {}, graph_hash: "", git_commit: null, env: "local", command: "bench", nodes: [], metrics: {}, datasets: [] });
      if (r >= 2) (off.push(a), on.push(b)); // two warm-up rounds
    }
    const s = stats(on);
    const base = stats(off).median_ms;
    const ratio = Math.round((s.median_ms / base) * 1000) / 1000;
    return {
      workload: `W7 W4 chain in-process: executor run() with the tracking sink+hooks vs without, delivery: ${mode}`, ...s, baseline_median_ms: base, ratio,
      target: "ratio <= 1.02", notes: `sequential executor, 1,000 no-op nodes; ${mode === "wait" ? "the tracker's startTracking before and finish after the timed run() (the run's own delivery of its start overlaps it)" : "the journal's startJournal before and finish after the timed run() (a run under background only writes its journal)"}; pass=${ratio <= 1.02}`,
    };
  } finally {
    cleanup();
  }
}

export default async function w7() {
  let server;
  try {
    server = await startServer();
  } catch (err) {
    const notes = `no MLflow server: ${err.message}`;
    return [
      { workload: "W7 10,000 metrics of one run reach a real MLflow server", runs: 0, median_ms: null, target: "<= 11 requests", notes },
      { workload: "W7 W4 chain (1,000 no-op nodes), MLflow tracking on vs off, delivery: background", runs: 0, median_ms: null, target: "ratio <= 1.02", notes },
      { workload: "W7 W4 chain (1,000 no-op nodes), MLflow tracking on vs off, delivery: wait", runs: 0, median_ms: null, target: "ratio <= 1.02", notes },
      { workload: "W7 W4 chain in-process: executor run() with the tracking sink+hooks vs without, delivery: background", runs: 0, median_ms: null, target: "ratio <= 1.02", notes },
      { workload: "W7 W4 chain in-process: executor run() with the tracking sink+hooks vs without, delivery: wait", runs: 0, median_ms: null, target: "ratio <= 1.02", notes },
    ];
  }
  try {
    // BENCH_W7_ONLY=background,wait,... runs only those rows (metrics, background, wait, in-process).
    const only = process.env.BENCH_W7_ONLY ? new Set(process.env.BENCH_W7_ONLY.split(",")) : null;
    const rows = [
      ["metrics", () => metrics(server.uri, server.log)],
      ["background", () => chain(server.uri, "background")],
      ["control", () => chain(server.uri, "control")],
      ["wait", () => chain(server.uri, "wait")],
      ["in-process", () => inProcess(server.uri, "background")],
      ["in-process", () => inProcess(server.uri, "wait")],
    ];
    const out = [];
    for (const [name, row] of rows) if (!only || only.has(name)) out.push(await row());
    return out;
  } finally {
    server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(JSON.stringify(await w7(), null, 2));
