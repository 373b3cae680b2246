// `mlc run --executor distributed` end to end through the CLI: a real redis-server, real `mlc
// worker` processes, the fixture test/fixtures/run/distributed (a typed array as a memory dataset,
// a slow node that writes data/slow.pid so a test can find and kill the process running it).
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../tracking/mlflow/server.js";
import { mlc, spawnMlc } from "../helpers/cli.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { finished, nodePid, redisKeys, startWorker, startWorkers } from "../helpers/workers.js";
import { cleanupProjects, fixtureProject, readJson } from "../executors/project.js";

let redis: TestRedis;
beforeAll(async () => void (redis = await startRedis()));
afterAll(async () => {
  await redis?.stop();
  cleanupProjects();
});

const QUEUE_KEYS = ["bull:mlc-distributed:events", "bull:mlc-distributed:id", "bull:mlc-distributed:meta"];

/** Keys other than BullMQ's own bookkeeping of the queue (ids counter, meta, event stream, stalled-check). */
async function runKeys(): Promise<string[]> {
  return (await redisKeys(redis.url)).filter((k) => !QUEUE_KEYS.includes(k) && !k.endsWith(":stalled-check"));
}

/** `mlc run --executor distributed` on the test Redis, as a live child. */
const startRun = (root: string, ...args: string[]) =>
  spawnMlc(root, ["run", "--executor", "distributed", "--queue", redis.url, ...args]);

describe("mlc run --executor distributed", () => {
  it("runs on two workers, leaves nothing of the run in Redis, and shares the cache with the local executors", async () => {
    const root = fixtureProject("distributed");
    const { stop } = await startWorkers(root, redis.url);
    try {
      const r = mlc(root, "run", "--executor", "distributed", "--queue", redis.url);
      expect(r.code, r.all).toBe(0);
      expect(r.stdout).toMatch(/4 completed \(distributed\)/);
      expect(readJson(root, "data/final.json")).toEqual({ total: 499500, done: true });
      expect(await runKeys()).toEqual([]);
      // Made by workers, up to date for the sequential executor, and the other way round.
      expect(mlc(root, "run").stdout).toMatch(/4 cached \(sequential\)/);
      expect(mlc(root, "run", "--params", "n=10").stdout).toMatch(/4 completed/);
      const again = mlc(root, "run", "--executor", "distributed", "--queue", redis.url, "--params", "n=10");
      expect(again.stdout, again.all).toMatch(/4 cached \(distributed\)/);
      const status = JSON.parse(mlc(root, "queue", "status", "--queue", redis.url, "--json").stdout);
      expect(status).toMatchObject({ queue: "mlc-distributed", waiting: [], active: [], stalled: [] });
      expect(status.workers).toHaveLength(2);
    } finally {
      await stop();
    }
  });

  it("a worker SIGKILLed mid-node: another worker reruns the node and the run completes", async () => {
    const root = fixtureProject("distributed");
    const { workers, stop } = await startWorkers(root, redis.url);
    try {
      const run = startRun(root, "--params", "slow_ms=3000");
      const done = finished(run);
      const pid = await nodePid(root);
      const killedAt = Date.now();
      process.kill(pid, "SIGKILL");
      const { code, out } = await done;
      expect(code, out).toBe(0);
      // Lock 5 s + stalled check every 3 s, then the node's 3 s again.
      expect(Date.now() - killedAt).toBeLessThan(5000 + 3000 + 3000 + 3000);
      const slow = readJson(root, "data/slow_out.json") as { pid: number };
      expect(slow.pid).not.toBe(pid);
      expect(workers.map((w) => w.proc.pid)).toContain(slow.pid);
      expect(readJson(root, "data/final.json")).toEqual({ total: 499500, done: true });
      expect(await runKeys()).toEqual([]);
    } finally {
      await stop();
    }
  });

  it("SIGINT on the coordinator cancels the running node, records interrupted, leaves nothing in Redis", async () => {
    const root = fixtureProject("distributed");
    const { workers, stop } = await startWorkers(root, redis.url);
    try {
      const run = startRun(root, "--params", "slow_ms=60000");
      const done = finished(run);
      await nodePid(root);
      const status = JSON.parse(mlc(root, "queue", "status", "--queue", redis.url, "--json").stdout);
      expect(status.active.map((j: { node: string }) => j.node)).toEqual(["slow"]);
      const t0 = Date.now();
      run.kill("SIGINT");
      const { code, out } = await done;
      expect(code, out).toBe(130);
      expect(Date.now() - t0).toBeLessThan(10_000);
      const rec = JSON.parse(mlc(root, "runs", "ls", "--json").stdout).runs[0];
      expect(rec.status).toBe("interrupted");
      expect(await runKeys()).toEqual([]);
      expect(existsSync(join(root, "data/slow_out.json"))).toBe(false);
      // The workers are still serving: the next run completes on them.
      expect(mlc(root, "run", "--executor", "distributed", "--queue", redis.url).code).toBe(0);
      expect(workers.every((w) => w.proc.exitCode === null)).toBe(true);
    } finally {
      await stop();
    }
  });

  it("a worker stopped with SIGTERM finishes its node first, then exits 0", async () => {
    const root = fixtureProject("distributed");
    const worker = await startWorker(root, redis.url);
    const run = startRun(root, "--params", "slow_ms=1500");
    const done = finished(run);
    await nodePid(root);
    const stopped = worker.stop();
    await worker.waitFor(/slow \(run .*\): done/);
    expect(await stopped).toBe(0);
    // Its node finished; the last one waits for a worker.
    expect(readJson(root, "data/slow_out.json")).toMatchObject({ total: 499500 });
    const second = await startWorker(root, redis.url);
    expect((await done).code).toBe(0);
    await second.stop();
  });

  it("Redis down at start: MLC7003 within 5 s, and the password in the URL is never printed", async () => {
    const root = fixtureProject("distributed");
    const url = `redis://:hunter2@127.0.0.1:${await freePort()}`;
    const t0 = Date.now();
    const r = mlc(root, "run", "--executor", "distributed", "--queue", url);
    expect(Date.now() - t0).toBeLessThan(5000 + 1500);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error MLC7003 the job queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+ is unreachable/);
    expect(r.all).not.toContain("hunter2");
    expect(r.all).not.toMatch(/\n\s+at /);
    const w = mlc(root, "worker", "--queue", url);
    expect(w.code).toBe(1);
    expect(w.stderr).toMatch(/MLC7003/);
    expect(w.all).not.toContain("hunter2");
    const none = mlc(root, "run", "--executor", "distributed");
    expect(none.stderr).toMatch(/MLC7003 no job queue: pass --queue/);
  });

  it("a worker whose checkout differs refuses the job (MLC5006) and the run says which worker", async () => {
    const root = fixtureProject("distributed");
    const other = mkdtempSync(join(tmpdir(), "mlc-stale-"));
    cpSync(root, other, { recursive: true, verbatimSymlinks: true });
    const src = join(other, "src/nodes.ts");
    writeFileSync(src, readFileSync(src, "utf8").replace("i);", "i * 2);"));
    const stale = await startWorker(other, redis.url);
    try {
      const r = mlc(root, "run", "--executor", "distributed", "--queue", redis.url);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`MLC5006 worker ${stale.output().match(/worker (\S+-\d+)/)?.[1] ?? ""}`);
      expect(r.stderr).toMatch(/runs other code than the coordinator for node "seed": file src\/nodes\.ts differs/);
      expect(r.stderr).toContain(other);
    } finally {
      await stale.stop();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("with distributed.scratch, large values travel through the scratch folder, removed after the run", async () => {
    const root = fixtureProject("distributed");
    const scratch = mkdtempSync(join(tmpdir(), "mlc-scratch-"));
    writeFileSync(join(root, "mlc.yml"), `distributed:\n  scratch: ${scratch}\n  inline_max_bytes: 0\n`);
    const { stop } = await startWorkers(root, redis.url);
    try {
      const r = mlc(root, "run", "--executor", "distributed", "--queue", redis.url);
      expect(r.code, r.all).toBe(0);
      expect(readJson(root, "data/final.json")).toEqual({ total: 499500, done: true });
      expect(readdirSync(scratch)).toEqual([]);
      // A scratch that cannot be written fails the node that needed it, saying where.
      writeFileSync(join(root, "mlc.yml"), `distributed:\n  scratch: /proc/no-scratch\n  inline_max_bytes: 0\n`);
      const bad = mlc(root, "run", "--executor", "distributed", "--queue", redis.url, "--force");
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/no-scratch/);
    } finally {
      await stop();
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
