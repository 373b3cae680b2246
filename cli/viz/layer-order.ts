// Left-to-right order of the dataset layers for the viz bands. The layout forces every dataset of
// band i left of every dataset of band i+1, so the order must agree with the data flow: a layer
// that feeds another (directly or through unlayered datasets) comes first. When the flow makes
// that impossible (layers feeding each other), there are no bands at all, as in Kedro-viz:
// contradicting constraints made dagre reverse edges and draw bands of negative width.
import type { GraphIR } from "../../compiler/types.js";

// Kedro's conventional data layers: they break ties, so bands come out in the order users expect.
const KNOWN_LAYERS = [
  "raw",
  "intermediate",
  "primary",
  "feature",
  "model_input",
  "models",
  "model",
  "model_output",
  "reporting",
];

/** Layers in data-flow order (Kedro's order, then first appearance, break ties); [] when layers feed each other. */
export function orderLayers(graph: GraphIR): string[] {
  const tie = tieRanks(graph);
  const deps = layerEdges(graph);
  const indegree = new Map([...tie.keys()].map((l) => [l, 0]));
  for (const [, tos] of deps) for (const t of tos) indegree.set(t, indegree.get(t)! + 1);
  // Among layers the flow allows next, Kedro's order wins (a reporting chart drawn early from an
  // intermediate table must not put `reporting` before `primary`); others by first appearance.
  const unknown = KNOWN_LAYERS.length;
  const byTie = (a: string, b: string) => {
    const [ta, tb] = [tie.get(a)!, tie.get(b)!];
    const byKnown = ta.known < unknown && tb.known < unknown ? ta.known - tb.known : 0;
    return byKnown || ta.gen - tb.gen || ta.known - tb.known || (a < b ? -1 : a > b ? 1 : 0);
  };
  const ready = [...indegree].filter(([, n]) => n === 0).map(([l]) => l);
  const out: string[] = [];
  while (ready.length > 0) {
    ready.sort(byTie);
    const l = ready.shift()!;
    out.push(l);
    for (const t of deps.get(l) ?? []) {
      indegree.set(t, indegree.get(t)! - 1);
      if (indegree.get(t) === 0) ready.push(t);
    }
  }
  return out.length === tie.size ? out : [];
}

/** Per layer: the topological generation of its first dataset and its index among Kedro's layers. */
function tieRanks(graph: GraphIR): Map<string, { gen: number; known: number }> {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const producedAt = new Map<string, number>();
  graph.layers.forEach((gen, i) => {
    for (const name of gen) byName.get(name)?.outputs.forEach((o) => producedAt.set(o, i + 1));
  });
  const known = (l: string) => (KNOWN_LAYERS.includes(l) ? KNOWN_LAYERS.indexOf(l) : KNOWN_LAYERS.length);
  const ranks = new Map<string, { gen: number; known: number }>();
  for (const d of graph.datasets) {
    if (!d.layer) continue;
    const gen = Math.min(ranks.get(d.layer)?.gen ?? Infinity, producedAt.get(d.name) ?? 0);
    ranks.set(d.layer, { gen, known: known(d.layer) });
  }
  return ranks;
}

/** Layer A -> layer B when a dataset of A reaches a dataset of B through nodes and unlayered datasets. */
function layerEdges(graph: GraphIR): Map<string, Set<string>> {
  const layerOf = new Map(graph.datasets.filter((d) => d.layer).map((d) => [d.name, d.layer!]));
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const carried = new Map<string, ReadonlySet<string>>(); // unlayered dataset -> layers upstream of it
  const edges = new Map<string, Set<string>>();
  for (const gen of graph.layers) {
    for (const name of gen) {
      const node = byName.get(name);
      if (!node) continue;
      const up = new Set<string>();
      for (const i of node.inputs) {
        const l = layerOf.get(i);
        if (l) up.add(l);
        else carried.get(i)?.forEach((x) => up.add(x));
      }
      for (const o of node.outputs) {
        const l = layerOf.get(o);
        if (!l) carried.set(o, up);
        else for (const u of up) if (u !== l) edges.set(u, (edges.get(u) ?? new Set()).add(l));
      }
    }
  }
  return edges;
}
