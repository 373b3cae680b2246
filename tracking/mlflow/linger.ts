// The background deliverer's loop (`mlc mlflow sync --linger S`): claims the pid file runs look
// for, keeps its heartbeat, and delivers whenever a finished run's outbox appears (runs still in
// progress hold their lock and are left alone). With S seconds of nothing new it gives the pid
// file up first and then makes one last pass, so a run that saw the pid file just before is
// still delivered; a run that looks after that starts a new deliverer.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { delivererFile, HEARTBEAT_MS } from "./background.js";
import { safeUri, type ClientOptions } from "./options.js";
import { peekJournal, TORN_MS } from "./journal-format.js";
import { alive, isLocked, outboxDir, outboxStart } from "./outbox.js";
import { EXIT_GRACE_MS, journalReady } from "./sync.js";

const POLL_MS = 100;
const MAX_BACKOFF_MS = 30_000;

/**
 * Delivers until `idleMs` pass without a delivery; `pass` is one sync pass over the outbox, over
 * the runs meant for this deliverer's server only (a run for another server has its own).
 */
export async function lingerLoop(root: string, client: ClientOptions | null, idleMs: number, pass: () => Promise<{ delivered: number; pending: number }>): Promise<void> {
  const file = delivererFile(root, client);
  const server = client ? safeUri(client.uri) : null;
  const waiting = () => waitingFor(root, server);
  claim(file);
  const beat = setInterval(() => touch(file), HEARTBEAT_MS);
  let last = Date.now();
  let backoff = 0;
  let nextTry = 0;
  try {
    for (;;) {
      if (!existsSync(outboxDir(root))) return; // the project is gone
      if (Date.now() >= nextTry && waiting() > 0) {
        const r = await pass();
        if (r.delivered > 0) last = Date.now();
        // The server is down or refusing: retry later, less and less often.
        backoff = r.pending > 0 ? Math.min(backoff ? backoff * 2 : 1000, MAX_BACKOFF_MS) : 0;
        nextTry = Date.now() + backoff;
      }
      if (Date.now() - last > idleMs) {
        clearInterval(beat);
        release(file);
        if (waiting() > 0) await pass();
        return;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    clearInterval(beat);
    release(file);
  }
}

/**
 * Outboxes a pass would work on: meant for `server`, not held by a run still in progress, and
 * not of a run whose process is still exiting (the file last written moments ago, the process
 * alive: see stillExiting). A pass only starts (and asks the server for /health) once one is.
 */
function waitingFor(root: string, server: string | null): number {
  let n = 0;
  try {
    const dir = outboxDir(root);
    const now = Date.now();
    for (const f of readdirSync(dir)) {
      if (f.endsWith(".journal")) {
        // A run that kept a journal: once it is done (pass() makes it an outbox).
        const j = peekJournal(join(dir, f));
        if (j ? j.start?.uri === server && journalReady(j, true, now) : now - statSync(join(dir, f)).mtimeMs > TORN_MS) n++;
        continue;
      }
      if (!f.endsWith(".jsonl") || isLocked(root, f.slice(0, -6))) continue;
      const file = join(dir, f);
      const start = outboxStart(file);
      if (start?.pid && start.pid !== process.pid && now - statSync(file).mtimeMs < EXIT_GRACE_MS && alive(start.pid)) continue;
      if (start === null || start.uri === server) n++;
    }
  } catch {
    return 0;
  }
  return n;
}

function claim(file: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, String(process.pid));
  renameSync(tmp, file);
}

function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // given up or removed: the next run starts another deliverer
  }
}

/** Removes the pid file if it is still ours (another deliverer may have claimed it since). */
function release(file: string): void {
  try {
    if (readFileSync(file, "utf8") === String(process.pid)) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}
