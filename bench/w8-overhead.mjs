// W8: 1,000 no-op nodes in 10 independent chains under the parallel executor: executor overhead
// per node (run wall time / nodes; the nodes do nothing). Target <= 200 us per node.
import { api, makeProject, stats } from "./lib/project.mjs";

export default async function () {
  const lines = [];
  for (let c = 0; c < 10; c++)
    for (let i = 0; i < 100; i++) {
      const input = i === 0 ? "" : `inputs: c${c}_d${i - 1}, `;
      lines.push(`  - { name: c${c}_n${i}, func: ./src/n.mjs#noop, ${input}outputs: c${c}_d${i} }\n`);
    }
  const { dir, cleanup } = makeProject({
    nodesYaml: lines.join(""),
    modules: { "n.mjs": "export const noop = (x) => x ?? 0;\n" },
  });
  const { runProject } = await api();
  const steady = [];
  const whole = [];
  try {
    for (let r = 0; r < 5; r++) {
      let t0 = 0;
      let first = 0;
      const out = await runProject({
        root: dir,
        executor: "parallel",
        maxWorkers: 2,
        onStart: () => (t0 = performance.now()),
        onEvent: (e) => {
          if (e.type === "node-start" && first === 0) first = performance.now();
        },
      });
      if (out.record?.status !== "success") throw new Error(`run failed: ${JSON.stringify(out.record?.error)}`);
      const end = performance.now();
      steady.push(((end - first) / 1000) * 1000);
      whole.push(((end - t0) / 1000) * 1000);
    }
  } finally {
    cleanup();
  }
  const s = stats(steady);
  const w = stats(whole);
  return [
    {
      workload: "W8 1,000 no-op nodes in 10 chains, parallel: executor overhead per node (us)",
      runs: s.runs,
      median_us: s.median_ms,
      min_us: s.min_ms,
      max_us: s.max_ms,
      target: "<= 200 us per node",
      notes: "first node start -> final record, / 1,000 nodes (the nodes do nothing, so all of it is overhead)",
    },
    {
      workload: "W8 same, including the pool start-up (us per node)",
      runs: w.runs,
      median_us: w.median_ms,
      min_us: w.min_ms,
      max_us: w.max_ms,
      notes: "from the record's creation: adds the one-off start of 2 worker threads",
    },
  ];
}
