// Which inputs are parameters and which datasets are memory (held by the scheduler on the main
// thread, never by the catalog): shared by the planner, the scheduler and every runner.
import type { RunPlan } from "./executor.js";

/** True when `name` names a parameter input rather than a dataset. */
export function isParamInput(name: string): boolean {
  return name === "parameters" || name.startsWith("params:");
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
