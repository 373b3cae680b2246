// Named pipelines of pipeline.yml (`pipelines:`) -> their node sets for GraphIR.pipelines. A
// pipeline may start from another (`pipeline: NAME`); references are resolved first, cycles are
// MLC3007 (found iteratively, never a hang).
import type { CompileContext } from "./diagnostics.js";
import { markSortedStringLists } from "./emit/json.js";
import { selectNodeNames } from "./select.js";
import type { GraphIR, SelectionSpec, SourceRef } from "./types.js";

type Spec = SelectionSpec & { readonly source: SourceRef };

/**
 * Sorted node names of every named pipeline plus `__default__` (all nodes unless defined),
 * keys sorted. Problems are reported at each definition; a broken pipeline selects nothing.
 */
export function resolvePipelines(
  graph: GraphIR,
  specs: Readonly<Record<string, Spec>>,
  ctx: CompileContext,
): Record<string, string[]> {
  const done: Record<string, string[]> = { __default__: graph.nodes.map((n) => n.name) };
  const view: GraphIR = { ...graph, pipelines: done };
  const state = new Map<string, "open" | "done" | "broken">();
  const has = (n: string | undefined): n is string => n !== undefined && Object.prototype.hasOwnProperty.call(specs, n);
  for (const root of Object.keys(specs).sort()) {
    const stack = [root];
    while (stack.length > 0) {
      const name = stack[stack.length - 1];
      const dep = specs[name].pipeline;
      const st = state.get(name);
      if (st === "done" || st === "broken") {
        stack.pop();
        continue;
      }
      if (st === undefined) {
        state.set(name, "open");
        if (has(dep) && state.get(dep) === "open") {
          reportCycle(stack, dep, specs, ctx, state);
          continue;
        }
        if (has(dep) && state.get(dep) === undefined) {
          stack.push(dep);
          continue;
        }
      }
      if (has(dep) && state.get(dep) === "broken") state.set(name, "broken");
      else {
        done[name] = selectNodeNames(view, specs[name], ctx, specs[name].source) ?? [];
        state.set(name, "done");
      }
      stack.pop();
    }
  }
  for (const [name, st] of state) if (st === "broken") done[name] = [];
  // Keys sorted, values lists of node names: emitJson writes the record as it is.
  return markSortedStringLists(
    Object.fromEntries(Object.entries(done).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  );
}

function reportCycle(
  stack: string[],
  dep: string,
  specs: Readonly<Record<string, Spec>>,
  ctx: CompileContext,
  state: Map<string, string>,
): void {
  const loop = [...stack.slice(stack.indexOf(dep)), dep];
  const last = stack[stack.length - 1];
  const src = specs[last].source;
  ctx.report({
    code: "MLC3007",
    message: `named pipeline "${last}" refers back to itself: ${loop.join(" -> ")}`,
    at: { file: src.file, path: [...src.path, "pipeline"] },
    hint: "a named pipeline can start from another named pipeline, but not from one that depends on it",
  });
  for (const n of loop) state.set(n, "broken");
}
