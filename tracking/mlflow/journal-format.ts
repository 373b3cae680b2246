// The journal of a run under tracking.delivery: background (journal.ts writes it, the tracker's
// replayJournal reads it): `.mlc/outbox/<run_id>.journal`, JSON lines. The first line is the
// start (what the tracker needs to begin the MLflow run, with no secret: the printable URI and
// the settings without credentials); then one event per line, as the run logged them; then the
// end. A torn last line (a crash mid-write) is ignored.
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { join } from "node:path";
import type { RunStatus } from "../run-record.js";
import type { TrackingConfig } from "./config.js";

/** The tracking settings a journal keeps: all but the client (URI with credentials) and the UI. */
export type StoredConfig = Omit<TrackingConfig, "client" | "uiHost" | "uiPort">;

export interface JournalStart {
  readonly t: "journal";
  readonly v: 1;
  readonly run_id: string;
  readonly pid: number;
  /** mlflow.user as the environment named it, or the account id to look it up by. */
  readonly user?: string;
  readonly uid?: number;
  /** The printable tracking URI (no credentials). */
  readonly uri: string;
  readonly start_time: number;
  readonly pipeline: string;
  readonly executor: string;
  readonly command: string;
  readonly env: string;
  readonly git_commit: string | null;
  readonly cfg: StoredConfig;
  /** The run's parameters, flattened as tracking.params.dict_params says (string values). */
  readonly params: Readonly<Record<string, string>>;
  /** The stored graph IR (shared per graph hash, or the run's own copy), or null. */
  readonly graph: string | null;
}

export interface JournalEnd {
  readonly t: "end";
  readonly status: RunStatus;
  readonly finished_at: string;
  readonly git_commit: string | null;
}

/**
 * One thing the run logged: a metric (non-finite values as "NaN"/"Infinity" strings), param, tag,
 * artifact (`stored`: the path is the run's own snapshot), dataset input, or a node run's start
 * and end (nested_runs: nodes); times in epoch ms.
 */
export type JournalEvent =
  | readonly ["m", string, number | string, number, number]
  | readonly ["p", string, string]
  | readonly ["t", string, string]
  | readonly ["a", string, string | null, true?]
  | readonly ["i", string, string, string]
  | readonly ["cs", string, number]
  | readonly ["ce", string, "FINISHED" | "FAILED", number]
  | JournalEnd;

export interface JournalState {
  readonly file: string;
  readonly start: JournalStart | null;
  readonly events: readonly JournalEvent[];
  readonly end: JournalEnd | null;
}

/** A journal with no readable start this long after its last write was torn by a crash. */
export const TORN_MS = 60_000;

/** `<root>/.mlc/outbox/<run_id>.journal` */
export function journalFile(root: string, runId: string): string {
  return join(root, ".mlc", "outbox", `${runId}.journal`);
}

/** Journal files in the outbox, oldest run first. */
export function listJournals(root: string): string[] {
  const dir = join(root, ".mlc", "outbox");
  try {
    return readdirSync(dir).filter((f) => f.endsWith(".journal")).sort().map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** Parses a journal (missing: no start, no events). */
export function readJournal(file: string): JournalState {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    // gone: nothing to replay
  }
  let start: JournalStart | null = null;
  let end: JournalEnd | null = null;
  const events: JournalEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      continue; // torn by a crash
    }
    if (start === null) {
      if ((e as JournalStart)?.t !== "journal") break; // not a journal we can read
      start = e as JournalStart;
    } else if (Array.isArray(e)) events.push(e as unknown as JournalEvent);
    else if ((e as JournalEnd)?.t === "end") end = e as JournalEnd;
  }
  return { file, start, events, end };
}

/**
 * A journal's start and end without reading its events (a long run's journal grows large: the
 * deliverer looks at it every 100 ms). Null when there is no readable start yet.
 */
export function peekJournal(file: string): JournalState | null {
  let fd: number | null = null;
  try {
    fd = openSync(file, "r");
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 256 * 1024));
    const n = readSync(fd, head, 0, head.length, 0);
    const first = head.toString("utf8", 0, n);
    const nl = first.indexOf("\n");
    if (nl < 0) return null;
    const start = JSON.parse(first.slice(0, nl)) as JournalStart;
    if (start?.t !== "journal") return null;
    const tail = Buffer.alloc(Math.min(size, 4096));
    const m = readSync(fd, tail, 0, tail.length, size - tail.length);
    const lines = tail.toString("utf8", 0, m).split("\n").filter((l) => l !== "");
    let end: JournalEnd | null = null;
    try {
      const last = JSON.parse(lines[lines.length - 1] ?? "null") as JournalEnd | null;
      if (last && !Array.isArray(last) && last.t === "end") end = last;
    } catch {
      // torn last line: not ended
    }
    return { file, start, events: [], end };
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** The warning for a key MLflow cannot take (the tracker and the journal say it alike). */
export function keyProblem(key: string, what: string): string {
  return `${what} key "${key.slice(0, 60)}${key.length > 60 ? "..." : ""}" is not usable by MLflow (at most 250 characters of letters, digits, _ - . / : and space); not sent`;
}
