// The write-ahead log of the MLflow mirror: one JSONL file per mlc run under
// `<root>/.mlc/outbox/<run_id>.jsonl`, appended (and fdatasync'd) BEFORE anything is sent. It
// holds every operation with a sequence number, plus delivery facts: which MLflow run our run
// maps to, which operations were delivered or rejected. Replaying it is idempotent, so a server
// that is down costs nothing but a later `mlc mlflow sync`. Artifact files are snapshotted into
// `<run_id>/` next to the log, so a later run overwriting them cannot change what this run
// logged: copied (reflinked where the file system can) up to 64 MB; bigger files are hard-linked
// (datasets save by atomic rename, so the link keeps this run's bytes), copied when linking fails.
import { closeSync, existsSync, fdatasync, mkdirSync, openSync, promises as fsp, readdirSync, readFileSync, readSync, rmSync, write, writeFileSync, writeSync } from "node:fs";
import { constants } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { DatasetInput, KeyValue, Metric, RunStatus } from "./types.js";

const COPY_LIMIT = 64 * 1024 * 1024;

/** Creates the MLflow run (and experiment when missing). Always seq 0. */
export interface StartOp {
  readonly t: "start";
  readonly seq: 0;
  readonly mlc_run_id: string;
  /** Printable tracking URI (no credentials): where the run was meant to go. */
  readonly uri: string;
  readonly experiment: { readonly name: string; readonly restore_deleted: boolean; readonly artifact_location: string | null; readonly tags: readonly KeyValue[] };
  readonly run_name: string;
  readonly start_time: number;
  readonly tags: readonly KeyValue[];
}
export interface BatchOp { readonly t: "batch"; readonly seq: number; readonly child?: string; readonly metrics: readonly Metric[]; readonly params: readonly KeyValue[]; readonly tags: readonly KeyValue[] }
export interface InputsOp { readonly t: "inputs"; readonly seq: number; readonly datasets: readonly DatasetInput[] }
/**
 * `file` is absolute (a snapshot inside the outbox folder); `path` is the artifact path with file
 * name. With `render`, `file` holds the run's graph IR and the artifact is rendered from it when
 * delivered (graph.json as `mlc compile` writes it, or the Mermaid diagram).
 */
export interface ArtifactOp { readonly t: "artifact"; readonly seq: number; readonly file: string; readonly path: string; readonly render?: "graph.json" | "pipeline.mmd" }
export interface ChildOp { readonly t: "child"; readonly seq: number; readonly node: string; readonly start_time: number; readonly tags: readonly KeyValue[] }
export interface EndOp { readonly t: "end"; readonly seq: number; readonly child?: string; readonly status: RunStatus; readonly end_time: number }
export type Op = StartOp | BatchOp | InputsOp | ArtifactOp | ChildOp | EndOp;

/** Delivery facts, appended after the server answered. */
export type Fact =
  | { readonly t: "mapped"; readonly child?: string; readonly run: string; readonly experiment_id: string; readonly artifact_uri: string }
  | { readonly t: "done"; readonly seq: number }
  | { readonly t: "rejected"; readonly seq: number; readonly error: string };

export type Entry = Op | Fact;

/** The folded state of one outbox file. */
export interface OutboxState {
  readonly runId: string;
  readonly start: StartOp | null;
  /** Operations by seq, in seq order. */
  readonly ops: readonly Op[];
  readonly done: ReadonlySet<number>;
  readonly rejected: ReadonlyMap<number, string>;
  /** "" = the main run; otherwise the node name of a child run. */
  readonly mapped: ReadonlyMap<string, { run: string; experiment_id: string; artifact_uri: string }>;
}

/** `<root>/.mlc/outbox` */
export function outboxDir(root: string): string {
  return join(root, ".mlc", "outbox");
}

/** Operations not yet delivered nor rejected. */
export function pendingOps(s: OutboxState): Op[] {
  return s.ops.filter((o) => !s.done.has(o.seq) && !s.rejected.has(o.seq));
}

/** True when the run ended and every operation was delivered or rejected. */
export function isComplete(s: OutboxState): boolean {
  return s.ops.some((o) => o.t === "end" && !o.child) && pendingOps(s).length === 0;
}

/** Parses an outbox file; a torn last line (crash mid-append) is ignored. */
export function readOutbox(file: string): OutboxState {
  const runId = basename(file, ".jsonl");
  const ops = new Map<number, Op>();
  const done = new Set<number>();
  const rejected = new Map<number, string>();
  const mapped = new Map<string, { run: string; experiment_id: string; artifact_uri: string }>();
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    let e: Entry;
    try {
      e = JSON.parse(line) as Entry;
    } catch {
      continue;
    }
    if (e.t === "done") done.add(e.seq);
    else if (e.t === "rejected") rejected.set(e.seq, e.error);
    else if (e.t === "mapped") mapped.set(e.child ?? "", { run: e.run, experiment_id: e.experiment_id, artifact_uri: e.artifact_uri });
    else ops.set(e.seq, e);
  }
  const sorted = [...ops.values()].sort((a, b) => a.seq - b.seq);
  const start = (sorted.find((o) => o.t === "start") as StartOp | undefined) ?? null;
  return { runId, start, ops: sorted, done, rejected, mapped };
}

/** The server run `file` was meant for (its start record's URI), or null when unreadable. */
export function outboxUri(file: string): string | null {
  let fd: number | null = null;
  try {
    fd = openSync(file, "r");
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const line = buf.subarray(0, n).toString("utf8").split("\n", 1)[0];
    const start = JSON.parse(line) as Partial<StartOp>;
    return start.t === "start" && typeof start.uri === "string" ? start.uri : null;
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Outbox files of runs with something left to deliver, oldest first. */
export function listOutboxes(root: string): string[] {
  const dir = outboxDir(root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith(".jsonl")).sort().map((f) => join(dir, f));
}

/**
 * An open outbox: appends are serialised, durable ones flushed to disk (on the thread pool)
 * before they resolve. A non-durable append with nothing in flight is written at once, on this
 * thread: a short background run's appends never wait for a thread-pool round trip.
 */
export class Outbox {
  private readonly fd: number;
  private chain: Promise<void> = Promise.resolve();
  private inflight = 0;
  private nextSeq = 1;
  readonly file: string;
  readonly snapshots: string;

  constructor(readonly root: string, readonly runId: string, state?: OutboxState) {
    const dir = outboxDir(root);
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, `${runId}.jsonl`);
    this.snapshots = join(dir, runId);
    this.fd = openSync(this.file, "a");
    if (state && state.ops.length) this.nextSeq = state.ops[state.ops.length - 1].seq + 1;
  }

  /** The next operation number. */
  seq(): number {
    return this.nextSeq++;
  }

  /**
   * Appends entries in call order. Operations are made durable (fdatasync) before they resolve;
   * delivery facts skip the sync: losing one only means an idempotent re-send.
   */
  append(entries: readonly Entry[], durable = true): Promise<void> {
    if (entries.length === 0) return this.chain;
    const text = entries.map((e) => JSON.stringify(e)).join("\n") + "\n";
    if (!durable && this.inflight === 0) {
      try {
        writeAll(this.fd, Buffer.from(text, "utf8"));
        return Promise.resolve();
      } catch (err) {
        return Promise.reject(err);
      }
    }
    this.inflight++;
    const p = this.chain.then(async () => {
      await writeAllAsync(this.fd, Buffer.from(text, "utf8"));
      if (durable) await fdatasyncAsync(this.fd);
    });
    this.chain = p.catch(() => {}).finally(() => void this.inflight--);
    return p;
  }

  /** Copies (hard-links when possible) a file into the outbox; returns the snapshot path. */
  async snapshot(src: string, name: string): Promise<string> {
    const dest = join(this.snapshots, name);
    await fsp.mkdir(dirname(dest), { recursive: true });
    if ((await fsp.stat(src)).size > COPY_LIMIT) {
      try {
        await fsp.link(src, dest);
        return dest;
      } catch {
        // another file system: copy
      }
    }
    await fsp.copyFile(src, dest, constants.COPYFILE_FICLONE);
    return dest;
  }

  /** Writes generated content (graph.json, run.json, ...) into the outbox. */
  writeSnapshot(name: string, content: string): string {
    const dest = join(this.snapshots, name);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, content);
    return dest;
  }

  /** Flushes the file to disk (the background deliverer does this before sending anything). */
  async sync(): Promise<void> {
    await this.chain;
    await fdatasyncAsync(this.fd);
  }

  async close(): Promise<void> {
    await this.chain;
    closeSync(this.fd);
  }
}

function writeAll(fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
}

async function writeAllAsync(fd: number, buf: Buffer): Promise<void> {
  for (let off = 0; off < buf.length; ) off += await new Promise<number>((res, rej) => write(fd, buf, off, (e, n) => (e ? rej(e) : res(n))));
}

function fdatasyncAsync(fd: number): Promise<void> {
  return new Promise((res, rej) => fdatasync(fd, (e) => (e ? rej(e) : res())));
}

/** Deletes a fully delivered run's outbox file and snapshots. */
export function removeOutbox(root: string, runId: string): void {
  const dir = outboxDir(root);
  rmSync(join(dir, runId), { recursive: true, force: true });
  rmSync(join(dir, `${runId}.jsonl`), { force: true });
}

/**
 * Takes `<run>.lock` unless a live process holds it; returns a release function or null. The
 * file holds the pid and who holds it: the run itself, or a sync delivering it.
 */
export function tryLock(root: string, runId: string, holder: "run" | "sync" = "run"): (() => void) | null {
  const file = join(outboxDir(root), `${runId}.lock`);
  mkdirSync(dirname(file), { recursive: true });
  for (let i = 0; i < 2; i++) {
    try {
      const fd = openSync(file, "wx");
      writeFileSync(fd, `${process.pid} ${holder}`);
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch {
      const pid = parseInt(readFileSafe(file), 10);
      if (pid && pid !== process.pid && alive(pid)) return null;
      rmSync(file, { force: true }); // stale lock of a dead process
    }
  }
  return null;
}

/** Who holds run `runId`'s lock, when a live process other than this one does. */
export function lockHolder(root: string, runId: string): "run" | "sync" | null {
  const [pid, holder] = readFileSafe(join(outboxDir(root), `${runId}.lock`)).split(" ");
  const n = Number(pid);
  if (!(n > 0 && n !== process.pid && alive(n))) return null;
  return holder === "sync" ? "sync" : "run";
}

/** True when a live process other than this one holds run `runId`'s lock. */
export function isLocked(root: string, runId: string): boolean {
  return lockHolder(root, runId) !== null;
}

function readFileSafe(f: string): string {
  try {
    return readFileSync(f, "utf8");
  } catch {
    return "";
  }
}

/** True when process `pid` exists (EPERM: it exists, owned by someone else). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
