// W7: what MLflow tracking adds to a run, against a real loopback MLflow server (.venv-mlflow,
// scripts/setup-mlflow.sh), side by side with Kedro + kedro-mlflow (bench/.venv-kedro,
// bench/setup-kedro.sh) on the same W4 1,000-node chain and the same server:
// (a) `mlc run` tracking on (delivery wait) vs off, interleaved pairs: median added ms <= 60;
// (b) the same through a proxy that delays each direction by 50 ms (a server 100 ms away): <= 400;
// (c) `kedro run` with kedro-mlflow on vs off: Kedro's added time / mlc's (a) >= 50;
// (d) one node logging 10,000 metric points: <= 11 log-batch requests (counted at the proxy).
// Pair counts: BENCH_W7_PAIRS (a), BENCH_W7_FAR_PAIRS (b), BENCH_W7_KEDRO_PAIRS (c), BENCH_W7_METRIC_RUNS (d).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { makeKedroProject } from "./kedro/project.mjs";
import { finishedRuns, startMlflow, startProxy } from "./lib/mlflow-server.mjs";
import { chainYaml, makeProject, REPO, stats } from "./lib/project.mjs";

const N = 1000;
const METRICS = 10_000;
const count = (name, dflt) => Number(process.env[name]) || dflt;
const PAIRS = count("BENCH_W7_PAIRS", 15);
const FAR_PAIRS = count("BENCH_W7_FAR_PAIRS", 7);
const KEDRO_PAIRS = count("BENCH_W7_KEDRO_PAIRS", 2);
const METRIC_RUNS = count("BENCH_W7_METRIC_RUNS", 3);
const KEDRO = join(REPO, "bench", ".venv-kedro", "bin", "kedro");
const LOG_BATCH = "/api/2.0/mlflow/runs/log-batch";

const BASE_ENV = { ...process.env, NO_COLOR: "1", CI: "true", KEDRO_DISABLE_TELEMETRY: "1", DO_NOT_TRACK: "1" };
for (const k of ["NODE_EXTRA_CA_CERTS", "MLFLOW_TRACKING_URI", "MLC_MLFLOW_DELIVERY"]) delete BASE_ENV[k];
const mlcOn = (uri) => ({ ...BASE_ENV, MLFLOW_TRACKING_URI: uri, MLC_MLFLOW_DELIVERY: "wait" });

/** Wall ms of one command; throws with its stderr when it fails or mlc warns about tracking (MLC7xxx). */
async function timed(cmd, args, cwd, env) {
  const t0 = performance.now();
  const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (c) => (err += c));
  const [code] = await once(child, "close");
  const ms = performance.now() - t0;
  if (code !== 0 || /MLC7\d{3}/.test(err)) throw new Error(`${cmd} ${args.join(" ")} exited ${code}: ${err.slice(-800)}`);
  return ms;
}

const mlcRun = (dir, env) => timed(process.execPath, [join(REPO, "bin", "mlc.js"), "run", "--project", dir, "--quiet"], dir, env);

/** `count` pairs [off ms, on ms], alternating which arm goes first so neither always follows the other. */
async function pairs(count, off, on) {
  const out = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) out.push([await off(), await on()]);
    else out.push([await on(), await off()].reverse());
  }
  return out;
}

/** Figures of on-off pairs: median_ms etc. are the ms added within a pair, baseline the off arm's median. */
function pairFigures(ps) {
  const s = stats(ps.map(([off, on]) => on - off));
  const arm = (i) => stats(ps.map((p) => p[i])).median_ms;
  return { ...s, added_ms: s.median_ms, baseline_median_ms: arm(0), on_median_ms: arm(1) };
}

/** A row of on-off pairs that passes when the median added ms is <= limit. */
function addedRow(workload, ps, target, limit, notes) {
  const f = pairFigures(ps);
  return { workload, ...f, target, notes: `${notes}; pass=${f.added_ms <= limit}` };
}

/** mlflow.yml for the mlc projects: the experiment, and delivery wait where the schema still has that key. */
function mlcMlflowYml(experiment) {
  const schema = JSON.parse(readFileSync(join(REPO, "schema", "mlflow.schema.json"), "utf8"));
  const delivery = schema.properties.tracking.properties.delivery ? "\n  delivery: wait" : "";
  return `tracking:\n  experiment:\n    name: ${experiment}${delivery}\n`;
}

function mlcProject(nodesYaml, modules, experiment) {
  const p = makeProject({ nodesYaml, modules });
  writeFileSync(join(p.dir, "conf", "base", "mlflow.yml"), mlcMlflowYml(experiment));
  return p;
}

async function expectFinished(uri, experiment, expected) {
  const got = await finishedRuns(uri, experiment);
  if (got !== expected) throw new Error(`${experiment}: ${got} of ${expected} tracked runs reached the server as FINISHED`);
}

/** (a) and (b): the W4 chain, tracking off vs on, direct and through the 100 ms proxy. */
async function mlcChain(uri, far) {
  const step = "export function step(x?: number): number {\n  return (x ?? 0) + 1;\n}\n";
  const { dir, cleanup } = mlcProject(chainYaml(N), { "nodes.ts": step }, "w7-mlc");
  try {
    await mlcRun(dir, BASE_ENV); // bundles the node module into .mlc/cache
    await mlcRun(dir, mlcOn(uri)); // creates the experiment
    const off = () => mlcRun(dir, BASE_ENV);
    const near = await pairs(PAIRS, off, () => mlcRun(dir, mlcOn(uri)));
    const away = await pairs(FAR_PAIRS, off, () => mlcRun(dir, mlcOn(far)));
    await expectFinished(uri, "w7-mlc", 1 + PAIRS + FAR_PAIRS);
    const how = "spawned bin/mlc.js run --quiet, MLFLOW_TRACKING_URI + MLC_MLFLOW_DELIVERY=wait set vs unset";
    const checked = `all ${1 + PAIRS + FAR_PAIRS} tracked runs checked FINISHED on the server`;
    return [
      addedRow("W7a W4 chain: mlc run, MLflow tracking on (wait) vs off, loopback server", near,
        "median added <= 60 ms", 60, `${how}, ${PAIRS} interleaved pairs; ${checked}`),
      addedRow("W7b W4 chain: mlc run, MLflow tracking on (wait) vs off, server 100 ms away", away,
        "median added <= 400 ms", 400, `${how}, through a loopback proxy delaying each direction's data by 50 ms, `
          + `${FAR_PAIRS} interleaved pairs; ${checked}`),
    ];
  } finally {
    cleanup();
  }
}

/** (c): `kedro run` of the same chain, kedro-mlflow on vs off, against the same server. */
async function kedroChain(uri, mlcAddedMs) {
  const { dir, cleanup } = makeKedroProject(N, uri, "w7-kedro");
  const run = (mode) => () => timed(KEDRO, ["run"], dir, { ...BASE_ENV, BENCH_KEDRO_MLFLOW: mode });
  try {
    const ps = await pairs(KEDRO_PAIRS, run("off"), run("on"));
    await expectFinished(uri, "w7-kedro", KEDRO_PAIRS);
    const f = pairFigures(ps);
    const ratio = mlcAddedMs > 0 ? Math.round(f.added_ms / mlcAddedMs) : null;
    const notes = `\`kedro run\` of a generated project (${N} nodes n0000 -> ..., memory datasets, no parameters, `
      + `like W4), kedro-mlflow's hooks disabled (settings.DISABLE_HOOKS_FOR_PLUGINS) vs on, ${KEDRO_PAIRS} interleaved `
      + `pairs, all on-runs checked FINISHED; mlc added ${mlcAddedMs} ms (W7a)`
      + (ratio === null ? "; mlc added nothing measurable: ratio undefined" : "");
    return {
      workload: "W7c W4 chain: Kedro 1.7 + kedro-mlflow 2.0.3, tracking on vs off, same server", ...f,
      added_s: Math.round(f.added_ms / 10) / 100, mlc_added_ms: mlcAddedMs, ratio,
      target: "ratio = Kedro added / mlc added (W7a) >= 50", notes: `${notes}; pass=${ratio === null || ratio >= 50}`,
    };
  } finally {
    cleanup();
  }
}

/** (d): one node logs 10,000 points of one metric; the proxy counts the requests that carry them. */
async function manyMetrics(proxy) {
  const node = `import { logMetric } from "mlc-pipelines";\nexport function many(): number {\n`
    + `  for (let s = 0; s < ${METRICS}; s++) logMetric("loss", 1 / (s + 1), s);\n  return 1;\n}\n`;
  const { dir, cleanup } = mlcProject("  - name: many\n    func: ./src/nodes.ts#many\n    outputs: d\n",
    { "nodes.ts": node }, "w7-metrics");
  try {
    const times = [];
    const batches = [];
    for (let r = 0; r < METRIC_RUNS; r++) {
      proxy.requests.clear();
      times.push(await mlcRun(dir, mlcOn(proxy.uri)));
      batches.push(proxy.requests.get(LOG_BATCH) ?? 0);
    }
    await expectFinished(proxy.uri, "w7-metrics", METRIC_RUNS);
    const worst = Math.max(...batches);
    return {
      workload: "W7d 10,000 metric points logged by one node reach a real MLflow server", ...stats(times),
      requests: worst, target: "<= 11 log-batch requests",
      notes: `spawned mlc run (wait) of a 1-node project calling logMetric ${METRICS} times; log-batch requests per run `
        + `counted at a loopback proxy: ${batches.join("/")}; time = the whole run; pass=${worst <= 11}`,
    };
  } finally {
    cleanup();
  }
}

export default async function w7() {
  if (!existsSync(KEDRO)) throw new Error(`${KEDRO} is missing: run \`bash bench/setup-kedro.sh\` first`);
  const server = await startMlflow();
  const far = await startProxy(server.uri, 50);
  const counter = await startProxy(server.uri, 0);
  try {
    const [a, b] = await mlcChain(server.uri, far.uri);
    return [a, b, await kedroChain(server.uri, a.added_ms), await manyMetrics(counter)];
  } finally {
    far.close();
    counter.close();
    server.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(JSON.stringify(await w7(), null, 2));
