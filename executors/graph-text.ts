// The compiled graph as JSON text, made once per graph object (the run's graph_hash).
import type { GraphIR } from "../compiler/types.js";

const texts = new WeakMap<GraphIR, string>();

/** JSON.stringify(graph), cached: the compiled graph is sorted plain data, so the text is deterministic. */
export function graphText(graph: GraphIR): string {
  let t = texts.get(graph);
  if (t === undefined) texts.set(graph, (t = JSON.stringify(graph)));
  return t;
}
