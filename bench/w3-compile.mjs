// W3: the compiler at scale, as a user runs it (spawned CLI, cold process each time):
// `mlc validate` and `mlc compile` of a generated 10,000-node DAG, and `mlc compile` of a
// 100,000-deep chain (must finish without a stack overflow). Target: 10k compile <= 350 ms wall.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { generateProject } from "./gen-pipeline.mjs";
import { childCpuMs } from "./lib/child-cpu.mjs";
import { MLC, stats, timeNode } from "./lib/spawn.mjs";

/** Wall stats of `runs` cold runs, plus their mean CPU (user+system, all threads; null without /proc). */
function series(args, cwd, runs) {
  timeNode(args, { cwd }); // warm-up: module cache, file system cache
  const c0 = childCpuMs();
  const s = stats(Array.from({ length: runs }, () => timeNode(args, { cwd }).ms));
  const c1 = childCpuMs();
  return { ...s, cpu_mean_ms: c0 === null || c1 === null ? null : Math.round(((c1 - c0) / runs) * 10) / 10 };
}

export default async function bench(runs = Number(process.env.BENCH_RUNS) || 7) {
  const dag = mkdtempSync(join(tmpdir(), "mlc-w3-dag-"));
  const chain = mkdtempSync(join(tmpdir(), "mlc-w3-chain-"));
  try {
    generateProject(dag, { nodes: 10_000, shape: "dag" });
    generateProject(chain, { nodes: 100_000, shape: "chain" });
    const floor = stats(Array.from({ length: runs }, () => timeNode(["-e", "0"]).ms));
    const validate = series([MLC, "validate"], dag, runs);
    const compile = series([MLC, "compile"], dag, runs);
    const graphMb = (statSync(join(dag, "build", "graph.json")).size / 1e6).toFixed(1);
    const chainRun = series([MLC, "compile"], chain, Math.max(2, Math.floor(runs / 3)));
    const layers = JSON.parse(readFileSync(join(chain, "build", "graph.json"), "utf8")).layers.length;
    if (layers !== 100_000) throw new Error(`100k chain: expected 100000 layers, got ${layers}`);
    const load = `1-min load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`;
    const common = { baseline: "node -e 0", baseline_median_ms: floor.median_ms };
    const ratio = (m) => Math.round((m / floor.median_ms) * 100) / 100;
    return [
      { workload: "W3 mlc validate, 10,000-node DAG", ...validate, ...common, ratio: ratio(validate.median_ms), target: "<= 350 ms wall", met: validate.median_ms <= 350, notes: load },
      { workload: "W3 mlc compile (validate + compile + write), 10,000-node DAG", ...compile, ...common, ratio: ratio(compile.median_ms), target: "<= 350 ms wall", met: compile.median_ms <= 350, notes: `writes graph.json (${graphMb} MB) and pipeline.mmd; ${load}` },
      { workload: "W3 mlc compile, 100,000-deep chain", ...chainRun, ...common, ratio: ratio(chainRun.median_ms), target: "compiles, no stack overflow", met: true, notes: `graph.json has ${layers} layers; ${load}` },
    ];
  } finally {
    rmSync(dag, { recursive: true, force: true });
    rmSync(chain, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await bench(), null, 2));
