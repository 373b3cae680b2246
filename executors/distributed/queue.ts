// The job queue of a distributed run: which Redis, which BullMQ queue, and the names of the keys a
// run uses. The coordinator and every worker derive the same names from the project, so a worker
// started anywhere with the same checkout serves the same queue.
import type { RedisOptions } from "bullmq";
import { Redis } from "ioredis";
import { MlcError } from "../../compiler/diagnostics.js";
import type { CompiledProject } from "../../compiler/types.js";

/** How long the first connection may take before the run fails MLC7003. */
const CONNECT_TIMEOUT_MS = 4000;

export interface QueueTarget {
  /** Where Redis is, as ioredis options (password included: never print these). */
  readonly redis: RedisOptions;
  /** The URL without its password, for messages. */
  readonly shown: string;
  /** The BullMQ queue name: one per project, never containing `:`. */
  readonly name: string;
}

/** The queue from `--queue`, MLC_QUEUE_URL or mlc.yml's `queue:`; MLC7003 when none is set. */
export function queueTarget(project: CompiledProject, flag?: string): QueueTarget {
  const settings = project.distributed;
  const url = flag || process.env.MLC_QUEUE_URL || settings.queue;
  if (!url)
    throw new MlcError(
      "MLC7003",
      "no job queue: pass --queue redis://HOST:PORT, set MLC_QUEUE_URL, or set `queue:` in mlc.yml",
    );
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MlcError("MLC7003", `the queue "${redact(url)}" is not a URL (expected redis://HOST:PORT)`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")
    throw new MlcError("MLC7003", `the queue "${redact(url)}" is not a redis:// or rediss:// URL`);
  const creds = settings.queue_credentials ? project.credentials[settings.queue_credentials] : undefined;
  const { username, password } = (creds ?? {}) as { username?: string; password?: string };
  const db = Number(parsed.pathname.slice(1) || 0);
  const redis: RedisOptions = {
    host: parsed.hostname,
    port: Number(parsed.port || 6379),
    db: Number.isInteger(db) ? db : 0,
    username: username ?? (decodeURIComponent(parsed.username) || undefined),
    password: password ?? process.env.MLC_QUEUE_PASSWORD ?? (decodeURIComponent(parsed.password) || undefined),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
    // BullMQ's blocking commands must wait as long as they need; reconnects retry forever.
    maxRetriesPerRequest: null,
  };
  return { redis, shown: redact(url), name: queueName(project.graph.name) };
}

/** A URL with any password replaced by `***`. */
export function redact(url: string): string {
  return url.replace(
    /\/\/([^/@]*)@/,
    (_m, auth: string) => `//${auth.includes(":") ? auth.split(":")[0] + ":***" : "***"}@`,
  );
}

/** `mlc-<project name>` with every character BullMQ or Redis patterns dislike replaced. */
export function queueName(project: string): string {
  return `mlc-${project.replace(/[^A-Za-z0-9_.-]/g, "-")}`;
}

/** Opens a connection, failing MLC7003 within a few seconds when Redis does not answer. */
export async function connect(target: QueueTarget): Promise<Redis> {
  const client = new Redis({ ...target.redis, lazyConnect: true, connectTimeout: CONNECT_TIMEOUT_MS } as never);
  // Reported by the awaited ping below; an unhandled 'error' event would only add noise.
  client.on("error", () => {});
  try {
    await withTimeout(
      client.connect().then(() => client.ping()),
      CONNECT_TIMEOUT_MS,
    );
    return client;
  } catch (err) {
    client.disconnect();
    throw new MlcError("MLC7003", `the job queue at ${target.shown} is unreachable: ${(err as Error).message}`);
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_ok, fail) => {
    timer = setTimeout(() => fail(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Keys of one run: its data values and its cancel channel (Redis keys may hold `:`; job ids may not). */
export const keys = {
  /** Prefix of every data key of run `runId`. */
  data: (queue: string, runId: string) => `mlc:${queue}:${runId}:`,
  cancel: (queue: string) => `mlc:${queue}:cancel`,
};

/** What every BullMQ job id of run `runId` starts with. */
export function jobPrefix(runId: string): string {
  return `${runId}-`.replace(/:/g, "%3A");
}

/** A BullMQ job id for one attempt of one node: no `:` allowed. */
export function jobId(runId: string, node: string, attempt: number): string {
  return jobPrefix(runId) + `${node}-${attempt}`.replace(/:/g, "%3A");
}
