// The run name and tags every MLflow run of mlc carries, from its local record: one definition for
// the mirror (plugin.ts) and for `mlc runs ls --filter`, which must see the tags MLflow would.
import { userInfo } from "node:os";
import { join } from "node:path";
import type { RunRecord } from "../../runs/record.js";
import type { KeyValue } from "./types.js";

/** The default MLflow run name: `<pipeline>@<start, to the second, UTC>`. */
export function defaultRunName(pipeline: string, start: Date): string {
  return `${pipeline}@${start.toISOString().slice(0, 19).replace("T", " ")}`;
}

/** The standard tags of a run (`mlflow.*` and `mlc.*`); `user` null leaves `mlflow.user` out. */
export function runTags(r: RunRecord, root: string, runName: string, user: string | null): KeyValue[] {
  const tags: Record<string, string> = {
    "mlflow.runName": runName,
    ...(user === null ? {} : { "mlflow.user": user }),
    "mlflow.source.name": join(root, "pipeline.yml"),
    "mlflow.source.type": "LOCAL",
    "mlc.pipeline": r.pipeline,
    "mlc.env": r.env,
    "mlc.executor": r.executor,
    "mlc.command": (r.command ?? "").slice(0, 8000),
    "mlc.run_id": r.run_id,
    ...(r.git_commit ? { "mlflow.source.git.commit": r.git_commit } : {}),
  };
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/** MLflow's mlflow.user: LOGNAME, USER, LNAME, USERNAME, then the OS account, as Python's getpass.getuser(). */
export function currentUser(): string {
  const e = process.env;
  try {
    return e.LOGNAME || e.USER || e.LNAME || e.USERNAME || userInfo().username;
  } catch {
    return "unknown";
  }
}
