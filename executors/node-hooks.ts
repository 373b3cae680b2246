// The node hooks the scheduler calls after an attempt, on the main thread. A hook that throws
// fails the node (its error is returned, never thrown), as a failing node function would.
import type { IRNode } from "../compiler/types.js";
import type { Hooks, RunInfo } from "../hooks/hooks.js";
import type { ErrorInfo } from "../runs/record.js";
import { toErrorInfo } from "./errors.js";
import type { NodeOutcome } from "./scheduler.js";

/** Runs `fn`; returns the coded error it threw, or undefined. */
export async function callHook(fn: () => unknown): Promise<ErrorInfo | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return toErrorInfo(err, "MLC5001");
  }
}

/**
 * afterDatasetLoaded (each memory input, then each persisted input the runner reported),
 * afterNodeRun (all inputs, all outputs), afterDatasetSaved (each output), in that order.
 * `knownInputs` gives memory inputs and parameter values. Cheap when no such hook exists.
 */
export function afterSuccess(
  hooks: Hooks,
  node: IRNode,
  memoryInputs: Readonly<Record<string, unknown>>,
  knownInputs: () => Record<string, unknown>,
  outcome: Extract<NodeOutcome, { ok: true }>,
  info: RunInfo,
): Promise<ErrorInfo | undefined> | undefined {
  // Not async: with no such hook (the common case) there is nothing to await per node.
  if (!hooks.afterDatasetLoaded && !hooks.afterNodeRun && !hooks.afterDatasetSaved) return undefined;
  return callHook(async () => {
    if (hooks.afterDatasetLoaded)
      for (const [k, v] of Object.entries({ ...memoryInputs, ...outcome.loaded }))
        await hooks.afterDatasetLoaded(k, v, node.name);
    const inputs = { ...knownInputs(), ...outcome.loaded };
    const outputs = { ...outcome.saved, ...outcome.memoryOutputs };
    await hooks.afterNodeRun?.(node, inputs, outputs, info);
    for (const o of node.outputs) await hooks.afterDatasetSaved?.(o, outputs[o], node.name);
  });
}
