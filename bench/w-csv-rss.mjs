// W-CSV: a 100 MB CSV loads and saves through the catalog's `csv` dataset with peak RSS under 3x
// the file size (issue 4). Each run is a fresh child process (node, dist/ build) that loads the
// file into row objects, saves them to a second CSV, and reports process.resourceUsage().maxRSS.
// The table is a typical ML interactions/features table: integer ids and timestamps, a rating,
// three full-precision float features, two categorical columns and a free-text title.
// Run alone: `npm run build && node bench/w-csv-rss.mjs` (prints the JSON row).
// MLC_BENCH_CSV_LOAD_ARGS (JSON) sets the source's load_args: '{"trim":false}' (an option only
// csv-parse takes) measures csv-parse in place of our reader.
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const REPO = join(import.meta.dirname, "..");
const DIST = process.env.MLC_BENCH_DIST ?? join(REPO, "dist");
const FILE_MB = Number(process.env.MLC_BENCH_CSV_MB ?? 100);
const RUNS = Number(process.env.MLC_BENCH_CSV_RUNS ?? 3);
const LOAD_ARGS = process.env.MLC_BENCH_CSV_LOAD_ARGS ?? "{}";
const TARGET = 3;

const CATEGORIES = [
  "books",
  "music",
  "movies",
  "games",
  "garden",
  "toys",
  "sports",
  "health",
  "beauty",
  "tools",
  "food",
  "baby",
];
const COUNTRIES = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA", "ES", "IT", "NL", "SE"];
const WORDS = [
  "quick",
  "brown",
  "fox",
  "lazy",
  "dog",
  "red",
  "blue",
  "deluxe",
  "mini",
  "pro",
  "classic",
  "edition",
  "set",
  "pack",
];

/** Deterministic pseudo-random numbers (mulberry32), so every run measures the same file. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes a CSV of about `mb` megabytes; resolves to its size in bytes. */
export async function generate(path, mb) {
  const rand = rng(42);
  const out = createWriteStream(path);
  out.write("event_id,user_id,item_id,rating,ts,f1,f2,f3,category,country,title\n");
  let size = 0;
  const target = mb * 1024 * 1024;
  for (let i = 0; size < target;) {
    const lines = [];
    for (let k = 0; k < 5000; k++, i++) {
      const title = `${WORDS[(rand() * 14) | 0]} ${WORDS[(rand() * 14) | 0]} ${WORDS[(rand() * 14) | 0]} item ${(rand() * 1e5) | 0}`;
      const row = `${i},${(rand() * 2e5) | 0},${(rand() * 5e4) | 0},${((rand() * 10) | 0) / 2 + 0.5},${1600000000 + i * 7},${rand()},${rand() * 10 - 5},${rand() * 1e3},${CATEGORIES[(rand() * 12) | 0]},${COUNTRIES[(rand() * 12) | 0]},${title}\n`;
      size += row.length;
      lines.push(row);
    }
    if (!out.write(lines.join(""))) await new Promise((r) => out.once("drain", r));
  }
  await new Promise((r, j) => out.end((e) => (e ? j(e) : r())));
  return statSync(path).size;
}

const CHILD = `
const { DataCatalog } = await import(process.argv[1]);
const root = process.argv[2];
const cat = new DataCatalog({ root, credentials: {}, saveVersion: "v", sink: { logMetric() {}, logParam() {}, setTag() {}, logArtifact() {} },
  datasets: {
    src: { type: "csv", filepath: "in.csv", load_args: JSON.parse(process.argv[3]) },
    dst: { type: "csv", filepath: "out.csv" },
  } });
let t = performance.now();
const rows = await cat.load("src");
const load_ms = performance.now() - t;
const rss_after_load = process.resourceUsage().maxRSS;
t = performance.now();
await cat.save("dst", rows);
const save_ms = performance.now() - t;
process.stdout.write(JSON.stringify({ rows: rows.length, load_ms, save_ms, rss_after_load_kb: rss_after_load, max_rss_kb: process.resourceUsage().maxRSS }));
`;

function runChild(root) {
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  const catalogUrl = pathToFileURL(join(DIST, "catalog", "catalog.js")).href;
  const args = ["--input-type=module", "-e", CHILD, catalogUrl, root, LOAD_ARGS];
  const r = spawnSync(process.execPath, args, { env, encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`csv child failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs the workload; returns one bench row. */
export default async function main() {
  if (!existsSync(join(DIST, "catalog", "catalog.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  const root = mkdtempSync(join(tmpdir(), "mlc-csv-bench-"));
  try {
    const bytes = await generate(join(root, "in.csv"), FILE_MB);
    const results = [];
    for (let i = 0; i < RUNS; i++) {
      results.push(runChild(root));
      process.stderr.write(`w-csv-rss run ${i + 1}/${RUNS}: ${JSON.stringify(results[i])}\n`);
    }
    const totals = results.map((r) => r.load_ms + r.save_ms);
    const peakKb = Math.max(...results.map((r) => r.max_rss_kb));
    const fileMb = bytes / 1024 / 1024;
    const peakMb = peakKb / 1024;
    return {
      workload:
        `w-csv-rss: load + save a ${fileMb.toFixed(0)} MB CSV (${results[0].rows} rows x 11 cols) via the csv dataset` +
        (LOAD_ARGS === "{}" ? "" : ` with load_args ${LOAD_ARGS}`),
      runs: RUNS,
      median_ms: Math.round(median(totals)),
      min_ms: Math.round(Math.min(...totals)),
      max_ms: Math.round(Math.max(...totals)),
      load_median_ms: Math.round(median(results.map((r) => r.load_ms))),
      save_median_ms: Math.round(median(results.map((r) => r.save_ms))),
      peak_rss_mb: Math.round(peakMb),
      file_mb: Math.round(fileMb),
      ratio: Number((peakMb / fileMb).toFixed(2)),
      target: `peak RSS < ${TARGET}x file size`,
      notes:
        "ratio = peak maxRSS of the child (Node baseline included) / file size. Rows are plain objects; " +
        "memory per value is 8 B + 16 B per non-integer number + the string, so tables of very short " +
        "fields cost more than their text: a 100 MB table of 7 short fields per 55-byte line " +
        "(1.9M rows) measured 4.4x; long floats and text cost less.",
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(JSON.stringify(await main(), null, 2));
}
