// The optional MLflow mirror of a run (tracking/mlflow/tracker.ts), loaded lazily and only when
// tracking is configured (mlflow.yml server.mlflow_tracking_uri or MLFLOW_TRACKING_URI). Anything
// going wrong here is a warning: tracking never breaks or loses a run (the tracker queues it).
import { MlcError } from "../compiler/diagnostics.js";
import type { CompiledProject } from "../compiler/types.js";
import type { Hooks } from "../tracking/hooks.js";
import type { RunRecord } from "../tracking/run-record.js";
import type { RunSink } from "../tracking/sink.js";
import type { RunPlan } from "./executor.js";
import { graphText } from "./graph-text.js";

/** A run's MLflow mirror: a sink for logging, hooks, and finish() which ends the MLflow run. */
export interface MlflowSession {
  readonly sink: RunSink;
  readonly hooks: Hooks;
  finish(record: RunRecord): Promise<RunRecord["mlflow"] | null>;
  /** After the final run record is written: starts background delivery of what is left (never throws). */
  handoff(): void;
}

type StartTracking = (opts: Record<string, unknown>, resolved: unknown) => Promise<MlflowSession | null>;
type JournalModule = typeof import("../tracking/mlflow/journal.js");

// Loaded once per process; `mlc run` starts loading them while the project compiles (prefetch).
let journalModule: Promise<JournalModule> | null = null;
let trackerModule: Promise<unknown> | null = null;
const loadJournal = () => (journalModule ??= import("../tracking/mlflow/journal.js"));
const loadTracker = () => (trackerModule ??= import("../tracking/mlflow/tracker.js"));

/**
 * Starts loading what a tracked run will need while the project compiles: the compile waits on
 * file reads, and those gaps load it instead of the run's own time (W7). The journal always (it
 * also resolves the settings), the tracker too when the environment says the run will deliver
 * itself (delivery: auto's wait; mlflow.yml is not read yet). Cheap to get wrong: only module
 * loads, errors left to startMlflow.
 */
export function prefetchMlflow(): void {
  loadJournal()
    .then((j) => void (j.deliveryFromEnv() === "wait" && loadTracker().catch(() => undefined)))
    .catch(() => undefined);
}

/** True when the project or the environment turns MLflow mirroring on. */
export function mlflowEnabled(project: CompiledProject): boolean {
  const server = (project.mlflow as { server?: { mlflow_tracking_uri?: unknown } } | null)?.server;
  return (typeof server?.mlflow_tracking_uri === "string" && server.mlflow_tracking_uri !== "") || !!process.env.MLFLOW_TRACKING_URI;
}

/**
 * Starts the MLflow mirror for this run, or returns null (off, unavailable, or failed: warned).
 * Under delivery: background the run only keeps a journal (tracking/mlflow/journal.ts) and the
 * tracker is not loaded; under wait the tracker delivers as the run goes.
 */
export async function startMlflow(project: CompiledProject, plan: RunPlan, base: RunRecord, warn: (m: string) => void): Promise<MlflowSession | null> {
  if (!mlflowEnabled(project)) return null;
  const opts = {
    project,
    runId: base.run_id,
    pipeline: base.pipeline,
    executor: base.executor,
    command: base.command,
    env: base.env,
    params: project.parameters,
    // graph.json and pipeline.mmd are rendered from the IR text when delivered, not on the run's time.
    graphIr: graphText(plan.graph),
    // The record's hash is of the selected graph's text: the same text when the plan runs it.
    ...(plan.graph === project.selected ? { graphHash: base.graph_hash } : {}),
    gitCommit: base.git_commit,
  };
  let session: MlflowSession | null;
  try {
    // The journal's module also resolves the settings: one load for a run under background.
    const { trackingFor, startJournal } = await loadJournal();
    const cfg = trackingFor(project, base.pipeline);
    if (!cfg) return null;
    if (cfg.delivery === "background") {
      session = startJournal(opts, cfg);
    } else {
      session = (await (await tracker(warn))?.(opts, cfg)) ?? null;
    }
  } catch (err) {
    // A coded error means the user asked for it (on_error: fail, long_params_strategy: fail).
    if (err instanceof MlcError) throw err;
    warn(`MLflow tracking disabled for this run: ${(err as Error).message}`);
    return null;
  }
  return session ? guarded(session, warn) : null;
}

/** The tracker's startTracking, or null (warned) when it cannot be loaded. */
async function tracker(warn: (m: string) => void): Promise<StartTracking | null> {
  let startTracking: StartTracking | undefined;
  try {
    // Imported only here: the MLflow client stays out of every run that does not deliver itself.
    startTracking = ((await loadTracker()) as { startTracking?: StartTracking }).startTracking;
  } catch (err) {
    warn(`MLflow tracking is configured but the tracker could not be loaded (${(err as Error).message}); running without it`);
    return null;
  }
  if (typeof startTracking !== "function") {
    warn("MLflow tracking is configured but tracking/mlflow/tracker.js has no startTracking(); running without it");
    return null;
  }
  return startTracking;
}

function guarded(s: MlflowSession, warn: (m: string) => void): MlflowSession {
  return {
    sink: s.sink,
    hooks: s.hooks ?? {},
    async finish(record) {
      try {
        return await s.finish(record);
      } catch (err) {
        // Coded: the user asked tracking failures to fail the run (on_error: fail).
        if (err instanceof MlcError) throw err;
        warn(`MLflow: could not finish the run: ${(err as Error).message}`);
        return null;
      }
    },
    handoff() {
      try {
        s.handoff?.();
      } catch (err) {
        warn(`MLflow: could not start background delivery (${(err as Error).message}); \`mlc mlflow sync\` delivers the run`);
      }
    },
  };
}
