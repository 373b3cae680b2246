// The source of each node function for the details panel's code view (kedro-viz shows
// inspect.getsource): the function as the compile step loaded it, TypeScript types stripped.
import type { GraphIR } from "../../compiler/types.js";
import { loadFunction } from "../../modules/load-module.js";

const MAX_CHARS = 8000;

/** Source text per func reference; functions that cannot be loaded are left out (validate says why). */
export async function funcSources(graph: GraphIR, root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const func of [...new Set(graph.nodes.map((n) => n.func))].sort()) {
    const fn = await loadFunction(func, root).catch(() => null);
    if (!fn) continue;
    const text = Function.prototype.toString.call(fn);
    out[func] = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) + "\n// … (cut)" : text;
  }
  return out;
}
