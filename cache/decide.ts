// The decision for one node and its root cause (SPEC section 9), from the parts of its key now and
// at its last successful execution. Pure: the session gathers versions, this compares.
import type { KeyParts } from "./key.js";
import { stableJson } from "./key.js";
import type { NodeState } from "./state.js";

export type Cause =
  | { readonly kind: "up to date" }
  | { readonly kind: "never run" }
  | { readonly kind: "always runs" }
  | { readonly kind: "forced" }
  | { readonly kind: "code changed"; readonly file: string }
  | { readonly kind: "definition changed"; readonly what: string }
  | { readonly kind: "parameter changed"; readonly name: string; readonly old: unknown; readonly new: unknown }
  /** `upstream`: the producer of the dataset runs in this run (the node runs only because of it). */
  | { readonly kind: "input changed"; readonly dataset: string; readonly upstream?: string; readonly note?: string }
  | { readonly kind: "output missing or modified"; readonly dataset: string }
  /** A memory output the cache could not keep (`why`), so an up-to-date node runs again to give it. */
  | { readonly kind: "output not kept"; readonly dataset: string; readonly why: string };

/** The first difference between the parts now and then, in the order a user looks for it. */
export function compareParts(now: KeyParts, then: KeyParts): Cause {
  if (now.schema !== then.schema) return { kind: "definition changed", what: "mlc's cache key schema" };
  for (const f of union(now.code.files, then.code.files))
    if (now.code.files[f] !== then.code.files[f]) return { kind: "code changed", file: f };
  for (const p of union(now.code.packages, then.code.packages))
    if (now.code.packages[p] !== then.code.packages[p])
      return {
        kind: "code changed",
        file: `package ${p} ${then.code.packages[p] ?? "-"} -> ${now.code.packages[p] ?? "-"}`,
      };
  if (now.definition !== then.definition) return { kind: "definition changed", what: "func or sql, inputs or outputs" };
  for (const p of union(now.params, then.params))
    if (stableJson(now.params[p]) !== stableJson(then.params[p]))
      return { kind: "parameter changed", name: p, old: then.params[p], new: now.params[p] };
  for (const i of union(now.inputs, then.inputs))
    if (now.inputs[i] !== then.inputs[i]) return { kind: "input changed", dataset: i };
  for (const o of union(now.outputs, then.outputs))
    if (now.outputs[o] !== then.outputs[o]) return { kind: "definition changed", what: `catalog entry of ${o}` };
  return { kind: "up to date" };
}

/** The cause when the key matches but a saved output no longer holds what was recorded. */
export function outputCause(state: NodeState, current: Readonly<Record<string, string | null | undefined>>): Cause {
  for (const [o, v] of Object.entries(state.outputs))
    if (o in current && current[o] !== undefined && current[o] !== v)
      return { kind: "output missing or modified", dataset: o };
  return { kind: "up to date" };
}

/** One line for a cause, as `mlc status` and `mlc run --explain` print it. */
export function describeCause(c: Cause): string {
  switch (c.kind) {
    case "code changed":
      return `code changed (${c.file})`;
    case "definition changed":
      return `definition changed (${c.what})`;
    case "parameter changed":
      return `parameter changed (${c.name}: ${show(c.old)} -> ${show(c.new)})`;
    case "input changed":
      return c.upstream
        ? `input changed (${c.dataset}, upstream: ${c.upstream} runs)`
        : `input changed (${c.dataset}${c.note ? `: ${c.note}` : ""})`;
    case "output missing or modified":
      return `output missing or modified (${c.dataset})`;
    case "output not kept":
      return `output not kept (${c.dataset}: ${c.why})`;
    default:
      return c.kind;
  }
}

function show(v: unknown): string {
  if (v === undefined) return "(none)";
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function union(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}
