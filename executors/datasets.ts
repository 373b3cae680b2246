// Which inputs are parameters and which datasets are memory (held by the scheduler on the main
// thread, never by the catalog): shared by the planner, the scheduler and every runner.
import type { RunPlan } from "./executor.js";

/** True when `name` names a parameter input rather than a dataset. */
export function isParamInput(name: string): boolean {
  return name === "parameters" || name.startsWith("params:");
}

/**
 * Persisted datasets whose value lives with the run (mlflow.metric, mlflow.metrics: saving logs a
 * metric, loading returns what this run logged), produced and consumed within `plan`: saved
 * through the catalog AND held by the scheduler for their consumers, so a consumer gets the value
 * under every executor (a worker's catalog never saw what another worker logged).
 */
export function keptDatasets(plan: RunPlan): Set<string> {
  const types = new Map(plan.graph.datasets.map((d) => [d.name, d.type]));
  const produced = new Set<string>();
  for (const n of plan.graph.nodes) for (const o of n.outputs) if (isRunScoped(types.get(o) ?? "")) produced.add(o);
  const out = new Set<string>();
  for (const n of plan.graph.nodes) for (const i of n.inputs) if (produced.has(i)) out.add(i);
  return out;
}

const RUN_SCOPED = new Set(["mlflow.metric", "mlflow.metrics"]);

/** True for dataset types whose value lives with the run (saving logs it to the run's tracking). */
export function isRunScoped(type: string): boolean {
  return RUN_SCOPED.has(type);
}

/** Dataset names of `plan` that are memory datasets (held by the scheduler, never by the catalog). */
export function memoryDatasets(plan: RunPlan): Set<string> {
  const out = new Set<string>();
  const declared = new Map(plan.graph.datasets.map((d) => [d.name, d]));
  for (const n of plan.graph.nodes)
    for (const ds of [...n.inputs, ...n.outputs]) {
      if (isParamInput(ds)) continue;
      const d = declared.get(ds);
      if (!d || d.type === "memory") out.add(ds);
    }
  return out;
}
