// W10: `--executor distributed` on a real redis-server with two real `mlc worker` processes
// (concurrency 1 each), side by side with the sequential executor in the same run:
// - 8 independent ~1 s CPU nodes: target >= 1.8x faster than sequential on this 2-core machine;
// - 1,000 no-op nodes in 10 chains: target <= 3 ms per node end to end through Redis;
// - a worker SIGKILLed during a 5 s node: the node finishes within lock + stalled check + 5 s + node time.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, existsSync, watch } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, makeProject, REPO, stats } from "./lib/project.mjs";

const ENV = { ...process.env, NO_COLOR: "1" };
delete ENV.NODE_EXTRA_CA_CERTS;

const NODES = `
import { writeFileSync } from "node:fs";
export function burn(ms) {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) for (let i = 0; i < 1e4; i++) x += Math.sqrt(i);
  return x > 0 ? ms : 0;
}
export function step(x = 0) {
  return x + 1;
}
export async function sleep(ms) {
  writeFileSync("node.pid", String(process.pid));
  await new Promise((r) => setTimeout(r, ms));
  return ms;
}
`;

function freePort() {
  return new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Resolves once `proc` printed a line matching `re`. */
function said(proc, re) {
  return new Promise((ok, fail) => {
    let out = "";
    const on = (b) => (out += b) && re.test(out) && ok();
    proc.stdout.on("data", on);
    proc.stderr.on("data", on);
    proc.once("exit", (c) => fail(new Error(`exited ${c} before ${re}: ${out}`)));
  });
}

async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "mlc-bench-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"];
  const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  await said(proc, /Ready to accept connections/);
  return { url: `redis://127.0.0.1:${port}`, stop: () => (proc.kill(), rmSync(dir, { recursive: true, force: true })) };
}

async function startWorkers(dir, url, n = 2) {
  const procs = Array.from({ length: n }, () =>
    spawn(process.execPath, [join(REPO, "bin", "mlc.js"), "worker", "--queue", url], { cwd: dir, env: ENV }),
  );
  await Promise.all(procs.map((p) => said(p, /mlc worker: ready/)));
  return procs;
}

async function timed(dir, executor, queue) {
  const { runProject } = await api();
  let t0 = 0;
  const out = await runProject({ root: dir, executor, queue, cache: false, onStart: () => (t0 = performance.now()) });
  if (out.record?.status !== "success") throw new Error(`${executor}: ${JSON.stringify(out.record?.error)}`);
  return performance.now() - t0;
}

/** Sequential and distributed medians of `runs` runs each, alternating. */
async function sideBySide(nodesYaml, params, url, runs) {
  const { dir, cleanup } = makeProject({ nodesYaml, paramsYaml: params, modules: { "nodes.mjs": NODES } });
  const workers = await startWorkers(dir, url);
  const t = { sequential: [], distributed: [] };
  try {
    for (let r = 0; r < runs; r++) {
      t.sequential.push(await timed(dir, "sequential"));
      t.distributed.push(await timed(dir, "distributed", url));
    }
  } finally {
    workers.forEach((w) => w.kill("SIGTERM"));
    cleanup();
  }
  return { seq: stats(t.sequential), dist: stats(t.distributed) };
}

async function killDuringNode(url) {
  const nodesYaml = `  - { name: sleepy, func: ./src/nodes.mjs#sleep, inputs: "params:ms", outputs: slept }\n`;
  const { dir, cleanup } = makeProject({ nodesYaml, paramsYaml: "ms: 5000\n", modules: { "nodes.mjs": NODES } });
  const workers = await startWorkers(dir, url);
  try {
    const { runProject } = await api();
    const running = runProject({ root: dir, executor: "distributed", queue: url, cache: false });
    const pidFile = join(dir, "node.pid");
    await new Promise((ok) => {
      const w = watch(dir, () => existsSync(pidFile) && readFileSync(pidFile, "utf8") && (w.close(), ok()));
    });
    const killedAt = performance.now();
    process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
    const out = await running;
    if (out.record?.status !== "success") throw new Error(`kill run: ${JSON.stringify(out.record?.error)}`);
    return performance.now() - killedAt;
  } finally {
    workers.forEach((w) => w.kill("SIGTERM"));
    cleanup();
  }
}

export default async function () {
  const redis = await startRedis();
  try {
    const burnYaml = Array.from(
      { length: 8 },
      (_, i) => `  - { name: burn_${i}, func: ./src/nodes.mjs#burn, inputs: "params:ms", outputs: out_${i} }\n`,
    ).join("");
    const cpu = await sideBySide(burnYaml, "ms: 1000\n", redis.url, 2);
    const chains = [];
    for (let c = 0; c < 10; c++)
      for (let i = 0; i < 100; i++)
        chains.push(
          `  - { name: c${c}_${i}, func: ./src/nodes.mjs#step, ${i ? `inputs: c${c}_d${i - 1}, ` : ""}outputs: c${c}_d${i} }\n`,
        );
    const noop = await sideBySide(chains.join(""), "{}\n", redis.url, 3);
    const recovery = await killDuringNode(redis.url);
    const { LOCK_MS, STALL_MS } = await import(join(REPO, "dist", "executors", "distributed", "worker.js"));
    return [
      {
        workload: "W10 8 x 1 s CPU nodes, distributed (2 mlc worker, concurrency 1)",
        ...cpu.dist,
        baseline: "sequential",
        baseline_median_ms: cpu.seq.median_ms,
        ratio: Math.round((cpu.seq.median_ms / cpu.dist.median_ms) * 100) / 100,
        target: "speed-up >= 1.8x",
      },
      {
        workload: "W10 1,000 no-op nodes in 10 chains, distributed (2 mlc worker)",
        ...noop.dist,
        baseline: "sequential",
        baseline_median_ms: noop.seq.median_ms,
        per_node_ms: Math.round((noop.dist.median_ms / 1000) * 100) / 100,
        target: "<= 3 ms per node end to end",
        notes: "per_node_ms = distributed median / 1,000 nodes (Redis round trips, job bookkeeping, hand-offs)",
      },
      {
        workload: "W10 worker SIGKILLed during a 5 s node: kill -> run end",
        runs: 1,
        median_ms: Math.round(recovery),
        target: `<= lock ${LOCK_MS} ms + stalled check ${STALL_MS} ms + 5 s + node time 5 s = ${LOCK_MS + STALL_MS + 10_000} ms`,
      },
    ];
  } finally {
    redis.stop();
  }
}
