// The write-ahead log of the MLflow mirror: one JSONL file per mlc run under
// `<root>/.mlc/outbox/<run_id>.jsonl`, appended (and fdatasync'd) BEFORE anything is sent. It
// holds every operation with a sequence number, plus delivery facts: which MLflow run our run
// maps to, which operations were delivered or rejected. Replaying it is idempotent, so a server
// that is down costs nothing but a later `mlc mlflow sync`. Artifact files are snapshotted into
// `<run_id>/` next to the log, so a later run overwriting them cannot change what this run
// logged: copied (reflinked where the file system can) up to 64 MB; bigger files are hard-linked
// (datasets save by atomic rename, so the link keeps this run's bytes), copied when linking fails.
import { closeSync, existsSync, fdatasync, mkdirSync, openSync, promises as fsp, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, write, writeFileSync, writeSync } from "node:fs";
import { constants } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { listJournals } from "./journal-format.js";
import { encodeJson } from "./options.js";
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
  /** The mlc run's process (the background deliverer lets it leave before delivering). */
  readonly pid?: number;
  /** The run's account id when the environment named no user: mlflow.user is looked up at delivery. */
  readonly uid?: number;
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
    else ops.set(e.seq, e.t === "batch" ? { ...e, metrics: e.metrics.map(numeric) } : e);
  }
  const sorted = [...ops.values()].sort((a, b) => a.seq - b.seq);
  const start = (sorted.find((o) => o.t === "start") as StartOp | undefined) ?? null;
  return { runId, start, ops: sorted, done, rejected, mapped };
}

/** A metric as appended (non-finite values are strings there) with its value a number again. */
function numeric(m: Metric): Metric {
  return typeof m.value === "string" ? { ...m, value: Number(m.value) } : m;
}

/** The server run `file` was meant for (its start record's URI), or null when unreadable. */
export function outboxUri(file: string): string | null {
  return outboxStart(file)?.uri ?? null;
}

/** The start record of outbox `file` (its first line), or null when unreadable. */
export function outboxStart(file: string): StartOp | null {
  let fd: number | null = null;
  try {
    fd = openSync(file, "r");
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const line = buf.subarray(0, n).toString("utf8").split("\n", 1)[0];
    const start = JSON.parse(line) as Partial<StartOp>;
    return start.t === "start" && typeof start.uri === "string" ? (start as StartOp) : null;
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
    // NaN and ±Infinity as MLflow's strings: JSON.stringify would write null, and a replay would
    // send a batch the server refuses whole.
    const text = entries.map((e) => encodeJson(e)).join("\n") + "\n";
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
    await copyOne(src, dest, (await fsp.stat(src)).size);
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

/**
 * Snapshots a file, or a folder's files, as `dest` (a run's journal keeps what it logged so: the
 * source may be overwritten before delivery). Rejects when `src` does not exist.
 */
export async function snapshotInto(src: string, dest: string): Promise<void> {
  const st = await fsp.stat(src);
  if (!st.isDirectory()) return copyOne(src, dest, st.size);
  await fsp.mkdir(dest, { recursive: true });
  for (const e of await fsp.readdir(src, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const from = join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    await copyOne(from, join(dest, relative(src, from)), (await fsp.stat(from)).size);
  }
}

/** Copies one file (reflinked where the file system can); over COPY_LIMIT hard-linked when possible. */
async function copyOne(src: string, dest: string, size: number): Promise<void> {
  await fsp.mkdir(dirname(dest), { recursive: true });
  if (size > COPY_LIMIT) {
    try {
      await fsp.link(src, dest);
      return;
    } catch {
      // another file system: copy
    }
  }
  await fsp.copyFile(src, dest, constants.COPYFILE_FICLONE);
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

/** How long an unreferenced shared graph snapshot is kept (a run touches it when it reuses it). */
const GRAPH_KEEP_MS = 10 * 60_000;

/**
 * The shared snapshot of a graph IR: `<outbox>/graphs/<hash>.json`, written by the first run of
 * that graph and touched by each later one (so pruneGraphs, which drops unreferenced snapshots
 * untouched for GRAPH_KEEP_MS, never takes one a starting run is about to reference). Repeated
 * runs of one pipeline thus write its IR once, not each on its own time. Null for a hash that is
 * not one (the caller snapshots per run then).
 */
export function sharedGraph(root: string, hash: string, ir: string): string | null {
  if (!/^[0-9a-f]{16,128}$/.test(hash)) return null;
  const dir = join(outboxDir(root), "graphs");
  const file = join(dir, `${hash}.json`);
  try {
    const now = new Date();
    utimesSync(file, now, now);
    return file;
  } catch {
    // not written yet
  }
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, ir);
  renameSync(tmp, file);
  return file;
}

/** Drops shared graph snapshots no queued run references and nobody touched lately (never throws). */
export function pruneGraphs(root: string, keepMs = GRAPH_KEEP_MS): void {
  const dir = join(outboxDir(root), "graphs");
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  let queued: string[] | null = null;
  for (const name of names) {
    const file = join(dir, name);
    try {
      if (now - statSync(file).mtimeMs < keepMs) continue;
      // Runs still in their journal reference it too.
      queued ??= [...listOutboxes(root), ...listJournals(root)].map((f) => readFileSafe(f));
      // <hash>.json and what delivery rendered from it (<hash>.json.graph.json, ...) go together.
      const ir = name.slice(0, name.indexOf(".json") + 5);
      if (ir.length > 5 && !name.endsWith(".tmp") && queued.some((text) => text.includes(ir))) continue;
      unlinkSync(file);
    } catch {
      // removed meanwhile
    }
  }
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
      // unlinkSync: rmSync's first call loads its recursive-removal code (~0.4 ms on a run's time).
      return () => {
        try {
          unlinkSync(file);
        } catch {
          // already removed (a sync took it for a dead run's): nothing to release
        }
      };
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

/**
 * True when process `pid` exists (EPERM: it exists, owned by someone else) and has not ended: a
 * zombie (ended, not yet reaped: a detached deliverer whose parent is gone waits for init) is dead.
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  if (process.platform !== "linux") return true;
  // "<pid> (<comm>) <state> ...": comm is at most 15 characters, so 128 bytes hold the state.
  // One small read (readFileSync of a /proc file costs ~0.2-0.6 ms, this ~0.02-0.2).
  let fd: number | null = null;
  try {
    fd = openSync(`/proc/${pid}/stat`, "r");
    const n = readSync(fd, statBuf, 0, statBuf.length, 0);
    const stat = statBuf.toString("latin1", 0, n);
    return stat.charAt(stat.lastIndexOf(")") + 2) !== "Z";
  } catch {
    return true; // no /proc: kill's answer stands
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

const statBuf = Buffer.alloc(128);
