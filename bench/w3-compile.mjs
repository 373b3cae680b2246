// W3: the compiler at scale, as a user runs it (spawned CLI, cold process each time):
// `mlc validate` and `mlc compile` of a generated 10,000-node DAG (target: validate <= 500 ms wall),
// a diagnostic with its position in a 1 MB pipeline.yml (target: printed within 1 s), and
// `mlc compile` of a 100,000-deep chain (must finish without a stack overflow).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { generateProject } from "./gen-pipeline.mjs";
import { childCpuMs } from "./lib/child-cpu.mjs";
import { MLC, stats, timeNode } from "./lib/spawn.mjs";

/** Wall stats of `runs` cold runs, plus their mean CPU (user+system, all threads; null without /proc). */
function series(args, cwd, runs, expect = 0) {
  timeNode(args, { cwd, expect }); // warm-up: module cache, file system cache
  const c0 = childCpuMs();
  const s = stats(Array.from({ length: runs }, () => timeNode(args, { cwd, expect }).ms));
  const c1 = childCpuMs();
  return { ...s, cpu_mean_ms: c0 === null || c1 === null ? null : Math.round(((c1 - c0) / runs) * 10) / 10 };
}

/**
 * A generated pipeline.yml of about 1 MB with one unknown key in its last node (the position a
 * diagnostic needs is as deep into the file as it gets); returns the `file:line:col` to expect.
 */
function oneMbWithDiagnostic(dir) {
  generateProject(dir, { nodes: 7_700, shape: "dag" });
  const file = join(dir, "pipeline.yml");
  const lines = readFileSync(file, "utf8").split("\n");
  const at = lines.findLastIndex((l) => l.startsWith("    outputs: "));
  lines.splice(at + 1, 0, "    tagz: [oops]");
  writeFileSync(file, lines.join("\n"));
  return { where: `pipeline.yml:${at + 2}:5`, bytes: statSync(file).size };
}

export default async function bench(runs = Number(process.env.BENCH_RUNS) || 7) {
  const dag = mkdtempSync(join(tmpdir(), "mlc-w3-dag-"));
  const chain = mkdtempSync(join(tmpdir(), "mlc-w3-chain-"));
  const bad = mkdtempSync(join(tmpdir(), "mlc-w3-diag-"));
  try {
    generateProject(dag, { nodes: 10_000, shape: "dag" });
    generateProject(chain, { nodes: 100_000, shape: "chain" });
    const diag = oneMbWithDiagnostic(bad);
    const printed = timeNode([MLC, "validate"], { cwd: bad, expect: 1 }).stdout;
    if (!printed.includes(`${diag.where} error MLC2001`))
      throw new Error(`1 MB diagnostic: expected ${diag.where}, got ${printed.slice(0, 300)}`);
    const floor = stats(Array.from({ length: runs }, () => timeNode(["-e", "0"]).ms));
    const validate = series([MLC, "validate"], dag, runs);
    const located = series([MLC, "validate"], bad, runs, 1);
    const compile = series([MLC, "compile"], dag, runs);
    const graphMb = (statSync(join(dag, "build", "graph.json")).size / 1e6).toFixed(1);
    const chainRun = series([MLC, "compile"], chain, Math.max(2, Math.floor(runs / 3)));
    const layers = JSON.parse(readFileSync(join(chain, "build", "graph.json"), "utf8")).layers.length;
    if (layers !== 100_000) throw new Error(`100k chain: expected 100000 layers, got ${layers}`);
    const load = `1-min load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`;
    const common = { baseline: "node -e 0", baseline_median_ms: floor.median_ms };
    const ratio = (m) => Math.round((m / floor.median_ms) * 100) / 100;
    return [
      {
        workload: "W3 mlc validate, 10,000-node DAG",
        ...validate,
        ...common,
        ratio: ratio(validate.median_ms),
        target: "<= 500 ms wall",
        met: validate.median_ms <= 500,
        notes: load,
      },
      {
        workload: "W3 mlc validate printing one diagnostic with its position, 1 MB pipeline.yml",
        ...located,
        ...common,
        ratio: ratio(located.median_ms),
        target: "<= 1000 ms wall",
        met: located.median_ms <= 1000,
        notes: `${(diag.bytes / 1e6).toFixed(2)} MB; MLC2001 at ${diag.where} (the last node); ${load}`,
      },
      {
        workload: "W3 mlc compile (validate + compile + write), 10,000-node DAG",
        ...compile,
        ...common,
        ratio: ratio(compile.median_ms),
        notes: `writes graph.json (${graphMb} MB) and pipeline.mmd; ${load}`,
      },
      {
        workload: "W3 mlc compile, 100,000-deep chain",
        ...chainRun,
        ...common,
        ratio: ratio(chainRun.median_ms),
        target: "compiles, no stack overflow",
        met: true,
        notes: `graph.json has ${layers} layers; ${load}`,
      },
    ];
  } finally {
    rmSync(dag, { recursive: true, force: true });
    rmSync(chain, { recursive: true, force: true });
    rmSync(bad, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await bench(), null, 2));
