// The MLflow mirror of one run as one append-only event file, `.mlc/outbox/<run_id>.jsonl`, and
// what delivery did with it (`<run_id>.sent`: how many events the server has, and the MLflow runs
// they went to). The run appends; `deliver` reads. A line cut by a crash is ignored. Artifacts are
// copied into `<run_id>/` when logged: a later run overwriting the file cannot change this run's.
import { closeSync, constants, fdatasync, mkdirSync, openSync, promises as fsp, readdirSync } from "node:fs";
import { readFileSync, renameSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { isAlive } from "../../catalog/process-identity.js";
import { encodeJson } from "./batcher.js";
import type { ModelRegistration } from "../sink.js";
import type { DatasetInput, KeyValue, Metric, RunStatus } from "./types.js";

type Experiment = { name: string; restore_deleted: boolean; artifact_location: string | null; tags: KeyValue[] };
/** `pid`: the run's process (while it lives, nobody else delivers the file); `uri`: printable, no credentials. */
export type StartEvent = {
  t: "start";
  run_id: string;
  pid: number;
  uri: string;
  experiment: Experiment;
  run_name: string;
  start_time: number;
  tags: readonly KeyValue[];
};
type Lists = { metrics: readonly Metric[]; params: readonly KeyValue[]; tags: readonly KeyValue[] };
export type BatchEvent = { t: "batch" } & Lists;
export type ChildEvent = { t: "child"; node: string; start_time: number; tags: readonly KeyValue[] };
/** A `register:` of the artifact at `path` (among the main run's artifacts); `rank` is its `compare:`. */
export type RegisterEvent = {
  t: "register";
  path: string;
  tags: Record<string, string>;
  rank?: { metric: string; ascending: boolean };
} & Omit<ModelRegistration, "tags" | "compare">;
/** An artifact: `file` is the run's copy, `path` its place among the run's artifacts. */
export type RunEvent =
  | StartEvent
  | BatchEvent
  | ChildEvent
  | RegisterEvent
  | { t: "inputs"; datasets: readonly DatasetInput[] }
  | { t: "artifact"; file: string; path: string }
  | { t: "end"; child?: string; status: RunStatus; end_time: number };

/** The run's end after `events`: child runs still open end first, with `childStatus`. */
export function endEvents(
  events: readonly RunEvent[],
  status: RunStatus,
  at: number,
  childStatus = status,
): RunEvent[] {
  const open = new Set<string>();
  for (const e of events) {
    if (e.t === "child") open.add(e.node);
    if (e.t === "end" && e.child) open.delete(e.child);
  }
  const ends = [...open].map((child): RunEvent => ({ t: "end", child, status: childStatus, end_time: at }));
  return [...ends, { t: "end", status, end_time: at }];
}

/** An MLflow run our events go to. */
export type Mapping = { run: string; experiment_id: string; artifact_uri: string };
/** Delivery's progress: the first `sent` events are on the server; `runs[""]` is the main run, else a node's. */
export type Progress = { sent: number; runs: Record<string, Mapping> };

const COPY_LIMIT = 64 * 1024 * 1024;
const noop = () => {};
const no = () => false;

/** `<root>/.mlc/outbox` */
export function outboxDir(root: string): string {
  return join(root, ".mlc", "outbox");
}

const fileOf = (root: string, runId: string, ext: string) => join(outboxDir(root), `${runId}${ext}`);

/** Run ids with an event file, oldest first. */
export function queuedRuns(root: string): string[] {
  try {
    return readdirSync(outboxDir(root))
      .filter((f) => f.endsWith(".jsonl"))
      .sort()
      .map((f) => f.slice(0, -6));
  } catch {
    return [];
  }
}

/** The events of a run's file (a line cut by a crash dropped), metric values numbers again. */
export function readEvents(root: string, runId: string): RunEvent[] {
  const out: RunEvent[] = [];
  for (const line of readText(fileOf(root, runId, ".jsonl")).split("\n")) {
    try {
      const e = JSON.parse(line) as RunEvent;
      out.push(e.t === "batch" ? { ...e, metrics: e.metrics.map((m) => ({ ...m, value: Number(m.value) })) } : e);
    } catch {
      // empty, or the torn last line of a crashed run
    }
  }
  return out;
}

export function readProgress(root: string, runId: string): Progress {
  try {
    const p = JSON.parse(readText(fileOf(root, runId, ".sent"))) as Progress;
    if (Number.isInteger(p.sent) && p.runs && typeof p.runs === "object") return p;
  } catch {
    // nothing delivered yet
  }
  return { sent: 0, runs: {} };
}

/** Records progress, atomically (not fsync'd: losing it only means an idempotent re-send). */
export function writeProgress(root: string, runId: string, p: Progress): void {
  const file = fileOf(root, runId, ".sent");
  writeFileSync(`${file}.tmp`, JSON.stringify(p));
  renameSync(`${file}.tmp`, file);
}

/** Removes a delivered run's file, progress and artifact copies. */
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

  constructor(
    readonly root: string,
    readonly runId: string,
  ) {
    mkdirSync(outboxDir(root), { recursive: true });
    this.fd = openSync(fileOf(root, runId, ".jsonl"), "a");
  }

  /** Appends events; once written they outlive a crash of mlc (sync() for a crash of the machine). */
  append(events: readonly RunEvent[]): void {
    if (events.length === 0) return;
    const buf = Buffer.from(events.map((e) => encodeJson(e)).join("\n") + "\n", "utf8");
    for (let off = 0; off < buf.length;) off += writeSync(this.fd, buf, off);
  }

  /** fdatasync on the thread pool, off the run's time; calls while one is in flight share one more after it. */
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
        this.sync().catch(noop);
      }
    });
    return p;
  }

  /** Copies `src` into this run's folder (reflinked where possible; hard-linked over 64 MB). */
  async copy(src: string, name: string): Promise<string> {
    const dest = join(fileOf(this.root, this.runId, ""), String(this.copies++), name);
    await fsp.mkdir(dirname(dest), { recursive: true });
    // Datasets save by rename, so a link keeps this run's bytes; on another file system, a copy.
    const big = (await fsp.stat(src)).size > COPY_LIMIT;
    const linked = big && (await fsp.link(src, dest).then(() => true, no));
    if (!linked) await fsp.copyFile(src, dest, constants.COPYFILE_FICLONE);
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

/** Takes `<run_id>.lock` unless another live process holds it (the run as it goes, a sync as it delivers). */
export function lockRun(root: string, runId: string): (() => void) | null {
  const file = fileOf(root, runId, ".lock");
  if (held.has(file)) return null;
  mkdirSync(outboxDir(root), { recursive: true });
  for (let i = 0; i < 2; i++) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      held.add(file);
      return () => {
        held.delete(file);
        rmSync(file, { force: true });
      };
    } catch {
      const pid = Number(readText(file));
      if (pid !== process.pid && isAlive({ pid, start: "" })) return null;
      rmSync(file, { force: true }); // its holder is gone
    }
  }
  return null;
}

/** Locks this process holds (a lock file naming this pid and not in here was left by an earlier process). */
const held = new Set<string>();

function readText(f: string): string {
  try {
    return readFileSync(f, "utf8");
  } catch {
    return "";
  }
}
