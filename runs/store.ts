// Local run records: `.mlc/runs/<run_id>/run.json` (SPEC section 8), always written atomically
// (temporary file + rename), so a reader or a crash never sees half a record.
import { randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, promises as fsp, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { removeTemps, writeFileAtomicSync } from "../catalog/atomic.js";
import { isAlive } from "../catalog/process-identity.js";
import type { MetricPoint, RunRecord, RunStatus } from "./record.js";

/** The folder holding every run of a project. */
export function runsDir(root: string): string {
  return join(root, ".mlc", "runs");
}

/** A new run id, sortable by start time: `20261126-032131-ab12cd` (UTC). */
export function newRunId(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-26T03:21:31.123Z
  const stamp = `${iso.slice(0, 10).replace(/-/g, "")}-${iso.slice(11, 19).replace(/:/g, "")}`;
  return `${stamp}-${randomBytes(3).toString("hex")}`;
}

/**
 * Writes `record` to its run.json atomically (`mkdir: false` when the folder is known to exist).
 * Temporary file + rename, without fsync: readers and a crashing process never see half a record;
 * only a power cut can lose the latest update (fsync costs 2-30 ms per write on this kind of disk).
 * Synchronous on purpose: a record is ~100 KB at most and four thread-pool round trips cost more
 * (measured 4-27 ms at the end of a loaded run) than blocking for a fraction of a millisecond.
 */
export async function writeRun(root: string, record: RunRecord, mkdir = true): Promise<void> {
  writeRunSync(root, record, mkdir);
}

function writeRunSync(root: string, record: RunRecord, mkdir: boolean): void {
  const dir = join(runsDir(root), record.run_id);
  if (mkdir) mkdirSync(dir, { recursive: true });
  writeFileAtomicSync(join(dir, "run.json"), JSON.stringify(record, null, 2) + "\n");
}

/** The append-only metric history of a run: one MetricPoint per line. */
export function metricsFile(root: string, id: string): string {
  return join(runsDir(root), id, "metrics.jsonl");
}

/** Every metric point run `id` logged, in order ([] when none or unreadable lines only). */
export function readMetricHistory(root: string, id: string): MetricPoint[] {
  if (!/^[\w.-]+$/.test(id)) return [];
  let text: string;
  try {
    text = readFileSync(metricsFile(root, id), "utf8");
  } catch {
    return [];
  }
  const out: MetricPoint[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as MetricPoint);
    } catch {
      // A torn last line after a crash: skip it.
    }
  }
  return out;
}

/**
 * The record of run `id`, or null when there is none (or it is unreadable or not a run record).
 * A `running` record whose process is gone (SIGKILL, a crash, a power cut) reads as `interrupted`
 * and is rewritten so on disk.
 */
export function readRun(root: string, id: string): RunRecord | null {
  if (!/^[\w.-]+$/.test(id)) return null;
  return parseRun(root, join(runsDir(root), id, "run.json"));
}

function parseRun(root: string, path: string): RunRecord | null {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
  if (!isRunRecord(data)) return null;
  return isStale(data) ? markInterrupted(root, data, path) : data;
}

/** True for a record still `running` whose process has ended. */
function isStale(r: RunRecord): boolean {
  const p = r.process;
  if (r.status !== "running" || !isObj(p) || typeof p.pid !== "number") return false;
  return !isAlive({ pid: p.pid, start: String(p.start ?? "") });
}

/** The record of a dead run as `interrupted`, written back (best effort: a read-only folder still reads right). */
function markInterrupted(root: string, r: RunRecord, path: string): RunRecord {
  const lastWrite = statSync(path, { throwIfNoEntry: false })?.mtime ?? new Date();
  const message =
    `mlc (pid ${r.process!.pid}) ended before the run finished (killed, crashed or a power cut); ` +
    `resume with: mlc run --resume ${r.run_id}`;
  const error = r.error ?? { code: "MLC5003", message };
  const fixed: RunRecord = { ...r, status: "interrupted", finished_at: lastWrite.toISOString(), error };
  try {
    writeRunSync(root, fixed, false);
    removeTemps(dirname(path), "dead"); // a record write the crash cut short
  } catch {
    // Another reader fixed it first, or the folder is read-only: the answer is the same.
  }
  return fixed;
}

/** True when a run.json folder exists for `id` (so a null readRun means a damaged record). */
export function hasRunFolder(root: string, id: string): boolean {
  return /^[\w.-]+$/.test(id) && existsSync(join(runsDir(root), id, "run.json"));
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The fields `runs ls/show` and `--resume` read, with the right types: a hand-edited or foreign
 * run.json must read as damaged, not crash them (`nodes: "x"` was an internal error).
 */
export function isRunRecord(v: unknown): v is RunRecord {
  if (!isObj(v) || typeof v.run_id !== "string" || typeof v.status !== "string" || typeof v.started_at !== "string")
    return false;
  if (
    !Array.isArray(v.nodes) ||
    !v.nodes.every((n) => isObj(n) && typeof n.name === "string" && typeof n.status === "string")
  )
    return false;
  for (const k of ["selection", "runtime_params", "params", "metrics"])
    if (v[k] !== undefined && v[k] !== null && !isObj(v[k])) return false;
  for (const k of ["datasets", "resume_nodes"])
    if (v[k] !== undefined && v[k] !== null && !Array.isArray(v[k])) return false;
  for (const k of ["mlflow", "process"]) if (v[k] !== undefined && v[k] !== null && !isObj(v[k])) return false;
  return true;
}

/**
 * Every readable run record that `keep` accepts, newest first (by start time: ids only sort to the
 * second). A search passes its filter as `keep`: a record it rejects is dropped as soon as it is
 * parsed instead of being held (and copied by the garbage collector) with the others.
 */
export async function listRuns(root: string, keep?: (r: RunRecord) => boolean): Promise<RunRecord[]> {
  const dir = runsDir(root);
  let ids: string[];
  try {
    ids = await fsp.readdir(dir);
  } catch {
    return [];
  }
  const keyed: { key: string; record: RunRecord }[] = [];
  for (const id of ids) {
    const r = /^[\w.-]+$/.test(id) ? parseRun(root, `${dir}${sep}${id}${sep}run.json`) : null;
    if (r && (!keep || keep(r))) keyed.push({ key: `${r.started_at}\0${r.run_id}`, record: r });
  }
  keyed.sort((a, b) => (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  return keyed.map((k) => k.record);
}

/** The newest run matching `filter` (e.g. status failed), or null. */
export async function latestRun(root: string, filter?: (r: RunRecord) => boolean): Promise<RunRecord | null> {
  return (await listRuns(root)).find((r) => !filter || filter(r)) ?? null;
}

/** True for statuses a run can be resumed from. */
export function isResumable(status: RunStatus): boolean {
  return status === "failed" || status === "interrupted";
}

/**
 * Keeps one run.json up to date while a run goes on: updates are coalesced to at most one write
 * per `intervalMs`, and never more often than 20x the last write's cost (a record holding a long
 * metric history must not turn a run into record writing), so a 1,000-node run does not pay
 * 1,000 writes; `flush()` writes the latest state now.
 */
export class RunWriter {
  private latest: RunRecord | (() => RunRecord) | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastWrite = 0;
  private cost = 0;
  private writes = 0;
  /** The first write error, if any (a run is never failed because its record could not be written). */
  error: unknown = null;

  /** `drain` gives the metric points logged since the last write (appended to metrics.jsonl). */
  constructor(
    private readonly root: string,
    private readonly intervalMs = 100,
    private readonly drain: () => readonly MetricPoint[] = () => [],
  ) {}

  /** Records `record` as the current state (a function: built only when written); written soon. */
  update(record: RunRecord | (() => RunRecord)): void {
    this.latest = record;
    if (this.timer) return;
    const gap = Math.max(this.intervalMs, 20 * this.cost);
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.write();
      },
      Math.max(0, this.lastWrite + gap - Date.now()),
    );
    this.timer.unref?.();
  }

  /** Writes the latest state now. */
  async flush(record?: RunRecord): Promise<void> {
    if (record) this.latest = record;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.write();
  }

  private write(): void {
    const latest = this.latest;
    this.latest = null;
    if (!latest) return;
    const t0 = performance.now();
    try {
      const record = typeof latest === "function" ? latest() : latest;
      const first = this.writes++ === 0;
      writeRunSync(this.root, record, first);
      const points = this.drain();
      if (points.length > 0)
        appendFileSync(metricsFile(this.root, record.run_id), points.map((p) => JSON.stringify(p)).join("\n") + "\n");
    } catch (err) {
      this.error ??= err;
    }
    this.cost = performance.now() - t0;
    this.lastWrite = Date.now();
  }
}

/** The commit checked out at `root` (read from .git, no subprocess), or null when not a git repo. */
export function gitCommit(root: string): string | null {
  try {
    const gitDir = findGitDir(resolve(root));
    if (!gitDir) return null;
    const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
    if (/^[0-9a-f]{40,64}$/.test(head)) return head;
    const ref = /^ref: (.+)$/.exec(head)?.[1];
    if (!ref) return null;
    const common = commonDir(gitDir);
    for (const dir of [gitDir, common]) {
      const p = join(dir, ref);
      if (existsSync(p)) return readFileSync(p, "utf8").trim() || null;
    }
    const packed = readFileSync(join(common, "packed-refs"), "utf8");
    const line = packed.split("\n").find((l) => l.endsWith(" " + ref));
    return line ? line.slice(0, line.indexOf(" ")) : null;
  } catch {
    return null;
  }
}

function findGitDir(start: string): string | null {
  for (let dir = start; ; dir = dirname(dir)) {
    const p = join(dir, ".git");
    const st = statSync(p, { throwIfNoEntry: false });
    if (st?.isDirectory()) return p;
    if (st?.isFile()) {
      // Worktrees and submodules: ".git" is a file "gitdir: <path>".
      const m = /^gitdir: (.+)$/m.exec(readFileSync(p, "utf8"));
      return m ? resolve(dir, m[1].trim()) : null;
    }
    if (dirname(dir) === dir) return null;
  }
}

function commonDir(gitDir: string): string {
  const p = join(gitDir, "commondir");
  return existsSync(p) ? resolve(gitDir, readFileSync(p, "utf8").trim()) : gitDir;
}
