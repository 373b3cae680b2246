// Delivers runs left queued in `.mlc/outbox/` (server down during the run, process killed, or
// handed over under delivery: background): `mlc mlflow sync`, and a run catching up at its end.
// Each goes through the same `deliver` a run uses. A run whose process died before its end (its
// file may end in a cut line) is ended KILLED with what it logged; a run still going is left alone.
import { spawn } from "node:child_process";
import { closeSync, existsSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readRun, writeRun } from "../../runs/store.js";
import type { MlflowClient } from "./client.js";
import { Deliverer, type MlflowLink } from "./deliver.js";
import { endEvents, lockRun, outboxDir, queuedRuns, readEvents, readProgress, removeRun } from "./event-log.js";
import type { RunEvent } from "./event-log.js";

/** What happened to one queued run. */
export interface SyncOutcome {
  readonly runId: string;
  readonly status: "delivered" | "pending" | "busy" | "skipped";
  readonly mlflow?: MlflowLink | null;
  readonly reason?: string;
  /** What the server refused (settled: not sent again). */
  readonly rejected?: readonly string[];
}

/** Delivers every queued run but `except`; `clientFor` picks the server for the URI a run was meant for (null: none). */
export async function syncRuns(
  root: string,
  clientFor: (uri: string) => MlflowClient | null,
  o: { except?: string } = {},
): Promise<SyncOutcome[]> {
  const out: SyncOutcome[] = [];
  for (const runId of queuedRuns(root)) {
    if (runId === o.except) continue;
    const release = lockRun(root, runId);
    if (!release) {
      out.push({ runId, status: "busy", reason: "its run is still in progress" });
      continue;
    }
    try {
      out.push(await syncOne(root, runId, clientFor));
    } finally {
      release();
    }
  }
  return out;
}

async function syncOne(
  root: string,
  runId: string,
  clientFor: (uri: string) => MlflowClient | null,
): Promise<SyncOutcome> {
  const events = readEvents(root, runId);
  const start = events[0]?.t === "start" ? events[0] : null;
  if (!start) {
    // Its run died writing its first line: nothing was meant to be sent yet.
    removeRun(root, runId);
    return { runId, status: "skipped", reason: "no start record" };
  }
  const client = clientFor(start.uri);
  if (!client)
    return { runId, status: "pending", reason: `no tracking server configured (it was meant for ${start.uri})` };
  // We hold its lock, so its process is gone: without an end, it was killed.
  if (!events.some((e) => e.t === "end" && !e.child)) events.push(...endEvents(events, "KILLED", lastLogged(events)));
  const d = new Deliverer(client, root, runId, readProgress(root, runId), true);
  const err = await d.deliver(events);
  const link = d.link();
  const rejected = d.rejections();
  if (err) return { runId, status: "pending", reason: err.message, mlflow: link, rejected };
  removeRun(root, runId);
  if (link) linkRunRecord(root, runId, link);
  return { runId, status: "delivered", mlflow: link, rejected };
}

/** When a killed run last logged: its end time. */
function lastLogged(events: readonly RunEvent[]): number {
  let at = 0;
  for (const e of events) {
    if (e.t === "start" || e.t === "child") at = Math.max(at, e.start_time);
    if (e.t === "batch") for (const m of e.metrics) at = Math.max(at, m.timestamp);
  }
  return at;
}

/** Adds the MLflow link to the run's local record (a run delivered after it ended). */
function linkRunRecord(root: string, runId: string, mlflow: MlflowLink): void {
  const record = readRun(root, runId);
  if (!record || record.mlflow?.run_id === mlflow.run_id) return;
  writeRun(root, { ...record, mlflow }, false).catch(() => {});
}

/** Starts `mlc mlflow sync` for the project, detached, logging to `.mlc/outbox/deliver.log`; it exits when done. */
export function startDetachedSync(root: string, env: string, runId: string): void {
  const fd = openSync(join(outboxDir(root), "deliver.log"), "a");
  try {
    const args = [mlcBin(), "mlflow", "sync", "--project", root, "--env", env];
    const child = spawn(process.execPath, args, {
      cwd: root,
      detached: true,
      stdio: ["ignore", fd, fd],
      env: process.env,
    });
    writeSync(fd, `${new Date().toISOString()} run ${runId}: delivering in the background (pid ${child.pid})\n`);
    child.unref();
  } finally {
    closeSync(fd);
  }
}

/** `bin/mlc.js` of this package, from the built (dist/tracking/mlflow) or the source module. */
function mlcBin(): string {
  const bin = ["../../../bin/mlc.js", "../../bin/mlc.js"]
    .map((u) => fileURLToPath(new URL(u, import.meta.url)))
    .find(existsSync);
  if (!bin) throw new Error("bin/mlc.js of mlc-pipelines was not found above the tracking module");
  return bin;
}
