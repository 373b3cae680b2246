// Background delivery (tracking.delivery: background): a finished run whose mirror is still in
// its outbox hands it to the project's deliverer, a detached `mlc mlflow sync --linger` that
// outlives `mlc run`, delivers each finished run and exits after a quiet spell. A run finds a
// live deliverer by its pid file (fresh heartbeat, process alive) and then starts nothing: the
// deliverer polls the outbox. What the deliverer does goes to `.mlc/outbox/deliver.log` (no
// secrets: it prints URLs without credentials). Since a run no longer hears about a dead
// server, the next run warns about outboxes that stayed undelivered.
import { createHash } from "node:crypto";
import { closeSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync, writeSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ClientOptions } from "./options.js";
import { alive, isLocked, outboxDir } from "./outbox.js";
import { warn } from "./warn.js";

/** require() for modules a run seldom needs, made on first use (createRequire costs ~0.2 ms). */
let req: NodeRequire | null = null;
const lazyRequire = (id: string): unknown => (req ??= createRequire(import.meta.url))(id);
const LOG_LIMIT = 1024 * 1024;
/** An outbox untouched this long (and not held by a live run) counts as stuck. */
const STALE_MS = 60_000;
/** The deliverer touches its pid file this often; a file older than HEARTBEAT_MS * 3 is dead. */
export const HEARTBEAT_MS = 1000;
/** How long the deliverer stays after its last delivery (MLC_MLFLOW_LINGER_S; 0: deliver and exit). */
export const lingerSeconds = (): number => {
  const v = Number(process.env.MLC_MLFLOW_LINGER_S ?? 20);
  return Number.isFinite(v) && v >= 0 ? v : 20;
};

/** The deliverer's pid file for one server and set of credentials (a hash: nothing secret in the name). */
export function delivererFile(root: string, client: ClientOptions | null): string {
  const c = client ?? { uri: "" };
  const key = createHash("sha256").update(JSON.stringify([c.uri, c.username, c.password, c.token, c.insecureTls, c.caCertPath])).digest("hex").slice(0, 16);
  return join(outboxDir(root), `deliverer-${key}.pid`);
}

/** True when the deliverer of `file` is running (heartbeat fresh, process alive). */
export function delivererAlive(file: string): boolean {
  try {
    if (Date.now() - statSync(file).mtimeMs > HEARTBEAT_MS * 3) return false;
    const pid = Number(readFileSync(file, "utf8"));
    return pid > 0 && alive(pid);
  } catch {
    return false;
  }
}

/** Hands a finished run's outbox to the project's deliverer, starting one when none is running. */
export function handOff(root: string, env: string, client: ClientOptions | null, runId: string): void {
  const file = delivererFile(root, client);
  if (delivererAlive(file)) return;
  const pid = spawnDeliverer(root, env, runId);
  // Claimed for it at once: runs finishing while it starts up (~0.3 s) must not start more.
  if (pid && lingerSeconds() > 0) {
    writeFileSync(`${file}.${pid}.tmp`, String(pid));
    renameSync(`${file}.${pid}.tmp`, file);
  }
}

/** `bin/mlc.js` of this package, from the built (dist/tracking/mlflow) or source (tracking/mlflow) module. */
function mlcBin(): string {
  for (const up of ["../../../", "../../"]) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    try {
      if ((JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown }).name === "mlc-pipelines") return join(dir, "bin", "mlc.js");
    } catch {
      // not the package root
    }
  }
  throw new Error("the mlc-pipelines package root was not found above the tracking module");
}

function spawnDeliverer(root: string, env: string, runId: string): number | undefined {
  const { spawn } = lazyRequire("node:child_process") as typeof import("node:child_process");
  const log = join(outboxDir(root), "deliver.log");
  try {
    if (statSync(log).size > LOG_LIMIT) renameSync(log, `${log}.1`);
  } catch {
    // no log yet
  }
  const fd = openSync(log, "a");
  try {
    const args = [mlcBin(), "mlflow", "sync", "--project", root, "--env", env, "--linger", String(lingerSeconds())];
    const child = spawn(process.execPath, args, { cwd: root, detached: true, stdio: ["ignore", fd, fd], env: process.env });
    writeSync(fd, `${new Date().toISOString()} run ${runId}: delivering in the background (pid ${child.pid})\n`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** Warns once when earlier runs' outboxes sit undelivered (server down, sync failing). */
export function warnStale(root: string, runId: string): void {
  let stuck = 0;
  try {
    const dir = outboxDir(root);
    const now = Date.now();
    for (const f of readdirSync(dir)) {
      // An outbox not held by its run, or a journal (its run goes live or ends within a second).
      const outbox = f.endsWith(".jsonl");
      if ((!outbox && !f.endsWith(".journal")) || f.startsWith(`${runId}.`)) continue;
      if (now - statSync(join(dir, f)).mtimeMs > STALE_MS && (!outbox || !isLocked(root, f.slice(0, -6)))) stuck++;
    }
  } catch {
    return;
  }
  if (stuck > 0) {
    warn("MLC7001", `${stuck} earlier run${stuck > 1 ? "s are" : " is"} not yet mirrored to MLflow (see .mlc/outbox/deliver.log); this run's background delivery retries, or run \`mlc mlflow sync\``);
  }
}
