// Delivers runs left in `.mlc/outbox/` (server down during the run, process killed, ...):
// used by `mlc mlflow sync` and, in the background, by the next tracked run. A run whose
// process died without finishing is ended as KILLED. Runs held by a live process are skipped.
import { MlcError } from "../../compiler/diagnostics.js";
import type { RunRecord } from "../run-record.js";
import { readRun, writeRun } from "../run-store.js";
import type { MlflowClient } from "./client.js";
import { deliverStored, hasEnd, type DeliveryResult } from "./deliver.js";
import { listJournals, type JournalState } from "./journal-format.js";
import { alive, listOutboxes, Outbox, pruneGraphs, readOutbox, removeOutbox, tryLock, type OutboxState } from "./outbox.js";

/** What happened to one stored run. */
export interface SyncOutcome {
  readonly runId: string;
  readonly status: "delivered" | "pending" | "busy" | "skipped";
  readonly result?: DeliveryResult;
  readonly reason?: string;
}

/**
 * Delivers every stored run. `clientFor` picks the server for a run from the URI it was meant
 * for (null: no server known for it). `except` is the caller's own live run.
 */
export async function syncOutboxes(
  root: string,
  clientFor: (uri: string) => MlflowClient | null,
  except?: string,
  /** Only runs meant for a server this accepts (the background deliverer serves one server). */
  only?: (uri: string) => boolean,
  /** Runs to leave for a later pass, reported busy (the deliverer: processes still exiting). */
  later?: (state: OutboxState) => string | null,
): Promise<SyncOutcome[]> {
  const out: SyncOutcome[] = [];
  // Runs that kept a journal (delivery: background) become outboxes first, once they are done.
  if (listJournals(root).length) {
    const { convertJournals } = (await import("./tracker.js")) as typeof import("./tracker.js");
    for (const p of await convertJournals(root, (s) => journalReady(s, !!later) && (!only || !s.start || only(s.start.uri)))) {
      if (p.runId !== except) out.push({ runId: p.runId, status: "busy", reason: p.problem });
    }
  }
  for (const file of listOutboxes(root)) {
    const state = readOutbox(file);
    if (state.runId === except || (only && state.start && !only(state.start.uri))) continue;
    const wait = later?.(state);
    if (wait) {
      out.push({ runId: state.runId, status: "busy", reason: wait });
      continue;
    }
    const release = tryLock(root, state.runId, "sync");
    if (!release) {
      out.push({ runId: state.runId, status: "busy", reason: "its run is still in progress" });
      continue;
    }
    try {
      out.push(await syncOne(root, state, clientFor));
    } finally {
      release();
    }
  }
  pruneGraphs(root);
  return out;
}

async function syncOne(root: string, state: OutboxState, clientFor: (uri: string) => MlflowClient | null): Promise<SyncOutcome> {
  if (!state.start) {
    // Nothing was ever meant to be sent (torn first write): nothing to deliver.
    removeOutbox(root, state.runId);
    return { runId: state.runId, status: "skipped", reason: "no start record" };
  }
  const client = clientFor(state.start.uri);
  if (!client) return { runId: state.runId, status: "pending", reason: `no tracking server configured (it was meant for ${state.start.uri})` };
  const outbox = new Outbox(root, state.runId, state);
  // A run under background delivery wrote without fsync: make it durable before sending.
  await outbox.sync();
  let s = state;
  if (!hasEnd(state)) {
    // Its process is gone (we hold the lock) and never finished: the MLflow run ends KILLED.
    const last = Math.max(state.start.start_time, ...state.ops.map((o) => ("end_time" in o ? o.end_time : 0)));
    await outbox.append([{ t: "end", seq: outbox.seq(), status: "KILLED", end_time: Math.max(last, Date.now()) }]);
    s = readOutbox(outbox.file);
  }
  let result: DeliveryResult;
  try {
    result = await deliverStored(client, outbox, s);
  } catch (err) {
    await outbox.close().catch(() => {});
    return { runId: state.runId, status: "pending", reason: (err as Error).message };
  }
  if (result.error || result.pending > 0) {
    return { runId: state.runId, status: "pending", result, reason: result.error?.message ?? "not all operations were delivered" };
  }
  if (result.mlflow) linkRunRecord(root, state.runId, result.mlflow);
  return { runId: state.runId, status: "delivered", result };
}

/** How long the deliverer lets a finished run's process leave before delivering it anyway. */
export const EXIT_GRACE_MS = 5000;

/**
 * Why the background deliverer should not deliver this run yet: its process, which ended the
 * run a moment ago, is still there (writing its final record, exiting). Delivering meanwhile
 * would compete with the run's last milliseconds for the CPU, and a 2-core machine shows it
 * (W7). Null when the run can go: its process is gone, it ended over EXIT_GRACE_MS ago (a
 * long-lived process using mlc as a library), or it never ended (a crash: delivered as KILLED).
 */
export function stillExiting(state: OutboxState, now = Date.now()): string | null {
  const end = state.ops.find((o) => o.t === "end" && !o.child) as { end_time: number } | undefined;
  return end && exiting(state.start?.pid, end.end_time, now) ? "its run's process is still exiting" : null;
}

/** Another process that ended its run at `endedAt`, less than EXIT_GRACE_MS ago, and is still there. */
function exiting(pid: number | undefined, endedAt: number, now: number): boolean {
  return !!pid && pid !== process.pid && now - endedAt <= EXIT_GRACE_MS && alive(pid);
}

/**
 * True when a run's journal can become its outbox: the run ended, or its process died without
 * ending it (its mirror ends KILLED); a journal of a run still going is never touched. With
 * `letExit` (the background deliverer, as stillExiting), an ended run's process must also be gone,
 * or have ended it over EXIT_GRACE_MS ago (a long-lived library process).
 */
export function journalReady(state: JournalState, letExit: boolean, now = Date.now()): boolean {
  const pid = state.start?.pid;
  if (!pid) return true;
  if (!state.end) return pid !== process.pid && !alive(pid);
  return !letExit || !exiting(pid, Date.parse(state.end.finished_at), now);
}

/** Adds the MLflow link to the run's local record (a run delivered after it ended). */
function linkRunRecord(root: string, runId: string, mlflow: NonNullable<RunRecord["mlflow"]>): void {
  const record = readRun(root, runId);
  if (!record || record.mlflow?.run_id === mlflow.run_id) return;
  writeRun(root, { ...record, mlflow }, false).catch(() => {});
}

/** Background catch-up by a live run: earlier runs meant for the same server. Never throws. */
export async function catchUp(client: MlflowClient, root: string, except: string): Promise<SyncOutcome[]> {
  try {
    return await syncOutboxes(root, (uri) => (uri === client.url ? client : null), except);
  } catch (err) {
    return [{ runId: "", status: "pending", reason: err instanceof MlcError ? err.message : String(err) }];
  }
}
