// Tracking settings: how to reach the server (mlflow.yml plus the standard MLFLOW_TRACKING_*
// variables) and the mirror's options, with kedro-mlflow's defaults where mlc follows them.
import { MlcError } from "../../compiler/diagnostics.js";
import type { LongParamsStrategy } from "./batcher.js";
import { clientOptionsFromEnv, trackingUrl, type ClientOptions } from "./client.js";
import { warn } from "./warn.js";

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
  /** wait: delivered before `mlc run` exits; background: handed to a detached one-shot `mlc mlflow sync`. */
  readonly delivery: "wait" | "background";
  readonly uiHost: string;
  readonly uiPort: number;
}

type Obj = Record<string, unknown>;

/**
 * The settings of a run's mirror, or null when it is off: not configured, the pipeline is in
 * disable_tracking.pipelines, or the URI is not an http(s) server (warned; MLC7001 thrown under
 * on_error: fail).
 */
export function trackingFor(
  project: { mlflow: Readonly<Obj> | null; graph: { name: string }; credentials: Readonly<Obj> },
  pipeline: string,
): TrackingConfig | null {
  const cfg = resolveTrackingConfig(project.mlflow, project.graph.name, project.credentials);
  if (!cfg.client || cfg.disabledPipelines.includes(pipeline)) return null;
  try {
    trackingUrl(cfg.client.uri);
  } catch (err) {
    if (cfg.onError === "fail") throw err;
    warn((err as MlcError).code ?? "MLC7001", `${(err as Error).message}; this run is not mirrored`);
    return null;
  }
  return cfg;
}
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
  const client = clientOptionsFromEnv(str(server.mlflow_tracking_uri), credName ? { ...env, ...credEnv } : env);
  const strategy = obj(tracking.params).long_params_strategy;
  const onError = tracking.on_error === "fail" ? "fail" : "warn";
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
    onError,
    nestedRuns: tracking.nested_runs === "nodes" ? "nodes" : "none",
    delivery: deliveryMode(tracking.delivery, onError, env),
    uiHost: str(ui.host) ?? "127.0.0.1",
    uiPort: Number(ui.port ?? 5000) || 5000,
  };
}

/**
 * `auto` is wait: a script or test that reads MLflow right after `mlc run` finds the run there.
 * background hands the run to a detached one-shot `mlc mlflow sync`; on_error: fail always
 * waits (delivery is its exit code). MLC_MLFLOW_DELIVERY overrides mlflow.yml.
 */
function deliveryMode(configured: unknown, onError: "warn" | "fail", env: NodeJS.ProcessEnv): "wait" | "background" {
  if (onError === "fail") return "wait";
  const forced = env.MLC_MLFLOW_DELIVERY?.trim().toLowerCase();
  return (forced || configured) === "background" ? "background" : "wait";
}

function stringsOf(o: Obj): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o))
    if (v !== null && v !== undefined && typeof v !== "object") out[k] = String(v);
  return out;
}
