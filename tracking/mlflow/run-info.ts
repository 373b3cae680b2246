// Facts about the run that go into MLflow tags and inputs: the user, the git commit (read from
// .git without spawning git), the run name, and a short content digest for dataset inputs.
import { createHash } from "node:crypto";
// node:fs/promises and node:os are reached through node:fs and require() when used: a tracked
// run that logs no dataset input never loads them.
import { createReadStream, existsSync, promises as fsp, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import type { KeyValue } from "./types.js";
import type { RunStatus as MlcStatus } from "../run-record.js";
import type { RunStatus } from "./types.js";

/** require() for modules a run seldom needs, made on first use (createRequire costs ~0.2 ms). */
let req: NodeRequire | null = null;
const lazyRequire = (id: string): unknown => (req ??= createRequire(import.meta.url))(id);

/** The user (MLflow's mlflow.user): LOGNAME, USER, LNAME, USERNAME, then the OS account, as Python's getpass.getuser(). */
export function currentUser(): string {
  const named = envUser();
  if (named) return named;
  // The account lookup reads the passwd database (~0.3 ms): once per process.
  if (osUser === undefined) {
    try {
      osUser = (lazyRequire("node:os") as typeof import("node:os")).userInfo().username || "unknown";
    } catch {
      osUser = "unknown";
    }
  }
  return osUser;
}

let osUser: string | undefined;

/** The user as the environment names it (LOGNAME, USER, LNAME, USERNAME), or null. */
export function envUser(): string | null {
  const e = process.env;
  return e.LOGNAME || e.USER || e.LNAME || e.USERNAME || null;
}

/**
 * mlflow.user as a run records it: the environment's name, or, where the environment names
 * nobody (containers, CI), the account id for whoever delivers the run to look up (the passwd
 * lookup costs a short run ~0.3 ms). On systems without uids, looked up at once.
 */
export function runUser(): { user: string } | { uid: number } {
  const named = envUser();
  if (named) return { user: named };
  return typeof process.getuid === "function" ? { uid: process.getuid() } : { user: currentUser() };
}

/** The start record's tags with mlflow.user resolved (a run that recorded only its uid). */
export function tagsWithUser(tags: readonly KeyValue[], uid: number | undefined): KeyValue[] {
  if (uid === undefined || tags.some((t) => t.key === "mlflow.user")) return [...tags];
  const user = typeof process.getuid === "function" && process.getuid() === uid ? currentUser() : `uid ${uid}`;
  return [...tags.slice(0, 1), { key: "mlflow.user", value: user }, ...tags.slice(1)];
}

/** HEAD's commit of the repository holding `root`, or null (no git, detached weirdness). */
export function gitCommit(root: string): string | null {
  try {
    let dir = resolve(root);
    while (!existsSync(join(dir, ".git"))) {
      if (dirname(dir) === dir) return null;
      dir = dirname(dir);
    }
    let git = join(dir, ".git");
    if (statSync(git).isFile()) git = resolve(dir, readFileSync(git, "utf8").replace(/^gitdir:\s*/, "").trim());
    const head = readFileSync(join(git, "HEAD"), "utf8").trim();
    if (!head.startsWith("ref:")) return /^[0-9a-f]{40}$/.test(head) ? head : null;
    const ref = head.slice(4).trim();
    const common = existsSync(join(git, "commondir")) ? resolve(git, readFileSync(join(git, "commondir"), "utf8").trim()) : git;
    for (const base of [git, common]) {
      const f = join(base, ref);
      if (existsSync(f)) return readFileSync(f, "utf8").trim();
    }
    const packed = join(common, "packed-refs");
    if (!existsSync(packed)) return null;
    const line = readFileSync(packed, "utf8").split("\n").find((l) => l.endsWith(` ${ref}`));
    return line ? line.split(" ")[0] : null;
  } catch {
    return null;
  }
}

/** Default run name: the pipeline and the start time (UTC, seconds). */
export function defaultRunName(pipeline: string, start: Date): string {
  return `${pipeline}@${start.toISOString().slice(0, 19).replace("T", " ")}`;
}

/** mlc's run status as MLflow's. */
export function mlflowStatus(s: MlcStatus): RunStatus {
  return s === "success" ? "FINISHED" : s === "interrupted" ? "KILLED" : s === "failed" ? "FAILED" : "KILLED";
}

/** The tags every MLflow run of mlc carries. */
export function runTags(o: {
  runName: string; root: string; pipeline: string; env: string; executor: string; command: string; runId: string; commit: string | null;
  /** The user's name; null: left to the delivery (the start record carries the uid: runUser()). */
  user?: string | null;
}): KeyValue[] {
  const user = o.user === undefined ? currentUser() : o.user;
  const tags: KeyValue[] = [
    { key: "mlflow.runName", value: o.runName },
    ...(user !== null ? [{ key: "mlflow.user", value: user }] : []),
    { key: "mlflow.source.name", value: join(o.root, "pipeline.yml") },
    { key: "mlflow.source.type", value: "LOCAL" },
    { key: "mlc.pipeline", value: o.pipeline },
    { key: "mlc.env", value: o.env },
    { key: "mlc.executor", value: o.executor },
    { key: "mlc.command", value: o.command.slice(0, 8000) },
    { key: "mlc.run_id", value: o.runId },
  ];
  if (o.commit) tags.push({ key: "mlflow.source.git.commit", value: o.commit });
  return tags;
}

const HASH_LIMIT = 64 * 1024 * 1024;

/** A short digest of a file or folder: content for files up to 64 MB, else size and mtime. */
export async function datasetDigest(path: string): Promise<string> {
  const h = createHash("sha256");
  try {
    const st = await fsp.stat(path);
    if (st.isDirectory()) {
      const names = (await fsp.readdir(path, { recursive: true })).map(String).sort();
      for (const n of names) {
        const s = await fsp.stat(join(path, n));
        h.update(`${n}:${s.size}:${s.mtimeMs}\n`);
      }
    } else if (st.size <= HASH_LIMIT) {
      for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
    } else {
      h.update(`${st.size}:${st.mtimeMs}`);
    }
  } catch {
    h.update("missing");
  }
  return h.digest("hex").slice(0, 12);
}
