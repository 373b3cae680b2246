// graph.json: the IR with every object's keys sorted, 2-space indent, trailing newline, so the
// same inputs give the same bytes on every machine.
import type { GraphIR } from "../types.js";

/** Stable JSON text of the graph (keys sorted recursively; array order kept). */
export function emitJson(graph: GraphIR): string {
  return JSON.stringify(sortKeys(graph), null, 2) + "\n";
}

/** A copy of `v` with object keys in code-unit order, iteratively (deep configs must not overflow). */
export function sortKeys(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  const root: { v: unknown } = { v: undefined };
  const stack: [unknown, Record<string, unknown> | unknown[], string | number][] = [[v, root as unknown as Record<string, unknown>, "v"]];
  while (stack.length > 0) {
    const [src, parent, key] = stack.pop()!;
    if (src === null || typeof src !== "object") {
      (parent as Record<string | number, unknown>)[key] = src;
    } else if (Array.isArray(src)) {
      const arr: unknown[] = new Array(src.length);
      (parent as Record<string | number, unknown>)[key] = arr;
      for (let i = 0; i < src.length; i++) stack.push([src[i], arr, i]);
    } else {
      const obj: Record<string, unknown> = {};
      (parent as Record<string | number, unknown>)[key] = obj;
      const keys = Object.keys(src).sort();
      // Create keys in sorted order now; children fill their slots later.
      for (const k of keys) obj[k] = undefined;
      for (const k of keys) stack.push([(src as Record<string, unknown>)[k], obj, k]);
    }
  }
  return root.v;
}
