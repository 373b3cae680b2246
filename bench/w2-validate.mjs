// W2: `mlc validate` on a generated 20-node project, against `node -e 0` measured in the same
// run (interleaved, so machine load hits both alike). Target: median within the floor + 60 ms.
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { generateProject } from "./gen-pipeline.mjs";
import { childCpuMs } from "./lib/child-cpu.mjs";
import { MLC, stats, timeNode } from "./lib/spawn.mjs";

export default async function bench(runs = Number(process.env.BENCH_RUNS) || 15) {
  const dir = mkdtempSync(join(tmpdir(), "mlc-w2-"));
  try {
    generateProject(dir, { nodes: 20 });
    timeNode([MLC, "validate"], { cwd: dir }); // warm the module cache (first run bundles src/*.ts)
    const floor = [];
    const mlc = [];
    const cpu = { floor: 0, mlc: 0 };
    for (let i = 0; i < runs; i++) {
      let c = childCpuMs();
      floor.push(timeNode(["-e", "0"]).ms);
      cpu.floor += childCpuMs() - c;
      c = childCpuMs();
      mlc.push(timeNode([MLC, "validate"], { cwd: dir }).ms);
      cpu.mlc += childCpuMs() - c;
    }
    const cpuMean = (x) => (childCpuMs() === null ? null : Math.round((x / runs) * 10) / 10);
    const f = stats(floor);
    const m = stats(mlc);
    const extra = Math.round((m.median_ms - f.median_ms) * 100) / 100;
    return {
      workload: "W2 mlc validate, 20-node project",
      ...m,
      baseline: "node -e 0",
      baseline_median_ms: f.median_ms,
      ratio: Math.round((m.median_ms / f.median_ms) * 100) / 100,
      target: "median <= node floor + 60 ms",
      met: extra <= 60,
      // CPU (user+system, all threads) per run from /proc: steadier than wall time under load.
      cpu_mean_ms: cpuMean(cpu.mlc),
      baseline_cpu_mean_ms: cpuMean(cpu.floor),
      notes: `validate costs ${extra} ms over the bare Node start (func modules checked through the warm .mlc module cache); 1-min load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await bench(), null, 2));
