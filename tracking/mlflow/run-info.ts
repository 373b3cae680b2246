// Facts about the run that go into MLflow tags and inputs: the user, the run name, the status,
// and a short content digest for dataset inputs.
import { createHash } from "node:crypto";
import { createReadStream, promises as fsp } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import type { RunStatus as MlcStatus } from "../run-record.js";
import type { KeyValue, RunStatus } from "./types.js";

/** The user (MLflow's mlflow.user): LOGNAME, USER, LNAME, USERNAME, then the OS account, as Python's getpass.getuser(). */
export function currentUser(): string {
  const e = process.env;
  const named = e.LOGNAME || e.USER || e.LNAME || e.USERNAME;
  if (named) return named;
  try {
    return userInfo().username || "unknown";
  } catch {
    return "unknown";
  }
}

/** Default run name: the pipeline and the start time (UTC, seconds). */
export function defaultRunName(pipeline: string, start: Date): string {
  return `${pipeline}@${start.toISOString().slice(0, 19).replace("T", " ")}`;
}

/** mlc's run status as MLflow's (a run still "running" when it is delivered was killed). */
export function mlflowStatus(s: MlcStatus): RunStatus {
  return s === "success" ? "FINISHED" : s === "failed" ? "FAILED" : "KILLED";
}

/** The tags every MLflow run of mlc carries. */
export function runTags(o: {
  runName: string; root: string; pipeline: string; env: string; executor: string; command: string; runId: string; commit: string | null;
}): KeyValue[] {
  const tags: KeyValue[] = [
    { key: "mlflow.runName", value: o.runName },
    { key: "mlflow.user", value: currentUser() },
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
