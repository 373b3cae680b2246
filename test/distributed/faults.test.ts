// The distributed executor when the coordinator or Redis goes away mid-run: real processes killed
// with real signals, a real redis-server restarted (without persistence, so its jobs are lost).
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { mlc, spawnMlc } from "../helpers/cli.js";
import { startRedis, type TestRedis } from "../helpers/redis.js";
import { nodePid, redisKeys, startWorkers } from "../helpers/workers.js";
import { cleanupProjects, fixtureProject, readJson } from "../executors/project.js";

let redis: TestRedis;
beforeAll(async () => void (redis = await startRedis()));
afterAll(async () => {
  await redis?.stop();
  cleanupProjects();
});

const runsLs = (root: string) =>
  (JSON.parse(mlc(root, "runs", "ls", "--json").stdout) as { runs: { status: string; nodes: string }[] }).runs;

it("the coordinator SIGKILLed mid-run: mlc run --resume clears what it left, finishes it, completed nodes cached", async () => {
  const root = fixtureProject("distributed");
  const { stop } = await startWorkers(root, redis.url);
  try {
    const args = ["run", "--executor", "distributed", "--queue", redis.url, "--params", "slow_ms=60000"];
    const run = spawnMlc(root, args);
    const gone = new Promise((ok) => run.once("exit", ok));
    await nodePid(root);
    run.kill("SIGKILL");
    await gone;
    const orphaned = await redisKeys(redis.url, "bull:mlc-distributed:*-slow-1");
    expect(orphaned).toHaveLength(1);
    // The orphaned node is cancelled on its worker, its job and values removed, then the rest runs.
    const r = mlc(root, "run", "--resume", "--executor", "distributed", "--queue", redis.url, "--params", "slow_ms=50");
    expect(r.code, r.all).toBe(0);
    // Only the two unfinished nodes execute. Whether seed and sum show as cached depends on whether
    // the killed run's record had been written since they finished (resumed from slow, or earlier).
    const executed = [...r.stdout.matchAll(/^(\w+)\s+completed\s/gm)].map((m) => m[1]);
    expect(executed, r.all).toEqual(["slow", "after"]);
    expect(r.stdout, r.all).toMatch(/success in .*: 2 completed(, [12] cached)?|[12] cached, 2 completed/);
    expect(readJson(root, "data/final.json")).toEqual({ total: 499500, done: true });
    const left = (await redisKeys(redis.url)).filter((k) => !/:(events|id|meta|stalled-check)$/.test(k));
    expect(left).toEqual([]);
  } finally {
    await stop();
  }
});

it("Redis restarted mid-run, losing its jobs: the run fails cleanly (MLC7003) with the resume command, which finishes it", async () => {
  const root = fixtureProject("distributed");
  const { stop } = await startWorkers(root, redis.url);
  try {
    const run = spawnMlc(root, ["run", "--executor", "distributed", "--queue", redis.url, "--params", "slow_ms=4000"]);
    let out = "";
    run.stdout.on("data", (b) => (out += b));
    run.stderr.on("data", (b) => (out += b));
    const done = new Promise<number | null>((ok) => run.once("exit", ok));
    await nodePid(root);
    const port = Number(new URL(redis.url).port);
    await redis.stop();
    redis = await startRedis(port);
    const code = await done;
    expect(code, out).toBe(1);
    expect(out).toMatch(/MLC7003 node "slow": its job is gone from the queue/);
    expect(out).toMatch(/mlc run --resume|--from-nodes/);
    expect(runsLs(root)[0].status).toBe("failed");
    const r = mlc(root, "run", "--resume", "--executor", "distributed", "--queue", redis.url, "--params", "slow_ms=50");
    expect(r.code, r.all).toBe(0);
    expect(readJson(root, "data/final.json")).toEqual({ total: 499500, done: true });
  } finally {
    await stop();
  }
});
