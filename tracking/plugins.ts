// Tracking plugins: mirrors of a run to somewhere else (MLflow today). The run composes each one's
// sink and hooks with its own; it knows a plugin only by this interface. A plugin's modules are
// imported only when its `enabled` check says the run needs it, so untracked runs never load them.
import { MlcError } from "../compiler/diagnostics.js";
import type { CompiledProject } from "../compiler/types.js";
import type { RunEvent, RunPlan } from "../executors/executor.js";
import type { Hooks } from "../hooks/hooks.js";
import type { RunRecord } from "../runs/record.js";
import type { RunSink } from "./sink.js";

/** What a plugin is started with: the run as it begins. */
export interface PluginContext {
  readonly project: CompiledProject;
  readonly plan: RunPlan;
  /** The run record as written at the start (run id, pipeline, env, git commit...). */
  readonly record: RunRecord;
  readonly warn: (message: string) => void;
}

/** One started plugin of one run. */
export interface RunPlugin {
  readonly name: string;
  readonly sink: RunSink;
  readonly hooks: Hooks;
  /** Sees each run event (a node's end...) on the main thread, after the run recorded it. */
  onEvent?(event: RunEvent): void;
  /** Ends the mirror; returns fields to add to the final record. Rejects (MlcError) only to fail the run. */
  finish(record: RunRecord): Promise<Partial<RunRecord>>;
  /** Called after the final run record is written (never rejects). */
  closed?(): Promise<void>;
}

interface PluginEntry {
  readonly name: string;
  readonly enabled: (project: CompiledProject) => boolean;
  readonly load: () => Promise<{ start(ctx: PluginContext): Promise<RunPlugin | null> }>;
}

/** True when mlflow.yml or MLFLOW_TRACKING_URI names a tracking server. */
export const mlflowConfigured = (mlflow: unknown): boolean => {
  const server = (mlflow as { server?: { mlflow_tracking_uri?: unknown } } | null)?.server;
  return (
    (typeof server?.mlflow_tracking_uri === "string" && server.mlflow_tracking_uri !== "") ||
    !!process.env.MLFLOW_TRACKING_URI
  );
};

const PLUGINS: readonly PluginEntry[] = [
  { name: "mlflow", enabled: (project) => mlflowConfigured(project.mlflow), load: () => import("./mlflow/plugin.js") },
];

/**
 * Starts every plugin the project turns on. A plugin that cannot start is a warning; a coded error
 * (the user asked for failures to fail the run, e.g. `tracking.on_error: fail`) rejects.
 */
export async function startPlugins(ctx: PluginContext): Promise<RunPlugin[]> {
  const out: RunPlugin[] = [];
  for (const p of PLUGINS) {
    if (!p.enabled(ctx.project)) continue;
    try {
      const started = await (await p.load()).start(ctx);
      if (started) out.push(guarded(started, ctx.warn));
    } catch (err) {
      if (err instanceof MlcError) throw err;
      ctx.warn(`${p.name} tracking disabled for this run: ${(err as Error).message}`);
    }
  }
  return out;
}

/** `p` whose errors are warnings, but for a coded error of finish (it fails the run). */
function guarded(p: RunPlugin, warn: (m: string) => void): RunPlugin {
  const told = (what: string, err: unknown) => warn(`${p.name}: ${what}${(err as Error).message}`);
  return {
    ...p,
    onEvent(e) {
      try {
        p.onEvent?.(e);
      } catch (err) {
        told("", err);
      }
    },
    async finish(record) {
      try {
        return await p.finish(record);
      } catch (err) {
        if (err instanceof MlcError) throw err;
        told("could not finish the run: ", err);
        return {};
      }
    },
    closed: async () => p.closed?.().catch((err) => told("", err)),
  };
}
