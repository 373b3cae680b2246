// A real loopback MLflow server for the tracking benches, and a delaying TCP proxy in front of it
// (a server "far away"), which also counts the HTTP requests it forwards.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./project.mjs";

const MLFLOW = join(REPO, ".venv-mlflow", "bin", "mlflow");

/** Starts `mlflow server` on a fresh sqlite store; resolves to {uri, stop} once /health answers. */
export async function startMlflow() {
  if (!existsSync(MLFLOW)) throw new Error(`${MLFLOW} is missing: run \`bash scripts/setup-mlflow.sh\` first`);
  const dir = mkdtempSync(join(tmpdir(), "mlc-bench-mlflow-"));
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const uri = `http://127.0.0.1:${probe.address().port}`;
  probe.close();
  const args = ["server", "--host", "127.0.0.1", "--port", new URL(uri).port, "--workers", "1"];
  args.push("--backend-store-uri", `sqlite:///${dir}/m.db`, "--artifacts-destination", `${dir}/art`);
  const env = { ...process.env, MLFLOW_DISABLE_TELEMETRY: "true", MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false" };
  const log = openSync(join(dir, "server.log"), "a");
  // Its own process group, so stop() also ends the workers uvicorn forks.
  const child = spawn(MLFLOW, args, { cwd: dir, detached: true, stdio: ["ignore", log, log], env });
  const stop = () => {
    if (child.exitCode === null) process.kill(-child.pid, "SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  const exited = once(child, "exit");
  for (const until = Date.now() + 120_000; Date.now() < until && child.exitCode === null;) {
    if (
      await fetch(`${uri}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { uri, stop };
    await Promise.race([exited, new Promise((r) => setTimeout(r, 250))]);
  }
  const why = readFileSync(join(dir, "server.log"), "utf8").trim().split("\n").slice(-3).join(" | ");
  stop();
  throw new Error(`mlflow server did not become healthy: ${why}`);
}

const REQUEST_LINE = /(?:GET|POST|PUT|PATCH|DELETE) (\/[^\s?]*)\S* HTTP\/1\.1\r\n/g;

/**
 * A loopback TCP proxy to `target` that delays every chunk, each way, by `delayMs` (in order:
 * equal timeouts fire in the order they were set). `requests` counts the requests per path.
 */
export async function startProxy(target, delayMs) {
  const { hostname: host, port } = new URL(target);
  const requests = new Map();
  const later = (fn) => (delayMs > 0 ? setTimeout(fn, delayMs) : fn());
  const sockets = new Set();
  const server = createServer((client) => {
    const upstream = createConnection({ host, port: Number(port) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s)).on("error", () => (client.destroy(), upstream.destroy()));
    }
    let tail = ""; // a request line may be cut between two chunks
    client.on("data", (chunk) => {
      const text = tail + chunk.toString("latin1");
      for (const m of text.matchAll(REQUEST_LINE)) {
        if (m.index + m[0].length > tail.length) requests.set(m[1], (requests.get(m[1]) ?? 0) + 1);
      }
      tail = text.slice(-300);
      later(() => upstream.write(chunk));
    });
    upstream.on("data", (chunk) => later(() => client.write(chunk)));
    client.on("end", () => later(() => upstream.end()));
    upstream.on("end", () => later(() => client.end()));
  });
  await once(server.listen(0, "127.0.0.1"), "listening");
  const close = () => (sockets.forEach((s) => s.destroy()), server.close());
  return { uri: `http://127.0.0.1:${server.address().port}`, requests, close };
}

/** The runs of experiment `name` that the server holds as FINISHED ([] without that experiment). */
export async function finishedRuns(uri, name) {
  const api = `${uri}/api/2.0/mlflow`;
  const get = await fetch(`${api}/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`);
  if (!get.ok) return [];
  const body = JSON.stringify({ experiment_ids: [(await get.json()).experiment.experiment_id], max_results: 1000 });
  const headers = { "Content-Type": "application/json" };
  const res = await fetch(`${api}/runs/search`, { method: "POST", headers, body });
  return ((await res.json()).runs ?? []).filter((r) => r.info.status === "FINISHED");
}

/** How many points of metric `key` run `runId` holds on the server. */
export async function metricPoints(uri, runId, key) {
  const q = new URLSearchParams({ run_id: runId, metric_key: key, max_results: "100000" });
  const res = await fetch(`${uri}/api/2.0/mlflow/metrics/get-history?${q}`);
  return ((await res.json()).metrics ?? []).length;
}
