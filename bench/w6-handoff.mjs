// W6: a 200 MB Float64Array from one node to the next under the parallel executor.
// Hand-off = consumer start - producer end (both stamped inside the workers on one clock).
// Targets: hand-off <= 25 ms; peak RSS above baseline <= 1.5 x 200 MB.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { api, makeProject, stats } from "./lib/project.mjs";

const NODES = `
const now = () => performance.timeOrigin + performance.now();
export function produce(n) {
  const a = new Float64Array(n);
  a.fill(1.5);
  globalThis.__end = now();
  return { a, end: now() };
}
export function take(x) { return x.end; }
export function consume(a, end) { const start = now(); return { handoff_ms: start - end, len: a.length }; }
`;

export default async function () {
  const n = (200 * 1024 * 1024) / 8;
  const nodesYaml =
    `  - { name: produce, func: ./src/n.mjs#produce, inputs: "params:n", outputs: { a: arr, end: produced_at } }\n` +
    `  - { name: consume, func: ./src/n.mjs#consume, inputs: [arr, produced_at], outputs: result }\n`;
  const { dir, cleanup } = makeProject({
    nodesYaml,
    paramsYaml: `n: ${n}\n`,
    catalogYaml: "result: { type: json, filepath: data/result.json }\n",
    modules: { "n.mjs": NODES },
  });
  const { runProject } = await api();
  const handoffs = [];
  const rss = [];
  try {
    for (let r = 0; r < 5; r++) {
      const base = process.memoryUsage().rss;
      const peakBefore = process.resourceUsage().maxRSS * 1024;
      const out = await runProject({ root: dir, executor: "parallel", maxWorkers: 2 });
      if (out.record?.status !== "success") throw new Error(`run failed: ${JSON.stringify(out.record?.error)}`);
      const res = JSON.parse(readFileSync(join(dir, "data/result.json"), "utf8"));
      if (res.len !== n) throw new Error("wrong length");
      handoffs.push(res.handoff_ms);
      if (r === 0)
        rss.push(Math.max(0, process.resourceUsage().maxRSS * 1024 - Math.max(base, peakBefore === 0 ? base : base)));
    }
  } finally {
    cleanup();
  }
  const mb = (b) => Math.round(b / 1024 / 1024);
  return [
    {
      workload: "W6 200 MB Float64Array hand-off, parallel",
      ...stats(handoffs),
      target: "<= 25 ms",
      notes: "producer end -> consumer start, stamped in the workers; the array is moved (transferred), never cloned",
    },
    {
      workload: "W6 peak RSS above baseline (first run)",
      runs: 1,
      peak_rss_above_baseline_mb: mb(rss[0]),
      data_mb: 200,
      ratio: Math.round((rss[0] / (200 * 1024 * 1024)) * 100) / 100,
      target: "<= 1.5 x 200 MB",
    },
  ];
}
