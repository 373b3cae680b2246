// Real `mlc worker` processes for the distributed executor's tests: started in a project folder
// against a test Redis, awaited until each says it is ready, stopped with SIGTERM (or killed).
import type { ChildProcessByStdio } from "node:child_process";
import { existsSync, readFileSync, watch } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import type { Readable } from "node:stream";
import { spawnMlc, type CliEnv } from "./cli.js";

export interface TestWorker {
  readonly proc: ChildProcessByStdio<null, Readable, Readable>;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves once its output matches `pattern`. */
  waitFor(pattern: RegExp): Promise<void>;
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

/** Starts one worker serving `queue` for the project at `root`; resolves once it is ready. */
export async function startWorker(
  root: string,
  queue: string,
  extra: string[] = [],
  env: CliEnv = {},
): Promise<TestWorker> {
  const proc = spawnMlc(root, ["worker", "--queue", queue, ...extra], { env });
  let out = "";
  const waiters: { pattern: RegExp; ok: () => void }[] = [];
  const exited = new Promise<number | null>((ok) => proc.once("exit", (code) => ok(code)));
  const onData = (b: Buffer) => {
    out += b.toString();
    for (const w of waiters.splice(0))
      if (w.pattern.test(out)) w.ok();
      else waiters.push(w);
  };
  proc.stdout.on("data", onData);
  proc.stderr.on("data", onData);
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((ok, fail) => {
      if (pattern.test(out)) return ok();
      waiters.push({ pattern, ok });
      void exited.then((code) => fail(new Error(`mlc worker exited (${code}) before ${pattern}:\n${out}`)));
    });
  await waitFor(/mlc worker: ready/);
  return {
    proc,
    output: () => out,
    waitFor,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      return exited;
    },
  };
}

/** `n` workers for `root`, and one function stopping them all. */
export async function startWorkers(root: string, queue: string, n = 2, extra: string[] = []) {
  const workers = await Promise.all(Array.from({ length: n }, () => startWorker(root, queue, extra)));
  return { workers, stop: () => Promise.all(workers.map((w) => w.stop())) };
}

/** Resolves with the content of the file `name` in the folder `dir` once it has some (watched, not polled). */
export function fileAppears(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  const content = () => (existsSync(path) ? readFileSync(path, "utf8") : "");
  return new Promise((ok) => {
    const w = watch(dir, () => content() && (w.close(), ok(content())));
    if (content()) (w.close(), ok(content()));
  });
}

/** The pid a node wrote into `data/slow.pid` (a worker process's): never 0, which would signal our whole group. */
export async function nodePid(root: string): Promise<number> {
  const pid = Number(await fileAppears(join(root, "data"), "slow.pid"));
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`data/slow.pid holds no pid: ${pid}`);
  return pid;
}

/** The Redis keys matching `pattern`, sorted (a run must leave none of its own behind). */
export async function redisKeys(url: string, pattern = "*"): Promise<string[]> {
  const client = new Redis(url);
  try {
    return (await client.keys(pattern)).sort();
  } finally {
    client.disconnect();
  }
}

/** Its exit code and everything it printed, once a spawned mlc exits (the test's event loop keeps running). */
export function finished(
  proc: ChildProcessByStdio<null, Readable, Readable>,
): Promise<{ code: number | null; out: string }> {
  let out = "";
  proc.stdout.on("data", (b) => (out += b));
  proc.stderr.on("data", (b) => (out += b));
  return new Promise((ok) => proc.once("exit", (code) => ok({ code, out })));
}
