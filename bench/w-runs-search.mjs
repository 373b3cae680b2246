// W-runs-search: `mlc runs ls --filter ... --order-by ...` over 5,000 run records (target: <= 200 ms
// wall, spawned, NODE_EXTRA_CA_CERTS unset). The records are written into a temp project in the
// shape `mlc run` writes them (a 10-node pipeline, nested params, metrics, dataset versions, a metric
// history beside each), a fifth of them matching the filter; plain `mlc runs ls` is the baseline,
// and the notes give the CPU floor: the CLI's start, and reading every record (`--limit 1`).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { meanChildCpu } from "./lib/child-cpu.mjs";
import { MLC, stats, timeNode } from "./lib/spawn.mjs";

const RECORDS = 5_000;
const RUNS = 11;
const FILTER = "metrics.model_rmse < 0.7 and params.test_size = '0.2'";
const ORDER = "metrics.model_rmse ASC";

/** 20261101-000000: the run id's time part. */
const stamp = (ms) => new Date(ms).toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");

function record(i) {
  const start = Date.UTC(2026, 10, 1) + i * 60_000;
  const nodes = Array.from({ length: 10 }, (_, n) => ({
    name: `node_${n}`,
    status: "completed",
    attempts: 1,
    duration_ms: 5 + ((i + n) % 40),
  }));
  return {
    run_id: `${stamp(start)}-${(i + 0x100000).toString(16).slice(-6)}`,
    status: i % 10 === 9 ? "failed" : "success",
    started_at: new Date(start).toISOString(),
    finished_at: new Date(start + 1500).toISOString(),
    executor: "sequential",
    pipeline: "__default__",
    selection: {},
    graph_hash: "f".repeat(64),
    git_commit: "a".repeat(40),
    env: "local",
    command: "mlc run --params model.factors=" + (8 << (i % 4)),
    params: { test_size: i % 2 ? 0.25 : 0.2, random_state: 42, model: { factors: 8 << (i % 4), epochs: 20, lr: 0.01 } },
    nodes,
    metrics: { model_rmse: 0.5 + ((i * 7919) % 500) / 1000, baseline_rmse: 1.1, n_users: 943 },
    datasets: [
      { name: "model", version: new Date(start).toISOString().replace(/:/g, ".") },
      { name: "normalized", version: null },
    ],
  };
}

/** Writes RECORDS run records (and a pipeline.yml) into `root`. */
export function writeRecords(root) {
  writeFileSync(join(root, "pipeline.yml"), "version: 1\nnodes: []\n");
  for (let i = 0; i < RECORDS; i++) {
    const r = record(i);
    const dir = join(root, ".mlc", "runs", r.run_id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "run.json"), JSON.stringify(r, null, 2) + "\n");
    writeFileSync(
      join(dir, "metrics.jsonl"),
      `{"key":"model_rmse","value":${r.metrics.model_rmse},"step":0,"timestamp":0}\n`,
    );
  }
}

function emptyProject(root) {
  const dir = join(root, "empty");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "pipeline.yml"), "version: 1\nnodes: []\n");
  return dir;
}

/** Rows: the search (target row) and plain `runs ls` (baseline); the temp project is removed afterwards. */
export default async function () {
  const root = mkdtempSync(join(tmpdir(), "mlc-w-runs-search-"));
  try {
    writeRecords(root);
    const plain = [MLC, "runs", "ls", "--project", root];
    const search = [...plain, "--filter", FILTER, "--order-by", ORDER];
    const found = timeNode([...search, "--json"]).stdout; // also warms the file system cache
    const matched = JSON.parse(found).runs.length;
    const base = [];
    const s = [];
    for (let r = 0; r < RUNS; r++) {
      base.push(timeNode(plain).ms);
      s.push(timeNode(search).ms);
    }
    const st = stats(s);
    const cpu = meanChildCpu(RUNS, () => timeNode(search));
    const baseCpu = meanChildCpu(RUNS, () => timeNode(plain));
    // The floor no search can go under: Node's start and the CLI, then reading every record.
    const startCpu = meanChildCpu(RUNS, () => timeNode([MLC, "runs", "ls", "--project", emptyProject(root)]));
    const readCpu = meanChildCpu(RUNS, () => timeNode([...plain, "--limit", "1"]));
    return [
      {
        workload: `W-runs-search: mlc runs ls --filter --order-by over ${RECORDS} run records (spawned, table output)`,
        ...st,
        baseline_median_ms: stats(base).median_ms,
        cpu_mean_ms: cpu,
        baseline_cpu_mean_ms: baseCpu,
        target: "median_ms <= 200",
        notes: [
          `filter ${JSON.stringify(FILTER)}, order-by ${JSON.stringify(ORDER)}: ${matched} of ${RECORDS} runs match`,
          `baseline = plain runs ls (all ${RECORDS} rows), interleaved`,
          "cpu_mean_ms = the CLI's CPU time (wall swings 2-3x on a loaded 2-core machine)",
          `CPU floor: runs ls of an empty project ${startCpu} ms`,
          `runs ls --limit 1 over the ${RECORDS} records ${readCpu} ms`,
          `load average ${loadavg()[0].toFixed(1)}; pass=${st.median_ms <= 200}`,
        ].join("; "),
      },
    ];
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
