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
  const { dir, cleanup } = makeProject({ nodesYaml: lines.join(""), modules: { "n.mjs": "export const noop = (x) => x ?? 0;\n" } });
  const { runProject } = await api();
  const perNode = [];
  try {
    for (let r = 0; r < 5; r++) {
      let started = 0;
      let t0 = 0;
      const out = await runProject({
        root: dir,
        executor: "parallel",
        maxWorkers: 2,
        onStart: () => {
          t0 = performance.now();
          started++;
        },
      });
      if (out.record?.status !== "success" || started !== 1) throw new Error(`run failed: ${JSON.stringify(out.record?.error)}`);
      perNode.push(((performance.now() - t0) / 1000) * 1000);
    }
  } finally {
    cleanup();
  }
  const s = stats(perNode);
  return { workload: "W8 1,000 no-op nodes in 10 chains, parallel: us per node", runs: s.runs, median_us: s.median_ms, min_us: s.min_ms, max_us: s.max_ms, target: "<= 200 us per node", notes: "from the first node's start (plan made, record written) to the final record, divided by 1,000; includes worker start-up of the pool" };
}
