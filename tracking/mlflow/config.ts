// Tracking settings from the layered, interpolated mlflow.yml (already schema-checked by the
// config loader) plus the environment, with kedro-mlflow's defaults where mlc follows them.
import type { LongParamsStrategy } from "./batcher.js";
import { clientOptionsFromEnv, type ClientOptions } from "./client.js";

/** Everything the tracker needs to know, defaults applied. */
export interface TrackingConfig {
  /** Client options (URI, auth, TLS); null when tracking is not configured. */
  readonly client: ClientOptions | null;
  readonly experimentName: string;
  readonly restoreDeleted: boolean;
  readonly artifactLocation: string | null;
  readonly experimentTags: Readonly<Record<string, string>>;
  readonly runName: string | null;
  readonly flatten: boolean;
  readonly recursive: boolean;
  readonly sep: string;
  readonly longParamsStrategy: LongParamsStrategy;
  readonly disabledPipelines: readonly string[];
  readonly onError: "warn" | "fail";
  readonly nestedRuns: "none" | "nodes";
  readonly uiHost: string;
  readonly uiPort: number;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | null => (typeof v === "string" && v.trim() !== "" ? v : null);
const bool = (v: unknown, d: boolean): boolean => (typeof v === "boolean" ? v : d);

/**
 * Resolves tracking settings. `credentials` is the project's credentials.yml map: the entry named
 * by server.credentials supplies MLFLOW_TRACKING_* values over the environment (as kedro-mlflow).
 */
export function resolveTrackingConfig(
  mlflow: Readonly<Obj> | null,
  projectName: string,
  credentials: Readonly<Obj> = {},
  env: NodeJS.ProcessEnv = process.env,
): TrackingConfig {
  const server = obj(mlflow?.server);
  const tracking = obj(mlflow?.tracking);
  const experiment = obj(tracking.experiment);
  const kwargs = obj(experiment.create_experiment_kwargs);
  const dict = obj(obj(tracking.params).dict_params);
  const ui = obj(mlflow?.ui);
  const credName = str(server.credentials);
  const credEnv = credName ? stringsOf(obj(credentials[credName])) : {};
  const client = clientOptionsFromEnv(str(server.mlflow_tracking_uri), { ...env, ...credEnv });
  const strategy = obj(tracking.params).long_params_strategy;
  return {
    client,
    experimentName: str(experiment.name) ?? projectName,
    restoreDeleted: bool(experiment.restore_if_deleted, bool(experiment.restore_deleted, true)),
    artifactLocation: str(kwargs.artifact_location),
    experimentTags: stringsOf(obj(kwargs.tags)),
    runName: str(obj(tracking.run).name),
    flatten: bool(dict.flatten, true),
    recursive: bool(dict.recursive, true),
    sep: str(dict.sep) ?? ".",
    longParamsStrategy: strategy === "truncate" || strategy === "tag" ? strategy : "fail",
    disabledPipelines: Array.isArray(obj(tracking.disable_tracking).pipelines)
      ? (obj(tracking.disable_tracking).pipelines as unknown[]).map(String)
      : [],
    onError: tracking.on_error === "fail" ? "fail" : "warn",
    nestedRuns: tracking.nested_runs === "nodes" ? "nodes" : "none",
    uiHost: str(ui.host) ?? "127.0.0.1",
    uiPort: Number(ui.port ?? 5000) || 5000,
  };
}

function stringsOf(o: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined && typeof v !== "object") out[k] = String(v);
  return out;
}
