// W2: `mlc validate` on a generated 20-node project, against `node -e 0` measured in the same
// run (interleaved, so machine load hits both alike). Target: median within the floor + 60 ms.
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { generateProject } from "./gen-pipeline.mjs";
import { MLC, stats, timeNode } from "./lib/spawn.mjs";

export default async function bench(runs = Number(process.env.BENCH_RUNS) || 15) {
  const dir = mkdtempSync(join(tmpdir(), "mlc-w2-"));
  try {
    generateProject(dir, { nodes: 20 });
    timeNode([MLC, "validate"], { cwd: dir }); // warm the module cache (first run bundles src/*.ts)
    const floor = [];
    const mlc = [];
    for (let i = 0; i < runs; i++) {
      floor.push(timeNode(["-e", "0"]).ms);
      mlc.push(timeNode([MLC, "validate"], { cwd: dir }).ms);
    }
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
      notes: `validate costs ${extra} ms over the bare Node start (func modules checked through the warm .mlc module cache); 1-min load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await bench(), null, 2));
