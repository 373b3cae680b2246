// The MLflow mirror of one run as one append-only event file, `.mlc/outbox/<run_id>.jsonl`, plus
// what delivery has done with it (`<run_id>.sent`: how many events the server has, and the MLflow
// runs they went to). The run appends; `deliver` (the run's end, `mlc mlflow sync`) reads. A cut
// last line (a crash mid-append) is ignored. Artifacts are copied into `<run_id>/` when logged, so
// a later run overwriting the file cannot change what this run logged.
import { closeSync, constants, fdatasync, mkdirSync, openSync, promises as fsp, readdirSync, readFileSync } from "node:fs";
import { renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { encodeJson } from "./options.js";
import type { DatasetInput, KeyValue, Metric, RunStatus } from "./types.js";

export interface StartEvent {
  readonly t: "start";
  readonly run_id: string;
  /** The run's process: while it lives, nobody else delivers its file. */
  readonly pid: number;
  /** Printable tracking URI (no credentials): where the run was meant to go. */
  readonly uri: string;
  readonly experiment: { readonly name: string; readonly restore_deleted: boolean; readonly artifact_location: string | null; readonly tags: readonly KeyValue[] };
  readonly run_name: string;
  readonly start_time: number;
  readonly tags: readonly KeyValue[];
}
export interface BatchEvent { readonly t: "batch"; readonly child?: string; readonly metrics: readonly Metric[]; readonly params: readonly KeyValue[]; readonly tags: readonly KeyValue[] }
export interface InputsEvent { readonly t: "inputs"; readonly datasets: readonly DatasetInput[] }
/** `file`: the run's copy inside the outbox; `path`: where it goes among the run's artifacts. */
export interface ArtifactEvent { readonly t: "artifact"; readonly file: string; readonly path: string }
export interface ChildEvent { readonly t: "child"; readonly node: string; readonly start_time: number; readonly tags: readonly KeyValue[] }
export interface EndEvent { readonly t: "end"; readonly child?: string; readonly status: RunStatus; readonly end_time: number }
export type RunEvent = StartEvent | BatchEvent | InputsEvent | ArtifactEvent | ChildEvent | EndEvent;

/** An MLflow run our events go to ("" = the main run, else a node's child run). */
export interface Mapping { readonly run: string; readonly experiment_id: string; readonly artifact_uri: string }
/** Delivery's progress: the first `sent` events are on the server. */
export interface Progress { sent: number; runs: Record<string, Mapping> }

const COPY_LIMIT = 64 * 1024 * 1024;
const noop = () => {};

/** `<root>/.mlc/outbox` */
export function outboxDir(root: string): string {
  return join(root, ".mlc", "outbox");
}

const fileOf = (root: string, runId: string, ext: string) => join(outboxDir(root), `${runId}${ext}`);

/** Run ids with an event file, oldest first. */
export function queuedRuns(root: string): string[] {
  try {
    return readdirSync(outboxDir(root)).filter((f) => f.endsWith(".jsonl")).sort().map((f) => f.slice(0, -6));
  } catch {
    return [];
  }
}

/** The events of a run's file; a line cut by a crash is dropped. */
export function readEvents(root: string, runId: string): RunEvent[] {
  let text = "";
  try {
    text = readFileSync(fileOf(root, runId, ".jsonl"), "utf8");
  } catch {
    return [];
  }
  const out: RunEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as RunEvent;
      out.push(e.t === "batch" ? { ...e, metrics: e.metrics.map((m) => ({ ...m, value: Number(m.value) })) } : e);
    } catch {
      // the torn last line of a crashed run
    }
  }
  return out;
}

export function readProgress(root: string, runId: string): Progress {
  try {
    const p = JSON.parse(readFileSync(fileOf(root, runId, ".sent"), "utf8")) as Progress;
    if (Number.isInteger(p.sent) && p.runs && typeof p.runs === "object") return p;
  } catch {
    // nothing delivered yet
  }
  return { sent: 0, runs: {} };
}

/** Records progress (atomically; not fsync'd: losing it only means an idempotent re-send). */
export function writeProgress(root: string, runId: string, p: Progress): void {
  const file = fileOf(root, runId, ".sent");
  writeFileSync(`${file}.tmp`, JSON.stringify(p));
  renameSync(`${file}.tmp`, file);
}

/** Removes a delivered run's file, progress, lock and artifact copies. */
export function removeRun(root: string, runId: string): void {
  for (const ext of [".jsonl", ".sent"]) rmSync(fileOf(root, runId, ext), { force: true });
  rmSync(fileOf(root, runId, ""), { recursive: true, force: true });
}

/** The open event file of a live run. */
export class EventLog {
  private readonly fd: number;
  private syncing: Promise<void> | null = null;
  private again = false;
  private copies = 0;

  constructor(readonly root: string, readonly runId: string) {
    mkdirSync(outboxDir(root), { recursive: true });
    this.fd = openSync(fileOf(root, runId, ".jsonl"), "a");
  }

  /** Appends events (in the page cache at once: they survive a crash of mlc). */
  append(events: readonly RunEvent[]): void {
    if (events.length === 0) return;
    const buf = Buffer.from(events.map((e) => encodeJson(e)).join("\n") + "\n", "utf8");
    for (let off = 0; off < buf.length; ) off += writeSync(this.fd, buf, off);
  }

  /**
   * Makes what was appended durable (fdatasync on the thread pool, off the run's time). Calls
   * while one is in flight share one more sync after it.
   */
  sync(): Promise<void> {
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    const p = new Promise<void>((res, rej) => fdatasync(this.fd, (e) => (e ? rej(e) : res())));
    this.syncing = p.then(noop, noop).then(() => {
      this.syncing = null;
      if (this.again) {
        this.again = false;
        void this.sync().catch(() => {});
      }
    });
    return p;
  }

  /** Copies `src` into this run's folder (reflinked where possible; hard-linked over 64 MB). */
  async copy(src: string, name: string): Promise<string> {
    const dest = join(fileOf(this.root, this.runId, ""), String(this.copies++), name);
    await fsp.mkdir(dirname(dest), { recursive: true });
    if ((await fsp.stat(src)).size > COPY_LIMIT) {
      try {
        await fsp.link(src, dest); // datasets save by rename: the link keeps this run's bytes
        return dest;
      } catch {
        // another file system: copy
      }
    }
    await fsp.copyFile(src, dest, constants.COPYFILE_FICLONE);
    return dest;
  }

  /** Writes generated content (graph.json, run.json) into this run's folder. */
  write(name: string, content: string): string {
    const dest = join(fileOf(this.root, this.runId, ""), name);
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, content);
    return dest;
  }

  /** Syncs everything appended, then closes the file. */
  async close(): Promise<void> {
    while (this.syncing) await this.syncing;
    await this.sync();
    closeSync(this.fd);
  }
}

/**
 * Takes `<run_id>.lock` unless a live process other than this one holds it: the run while it
 * goes, a sync while it delivers. Returns the release function, or null.
 */
export function lockRun(root: string, runId: string): (() => void) | null {
  const file = fileOf(root, runId, ".lock");
  mkdirSync(outboxDir(root), { recursive: true });
  for (let i = 0; i < 2; i++) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => rmSync(file, { force: true });
    } catch {
      if (alive(Number(readText(file)))) return null;
      rmSync(file, { force: true }); // its holder is gone
    }
  }
  return null;
}

/** True when `pid` is a process other than this one that still exists. */
export function alive(pid: number): boolean {
  if (!(pid > 0) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readText(f: string): string {
  try {
    return readFileSync(f, "utf8");
  } catch {
    return "";
  }
}
