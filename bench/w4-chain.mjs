// W4: a 1,000-node chain of no-op nodes over memory datasets.
// (a) executor overhead per node, in-process: the sequential executor's run() (shared scheduler,
//     real runner, events, no hooks) minus the time the 1,000 no-op calls take on their own;
//     target <= 25 us per node.
// (b) `mlc run --force` end to end (spawned, NODE_EXTRA_CA_CERTS unset) against the Node floor
//     (`node -e 0`), interleaved; target: median difference <= 250 ms. --force: without it every
//     run after the first finds all nodes up to date and measures a no-op, not the executor.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { chainYaml, makeProject, REPO, stats } from "./lib/project.mjs";

const N = 1000;
const RUNS_API = 25;
const RUNS_CLI = 11;
const ENV = { ...process.env, CI: "true" };
delete ENV.NODE_EXTRA_CA_CERTS;

const dist = (p) => import(pathToFileURL(join(REPO, "dist", p)).href);

async function inProcess(root) {
  const [{ compileProject }, { plan }, { createSequentialExecutor }, sink] = await Promise.all([
    dist("compiler/compile.js"),
    dist("executors/plan.js"),
    dist("executors/sequential.js"),
    dist("tracking/sink.js"),
  ]);
  const { project, diagnostics } = await compileProject({ root });
  if (!project) throw new Error(`W4 project does not compile: ${JSON.stringify(diagnostics.slice(0, 3))}`);
  const p = plan(project.selected);
  const fn = (await import(pathToFileURL(join(root, "src", "nodes.mjs")).href)).step;
  const ctx = (events) => ({
    runId: "bench",
    project,
    saveVersion: "v",
    loadVersions: {},
    hooks: {},
    sink: sink.NULL_SINK,
    signal: new AbortController().signal,
    onEvent: () => events.n++,
  });
  const floor = [];
  const totals = [];
  for (let r = 0; r < RUNS_API + 2; r++) {
    const t0 = performance.now();
    let v = 0;
    for (let i = 0; i < N; i++) v = fn(v);
    floor.push(performance.now() - t0);
    const events = { n: 0 };
    const t1 = performance.now();
    const result = await createSequentialExecutor().run(p, ctx(events));
    const ms = performance.now() - t1;
    if (result.status !== "success" || events.n !== 2 * N)
      throw new Error(`W4 run ended ${result.status} (${events.n} events)`);
    if (r >= 2) totals.push(ms); // the first two runs warm up the module cache and the JIT
  }
  const s = stats(totals);
  const floorMed = stats(floor).median_ms;
  const perNode = ((s.median_ms - floorMed) * 1000) / N;
  return {
    workload: "W4 executor overhead (1,000-node memory chain, in-process)",
    ...s,
    per_node_us: Math.round(perNode * 100) / 100,
    baseline_median_ms: floorMed,
    target: "per_node_us <= 25",
    notes: `sequential executor run() incl. scheduler, runner, events; baseline = the 1,000 no-op calls alone; pass=${perNode <= 25}`,
  };
}

function spawnMs(args, cwd) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, env: ENV, stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${String(r.stderr).slice(-500)}`);
  return performance.now() - t0;
}

function endToEnd(root) {
  const mlc = [];
  const floor = [];
  const validate = [];
  const bin = join(REPO, "bin", "mlc.js");
  const args = [bin, "run", "--project", root, "--quiet", "--force"];
  spawnMs(args, root); // warm: bundles the node module into .mlc/cache once
  for (let r = 0; r < RUNS_CLI; r++) {
    floor.push(spawnMs(["-e", "0"], root));
    mlc.push(spawnMs(args, root));
    validate.push(spawnMs([bin, "validate", "--project", root], root));
  }
  const s = stats(mlc);
  const base = stats(floor).median_ms;
  const v = stats(validate).median_ms;
  const above = Math.round((s.median_ms - base) * 100) / 100;
  const notes = `spawned bin/mlc.js run --quiet --force (compile + plan + cache keys + run + node states + run record), CI=true; interleaved \`mlc validate\` of the same project (the compile share): median ${v} ms; min above floor ${Math.round((s.min_ms - stats(floor).min_ms) * 100) / 100} ms; pass=${above <= 250}`;
  return {
    workload: "W4 mlc run --force end to end (1,000-node memory chain)",
    ...s,
    baseline_median_ms: base,
    ratio: Math.round((s.median_ms / base) * 100) / 100,
    above_floor_ms: above,
    validate_median_ms: v,
    target: "median - node floor <= 250 ms",
    notes,
  };
}

export default async function w4() {
  // A default, not `x?: number`: the first node gets no input, and MLC3008 refuses a required one.
  const step = "export function step(x: number = 0): number {\n  return x + 1;\n}\n";
  const { dir, cleanup } = makeProject({
    nodesYaml: chainYaml(N),
    modules: { "nodes.ts": step, "nodes.mjs": step.replace("(x: number = 0): number", "(x = 0)") },
  });
  try {
    return [await inProcess(dir), endToEnd(dir)];
  } finally {
    cleanup();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(JSON.stringify(await w4(), null, 2));
