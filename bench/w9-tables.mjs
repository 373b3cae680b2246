// W9: tables, side by side in one run.
// 1. A 100 MB CSV grouped by one column into an aggregate: `mlc run` of one sql node (DuckDB scans
//    the file) against pandas 2.x read_csv + groupby on the same file (bench/setup-pandas.sh).
//    Wall time and peak RSS of each process (RUSAGE_CHILDREN, measured by a Python wrapper).
//    Targets: mlc at least 3x faster, lower peak RSS. Beside them, the same query in a bare Node
//    process that only loads DuckDB: the floor any DuckDB-based run stands on.
// 2. A 200 MB Arrow Table from one parallel node to the next: producer end -> consumer start,
//    stamped inside the workers. Target <= 25 ms.
// 3. sql.table save of 1M rows to a private local Postgres (COPY). Target >= 100k rows/s.
// Run alone: `npm run build && node bench/run.mjs w9`. Sizes: BENCH_W9_CSV_MB, BENCH_W9_ROWS.
import { spawnSync } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import { build } from "esbuild";
import { api, makeProject, REPO, stats } from "./lib/project.mjs";

const PANDAS = join(REPO, "bench", ".venv-pandas", "bin", "python");
const CSV_MB = Number(process.env.BENCH_W9_CSV_MB ?? 100);
const ROWS = Number(process.env.BENCH_W9_ROWS ?? 1_000_000);
const RUNS = 3;

async function writeCsv(path, mb) {
  const out = createWriteStream(path);
  out.write("key,city,amount,qty\n");
  let bytes = 0;
  let i = 0;
  while (bytes < mb * 1024 * 1024) {
    let chunk = "";
    for (let j = 0; j < 10_000; j++, i++)
      chunk += `${i % 1000},city_${i % 37},${((i * 7919) % 100000) / 100},${i % 9}\n`;
    bytes += chunk.length;
    if (!out.write(chunk)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/** Wall ms and peak RSS (MB) of one command, measured by Python's getrusage of its children. */
function measured(cmd, args, cwd) {
  const wrapper =
    "import resource,subprocess,sys,time\nt=time.perf_counter()\nr=subprocess.run(sys.argv[1:])\n" +
    "print((time.perf_counter()-t)*1000, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)";
  const r = spawnSync("python3", ["-c", wrapper, cmd, ...args], { cwd, encoding: "utf8", maxBuffer: 1 << 26 });
  const [ms, rssKb, code] = r.stdout.trim().split("\n").pop().split(" ").map(Number);
  if (code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr.slice(-2000)}`);
  return { ms, rssMb: rssKb / 1024 };
}

const query = (from) =>
  `SELECT key, count(*) AS n, sum(amount) AS total, avg(qty) AS mean_qty FROM ${from} GROUP BY key ORDER BY key`;

async function groupBy() {
  if (!existsSync(PANDAS)) throw new Error("bench/.venv-pandas is missing: run bash bench/setup-pandas.sh");
  const { dir, cleanup } = makeProject({
    nodesYaml: `  - name: by_key\n    sql: ${query("sales")}\n` + "    inputs: sales\n    outputs: totals\n",
    catalogYaml: "sales: { type: csv, filepath: data/sales.csv }\ntotals: { type: csv, filepath: data/totals.csv }\n",
  });
  try {
    mkdirSync(join(dir, "data"));
    await writeCsv(join(dir, "data", "sales.csv"), CSV_MB);
    const py =
      "import pandas as pd\ndf = pd.read_csv('data/sales.csv')\n" +
      "out = df.groupby('key').agg(n=('key','size'), total=('amount','sum'), mean_qty=('qty','mean')).reset_index()\n" +
      "out.to_csv('data/totals_pandas.csv', index=False)";
    // The floor: DuckDB's same query in a bare Node process (no mlc), to tell its time from mlc's.
    const bare = join(dir, "duckdb-alone.cjs");
    writeFileSync(
      bare,
      `const { DuckDBInstance } = require(${JSON.stringify(join(REPO, "node_modules", "@duckdb", "node-api"))});\n` +
        `DuckDBInstance.create(":memory:").then((db) => db.connect()).then((con) => con.run(` +
        JSON.stringify(
          `COPY (${query("read_csv('data/sales.csv')")}) TO 'data/totals_duckdb.csv' (FORMAT csv, HEADER)`,
        ) +
        `));\n`,
    );
    const mlc = [];
    const pandas = [];
    const alone = [];
    for (let i = 0; i < 5; i++) {
      // --force: every run does the work (an incremental run would skip an up-to-date node).
      mlc.push(measured(process.execPath, [join(REPO, "bin", "mlc.js"), "run", "--quiet", "--force"], dir));
      pandas.push(measured(PANDAS, ["-c", py], dir));
      alone.push(measured(process.execPath, [bare], dir));
    }
    const lines = (f) =>
      readFileSync(join(dir, "data", f), "utf8")
        .trim()
        .split("\n").length;
    for (const f of ["totals.csv", "totals_pandas.csv", "totals_duckdb.csv"])
      if (lines(f) !== 1001) throw new Error(`${f}: wrong group count`);
    const m = stats(mlc.map((r) => r.ms));
    const p = stats(pandas.map((r) => r.ms));
    const floor = stats(alone.map((r) => r.ms));
    const peak = (rs) => Math.round(Math.max(...rs.map((r) => r.rssMb)));
    return {
      workload: `W9 ${CSV_MB} MB CSV group-by: mlc sql node vs pandas`,
      ...m,
      baseline: "pandas 2.x read_csv + groupby",
      baseline_median_ms: p.median_ms,
      ratio: Math.round((p.median_ms / m.median_ms) * 100) / 100,
      duckdb_alone_median_ms: floor.median_ms,
      duckdb_alone_ratio: Math.round((p.median_ms / floor.median_ms) * 100) / 100,
      peak_rss_mb: peak(mlc),
      baseline_peak_rss_mb: peak(pandas),
      target: ">= 3x faster, lower peak RSS",
      notes:
        "whole `mlc run` (Node start, compile, DuckDB) against the whole python process; ratio = pandas / mlc; " +
        "duckdb_alone: the same COPY in a bare Node process that only requires @duckdb/node-api (the floor)",
    };
  } finally {
    cleanup();
  }
}

const HANDOFF_NODES = `
import { tableFromArrays } from "apache-arrow";
const now = () => performance.timeOrigin + performance.now();
export function produce(n) {
  const x = new Float64Array(n).fill(1.5);
  const table = tableFromArrays({ x });
  return { table, end: now() };
}
export function consume(table, end) { const start = now(); return { handoff_ms: start - end, rows: table.numRows }; }
`;

async function arrowHandoff() {
  const n = (200 * 1024 * 1024) / 8;
  const { dir, cleanup } = makeProject({
    nodesYaml:
      `  - { name: produce, func: ./src/n.mjs#produce, inputs: "params:n", outputs: { table: t, end: produced_at } }\n` +
      `  - { name: consume, func: ./src/n.mjs#consume, inputs: [t, produced_at], outputs: result }\n`,
    paramsYaml: `n: ${n}\n`,
    catalogYaml: "result: { type: json, filepath: data/result.json }\n",
    modules: { "n.mjs": HANDOFF_NODES },
  });
  // The node imports apache-arrow as a user's project would have it installed.
  symlinkSync(join(REPO, "node_modules", "apache-arrow"), join(dir, "node_modules", "apache-arrow"), "dir");
  const { runProject } = await api();
  const handoffs = [];
  try {
    for (let r = 0; r < 5; r++) {
      // cache: false, or runs 2-5 would skip both nodes and re-read the first run's figure.
      const out = await runProject({ root: dir, executor: "parallel", maxWorkers: 2, cache: false });
      if (out.record?.status !== "success") throw new Error(`run failed: ${JSON.stringify(out.record?.nodes)}`);
      const res = JSON.parse(readFileSync(join(dir, "data/result.json"), "utf8"));
      if (res.rows !== n) throw new Error("wrong row count");
      handoffs.push(res.handoff_ms);
    }
  } finally {
    cleanup();
  }
  return {
    workload: "W9 200 MB Arrow Table hand-off, parallel",
    ...stats(handoffs),
    target: "<= 25 ms",
    notes: "producer end -> consumer start, stamped in the workers; the column buffers are transferred",
  };
}

/** test/helpers/postgres.ts, bundled on the fly: the suite's private cluster is the bench's too. */
async function postgresHelper() {
  const out = join(mkdtempSync(join(tmpdir(), "mlc-bench-pg-")), "postgres.mjs");
  await build({
    entryPoints: [join(REPO, "test/helpers/postgres.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: out,
  });
  return import(out);
}

async function tableSave() {
  const { startPostgres } = await postgresHelper();
  const cluster = await startPostgres();
  const { sqlTableType } = await import(join(REPO, "dist/catalog/datasets/sql.js"));
  const rows = Array.from({ length: ROWS }, (_, i) => ({
    id: i,
    city: `city_${i % 37}`,
    amount: i / 100,
    paid: i % 2 === 0,
  }));
  const root = mkdtempSync(join(tmpdir(), "mlc-bench-sqlt-"));
  const ctx = (i) => ({
    name: "orders",
    root,
    config: { type: "sql.table", table_name: `orders_${i}`, credentials: "db", save_args: { if_exists: "replace" } },
    credentials: { con: cluster.url },
    saveVersion: "v",
    sink: {},
  });
  const times = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const ds = sqlTableType(ctx(i));
      const t0 = performance.now();
      await ds.save(rows);
      times.push(performance.now() - t0);
    }
  } finally {
    cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
  const s = stats(times);
  return {
    workload: `W9 sql.table save of ${ROWS.toLocaleString("en")} rows to local Postgres`,
    ...s,
    rows_per_s: Math.round(ROWS / (s.median_ms / 1000)),
    target: ">= 100k rows/s",
    notes: "rows (4 columns) -> Arrow -> CSV -> COPY FROM STDIN, one transaction; Postgres 15 private cluster",
  };
}

export default async function () {
  return [await groupBy(), await arrowHandoff(), await tableSave()];
}
