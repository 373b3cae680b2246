// What MLflow's search sees of a run, computed from its local record the way mlc mirrors it:
// params flattened with "." (mlflow.yml's default), the tags every mirrored run carries plus the
// run's own, MLflow's status words and epoch-millisecond times.
import { flattenParams } from "../../tracking/mlflow/batcher.js";
import { defaultRunName, runTags } from "../../tracking/mlflow/run-info.js";
import type { RunRecord } from "../../tracking/run-record.js";

/** mlc's run status -> MLflow's (a local `running` record is RUNNING, not yet KILLED). */
export const STATUS_TO_MLFLOW: Readonly<Record<string, string>> = { running: "RUNNING", success: "FINISHED", failed: "FAILED", interrupted: "KILLED" };

export interface SearchView {
  readonly record: RunRecord;
  readonly info: {
    readonly run_id: string;
    readonly run_name: string;
    readonly status: string;
    readonly start_time: number;
    readonly end_time: number | null;
    readonly user_id: null;
    readonly artifact_uri: null;
  };
  readonly metrics: Readonly<Record<string, number>>;
  readonly params: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly datasets: readonly { readonly name: string; readonly digest: string | null; readonly context: null }[];
}

/** The searchable view of one record (`root` only names the source in mlflow.source.name). */
export function searchView(record: RunRecord, root = "."): SearchView {
  const start = Date.parse(record.started_at);
  const runName = record.tags?.["mlflow.runName"] ?? (Number.isNaN(start) ? record.pipeline : defaultRunName(record.pipeline, new Date(start)));
  const std = runTags({ runName, root, pipeline: record.pipeline, env: record.env, executor: record.executor, command: record.command ?? "", runId: record.run_id, commit: record.git_commit, user: null });
  return {
    record,
    info: {
      run_id: record.run_id,
      run_name: runName,
      status: STATUS_TO_MLFLOW[record.status] ?? record.status,
      start_time: start,
      end_time: record.finished_at ? Date.parse(record.finished_at) : null,
      user_id: null,
      artifact_uri: null,
    },
    metrics: record.metrics ?? {},
    params: searchParams(record),
    tags: { ...Object.fromEntries(std.map((t) => [t.key, t.value])), ...record.tags },
    datasets: (record.datasets ?? []).map((d) => ({ name: d.name, digest: d.version, context: null })),
  };
}

/** The run's params as MLflow holds them: pipeline params flattened, then what nodes logged. */
export function searchParams(record: RunRecord): Record<string, string> {
  return { ...record.logged_params, ...flattenParams(record.params ?? {}, { flatten: true, recursive: true, sep: "." }) };
}
