// W5: 8 independent CPU-bound nodes, sequential vs parallel, measured side by side in one run.
// Targets: ~1 s nodes: parallel >= 1.9x faster on 2 cores; ~50 ms nodes: parallel never slower.
import { api, makeProject, stats } from "./lib/project.mjs";

const BURN = `
export function burn(ms) {
  // Calibrated busy loop: pure CPU, no allocation.
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) for (let i = 0; i < 1e4; i++) x += Math.sqrt(i);
  return x > 0 ? ms : 0;
}
`;

async function workload(ms, runs) {
  const nodesYaml = Array.from(
    { length: 8 },
    (_, i) => `  - { name: burn_${i}, func: ./src/burn.mjs#burn, inputs: "params:ms", outputs: out_${i} }\n`,
  ).join("");
  const { dir, cleanup } = makeProject({ nodesYaml, paramsYaml: `ms: ${ms}\n`, modules: { "burn.mjs": BURN } });
  const { runProject } = await api();
  const times = { sequential: [], parallel: [] };
  try {
    for (let r = 0; r < runs; r++)
      for (const executor of ["sequential", "parallel"]) {
        let t0 = 0;
        const out = await runProject({ root: dir, executor, maxWorkers: 2, onStart: () => (t0 = performance.now()) });
        if (out.record?.status !== "success")
          throw new Error(`${executor} run failed: ${JSON.stringify(out.record?.error ?? out.diagnostics[0])}`);
        times[executor].push(performance.now() - t0);
      }
  } finally {
    cleanup();
  }
  const seq = stats(times.sequential);
  const par = stats(times.parallel);
  return { seq, par, speedup: Math.round((seq.median_ms / par.median_ms) * 100) / 100 };
}

export default async function () {
  const heavy = await workload(1000, 3);
  const light = await workload(50, 7);
  return [
    {
      workload: "W5 8 x 1 s CPU nodes, parallel (2 workers)",
      ...heavy.par,
      baseline: "sequential",
      baseline_median_ms: heavy.seq.median_ms,
      ratio: heavy.speedup,
      target: "speed-up >= 1.9x",
      notes:
        "ratio = sequential median / parallel median; timed from the run record's creation (after compile, the same for both) to the final record, pool start-up included",
    },
    {
      workload: "W5 8 x 50 ms CPU nodes, parallel (2 workers)",
      ...light.par,
      baseline: "sequential",
      baseline_median_ms: light.seq.median_ms,
      ratio: light.speedup,
      target: "speed-up >= 1.0x (never slower)",
    },
  ];
}
