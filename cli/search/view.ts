// What MLflow's search sees of a run, computed from its local record the way mlc mirrors it:
// params flattened with "." (mlflow.yml's default), the tags every mirrored run carries plus the
// run's own, MLflow's status words and epoch-millisecond times.
import { flattenParams, paramString } from "../../tracking/mlflow/batcher.js";
import { defaultRunName, runTags } from "../../tracking/mlflow/run-tags.js";
import type { RunRecord } from "../../runs/record.js";

/** mlc's run status -> MLflow's (a local `running` record is RUNNING, not yet KILLED). */
export const STATUS_TO_MLFLOW: Readonly<Record<string, string>> = {
  running: "RUNNING",
  success: "FINISHED",
  failed: "FAILED",
  interrupted: "KILLED",
};

type Info = {
  readonly run_id: string;
  readonly run_name: string;
  readonly status: string;
  readonly start_time: number;
  readonly end_time: number | null;
  readonly user_id: null;
  readonly artifact_uri: null;
};

/**
 * The searchable view of one record (`root` only names the source in mlflow.source.name). Each part
 * is made when a clause first asks for it: a filter on metrics alone never flattens params or
 * builds tags, which would cost more than the whole search over thousands of runs.
 */
export class SearchView {
  private infoMemo?: Info;
  private paramsMemo?: Readonly<Record<string, string>>;
  private tagsMemo?: Readonly<Record<string, string>>;

  constructor(
    readonly record: RunRecord,
    private readonly root = ".",
  ) {}

  get metrics(): Readonly<Record<string, number>> {
    return this.record.metrics ?? {};
  }

  get params(): Readonly<Record<string, string>> {
    return (this.paramsMemo ??= searchParams(this.record));
  }

  /** One param as `params[key]` holds it (null: none), found without flattening them all. */
  param(key: string): string | null {
    if (this.paramsMemo) return Object.hasOwn(this.paramsMemo, key) ? this.paramsMemo[key] : null;
    const v = flatParam(this.record.params ?? {}, key);
    if (v !== undefined) return paramString(v);
    const logged = this.record.logged_params ?? {};
    return Object.hasOwn(logged, key) ? logged[key] : null;
  }

  get info(): Info {
    return (this.infoMemo ??= info(this.record));
  }

  get tags(): Readonly<Record<string, string>> {
    if (this.tagsMemo) return this.tagsMemo;
    const r = this.record;
    const std = runTags(r, this.root, this.info.run_name, null);
    return (this.tagsMemo = { ...Object.fromEntries(std.map((t) => [t.key, t.value])), ...r.tags });
  }

  get datasets(): readonly { readonly name: string; readonly digest: string | null; readonly context: null }[] {
    return (this.record.datasets ?? []).map((d) => ({ name: d.name, digest: d.version, context: null }));
  }
}

function info(record: RunRecord): Info {
  const start = Date.parse(record.started_at);
  const runName =
    record.tags?.["mlflow.runName"] ??
    (Number.isNaN(start) ? record.pipeline : defaultRunName(record.pipeline, new Date(start)));
  return {
    run_id: record.run_id,
    run_name: runName,
    status: Object.hasOwn(STATUS_TO_MLFLOW, record.status) ? STATUS_TO_MLFLOW[record.status] : record.status,
    start_time: start,
    end_time: record.finished_at ? Date.parse(record.finished_at) : null,
    user_id: null,
    artifact_uri: null,
  };
}

/** The run's params as MLflow holds them: pipeline params flattened, then what nodes logged. */
export function searchParams(record: RunRecord): Record<string, string> {
  return {
    ...record.logged_params,
    ...flattenParams(record.params ?? {}, { flatten: true, recursive: true, sep: "." }),
  };
}

const isNonEmptyMap = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0;

/**
 * The value flattenParams gives key `key` (undefined: none). It writes keys in sorted order, so of
 * two paths spelling the same key ("a.b" and a: {b}) the one with the longer first part wins: try
 * the longest head first at every level.
 */
export function flatParam(obj: Readonly<Record<string, unknown>>, key: string): unknown {
  for (let i = key.length; i > 0; i = key.lastIndexOf(".", i - 1)) {
    const head = key.slice(0, i);
    if (!Object.hasOwn(obj, head)) continue;
    const v = obj[head];
    if (i === key.length) {
      if (!isNonEmptyMap(v)) return v;
    } else if (isNonEmptyMap(v)) {
      const found = flatParam(v, key.slice(i + 1));
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
