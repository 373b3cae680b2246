// W-S3: a ~200 MB parquet dataset saved to and loaded back from a loopback S3 server (moto_server,
// from scripts/setup-moto.sh) against the same round trip on local disk (issue 16: at most 1.5x
// the time; peak RSS above the baseline at most 1.5x the file size). Each run is a fresh child
// process (dist/ build): it makes the rows (2,000 rows of one 100 KB string column, so the value
// in memory is about the file's size), takes the RSS as the baseline, then saves and loads them
// through the catalog's `parquet` dataset and reports the time and process.resourceUsage().maxRSS.
// Run alone: `npm run build && node bench/w-s3.mjs` (prints the JSON row).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const REPO = join(import.meta.dirname, "..");
const DIST = join(REPO, "dist");
const MOTO = join(REPO, ".venv-moto", "bin", "moto_server");
const RUNS = Number(process.env.MLC_BENCH_S3_RUNS ?? 3);
const ROWS = Number(process.env.MLC_BENCH_S3_ROWS ?? 2000);

const CHILD = `
const { randomBytes } = await import("node:crypto");
const { DataCatalog } = await import(process.argv[1]);
const [root, filepath, endpoint] = process.argv.slice(2);
const rows = Array.from({ length: Number(process.argv[5]) }, (_, i) => ({ id: i, blob: randomBytes(75 * 1024).toString("base64") }));
globalThis.gc?.();
const baseline = process.memoryUsage().rss;
const credentials = { s3: { aws_access_key_id: "bench", aws_secret_access_key: "bench", endpoint_url: endpoint, region_name: "us-east-1" } };
const cat = new DataCatalog({ root, credentials, saveVersion: "v", sink: { logMetric() {}, logParam() {}, setTag() {}, logArtifact() {} },
  datasets: { ds: { type: "parquet", filepath, credentials: "s3" } } });
let t = performance.now();
await cat.save("ds", rows);
const save_ms = performance.now() - t;
t = performance.now();
const back = await cat.load("ds");
const load_ms = performance.now() - t;
if (back.length !== rows.length || back[7].blob !== rows[7].blob) throw new Error("round trip changed the data");
const st = await cat.exists("ds");
process.stdout.write(JSON.stringify({ save_ms, load_ms, baseline_kb: baseline / 1024, max_rss_kb: process.resourceUsage().maxRSS }));
`;

function child(root, filepath, endpoint) {
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };
  delete env.NODE_EXTRA_CA_CERTS;
  const url = pathToFileURL(join(DIST, "catalog", "catalog.js")).href;
  const args = ["--expose-gc", "--input-type=module", "-e", CHILD, url, root, filepath, endpoint, String(ROWS)];
  const r = spawnSync(process.execPath, args, { env, encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`w-s3 child failed (${r.status}): ${r.stderr.slice(0, 2000)}`);
  return JSON.parse(r.stdout);
}

async function startMoto() {
  if (!existsSync(MOTO)) throw new Error(`${MOTO} is missing: run \`bash scripts/setup-moto.sh\` first`);
  const probe = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => probe.once("listening", r));
  const port = probe.address().port;
  await new Promise((r) => probe.close(r));
  const log = openSync(join(mkdtempSync(join(tmpdir(), "mlc-bench-moto-")), "moto.log"), "a");
  const proc = spawn(MOTO, ["-H", "127.0.0.1", "-p", String(port)], { detached: true, stdio: ["ignore", log, log] });
  const endpoint = `http://127.0.0.1:${port}`;
  for (const until = Date.now() + 60_000; Date.now() < until;) {
    if (
      await fetch(`${endpoint}/moto-api/`).then(
        (r) => r.status < 500,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await fetch(`${endpoint}/bench`, { method: "PUT" });
  return { endpoint, stop: () => process.kill(-proc.pid, "SIGKILL") };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs the workload; returns one bench row. */
export default async function main() {
  if (!existsSync(join(DIST, "catalog", "catalog.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  const root = mkdtempSync(join(tmpdir(), "mlc-s3-bench-"));
  const moto = await startMoto();
  try {
    const local = [];
    const s3 = [];
    for (let i = 0; i < RUNS; i++) {
      local.push(child(root, `data/r${i}.parquet`, moto.endpoint));
      s3.push(child(root, `s3://bench/r${i}.parquet`, moto.endpoint));
      process.stderr.write(
        `w-s3 run ${i + 1}/${RUNS}: local ${JSON.stringify(local[i])} s3 ${JSON.stringify(s3[i])}\n`,
      );
    }
    const fileMb = (await import("node:fs")).statSync(join(root, "data", "r0.parquet")).size / 1024 / 1024;
    const total = (r) => r.save_ms + r.load_ms;
    const above = (rs) => Math.max(...rs.map((r) => (r.max_rss_kb - r.baseline_kb) / 1024));
    const ratio = median(s3.map(total)) / median(local.map(total));
    return {
      workload: `w-s3: save + load a ${fileMb.toFixed(0)} MB parquet dataset on loopback S3 (moto) vs local disk`,
      runs: RUNS,
      median_ms: Math.round(median(s3.map(total))),
      min_ms: Math.round(Math.min(...s3.map(total))),
      max_ms: Math.round(Math.max(...s3.map(total))),
      baseline: "the same round trip on local disk",
      baseline_median_ms: Math.round(median(local.map(total))),
      ratio: Number(ratio.toFixed(2)),
      target: "ratio <= 1.5; peak RSS above baseline <= 1.5x the file size",
      notes:
        `file ${fileMb.toFixed(0)} MB; peak RSS above baseline: S3 ${above(s3).toFixed(0)} MB ` +
        `(${(above(s3) / fileMb).toFixed(2)}x), local ${above(local).toFixed(0)} MB (${(above(local) / fileMb).toFixed(2)}x)`,
    };
  } finally {
    moto.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) process.stdout.write(JSON.stringify(await main()) + "\n");
