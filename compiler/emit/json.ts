// graph.json: the IR with every object's keys sorted, 2-space indent, trailing newline, so the
// same inputs give the same bytes on every machine. The IR's own records are written with their
// keys in a fixed sorted order (fast: a 10,000-node graph is ~6 MB); only free-form dataset
// configs go through the generic key sort.
import type { GraphIR, IRDataset, IREdge, IRNode } from "../types.js";

/** Stable JSON text of the graph (keys sorted recursively; array order kept). */
export function emitJson(graph: GraphIR): string {
  const sorted = {
    datasets: graph.datasets.map(datasetRecord),
    edges: graph.edges.map(edgeRecord),
    irVersion: graph.irVersion,
    layers: graph.layers,
    name: graph.name,
    nodes: graph.nodes.map(nodeRecord),
    params: graph.params,
    pipelines: sortKeys(graph.pipelines),
  };
  // Extra top-level fields added later still come out sorted.
  return JSON.stringify(mergeSorted(sorted, graph), null, 2) + "\n";
}

function nodeRecord(n: IRNode): Record<string, unknown> {
  const rec = {
    baseName: n.baseName,
    func: n.func,
    inputKeys: n.inputKeys,
    inputMode: n.inputMode,
    inputs: n.inputs,
    name: n.name,
    namespace: n.namespace,
    outputKeys: n.outputKeys,
    outputMode: n.outputMode,
    outputs: n.outputs,
    retries: n.retries,
    source: { file: n.source.file, line: n.source.line },
    tags: n.tags,
    timeoutMs: n.timeoutMs,
  };
  return withExtras(rec, n, NODE_KEYS);
}

function datasetRecord(d: IRDataset): Record<string, unknown> {
  const rec = {
    config: sortKeys(d.config),
    entry: d.entry,
    filepath: d.filepath,
    layer: d.layer,
    name: d.name,
    persistent: d.persistent,
    type: d.type,
  };
  return withExtras(rec, d, DATASET_KEYS);
}

function edgeRecord(e: IREdge): Record<string, unknown> {
  return { dataset: e.dataset, from: e.from, to: e.to };
}

const NODE_KEYS = new Set(["baseName", "func", "inputKeys", "inputMode", "inputs", "name", "namespace", "outputKeys", "outputMode", "outputs", "retries", "source", "tags", "timeoutMs"]);
const DATASET_KEYS = new Set(["config", "entry", "filepath", "layer", "name", "persistent", "type"]);

/** `rec` plus the fields `o` has beyond the known ones (optional IR fields added later), keys sorted. */
function withExtras(rec: Record<string, unknown>, o: object, known: Set<string>): Record<string, unknown> {
  let extra = false;
  for (const k in o) if (!known.has(k)) extra = true;
  if (!extra) return rec;
  const all: Record<string, unknown> = { ...rec };
  for (const k of Object.keys(o)) if (!known.has(k)) all[k] = (o as Record<string, unknown>)[k];
  return sortKeys(all) as Record<string, unknown>;
}

/** `sorted` plus any unknown top-level fields of `graph`, all keys in sorted order. */
function mergeSorted(sorted: Record<string, unknown>, graph: GraphIR): Record<string, unknown> {
  const extra = Object.keys(graph).filter((k) => !(k in sorted));
  if (extra.length === 0 && isSortedRecordOrder(sorted)) return sorted;
  const all: Record<string, unknown> = { ...sorted };
  for (const k of extra) all[k] = sortKeys((graph as unknown as Record<string, unknown>)[k]);
  return sortKeys(all) as Record<string, unknown>;
}

function isSortedRecordOrder(o: Record<string, unknown>): boolean {
  const keys = Object.keys(o);
  return keys.every((k, i) => i === 0 || keys[i - 1] < k);
}

/** A copy of `v` with object keys in code-unit order, iteratively (deep configs must not overflow). */
export function sortKeys(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  const root: { v: unknown } = { v: undefined };
  const stack: [unknown, Record<string | number, unknown>, string | number][] = [[v, root, "v"]];
  while (stack.length > 0) {
    const [src, parent, key] = stack.pop()!;
    if (src === null || typeof src !== "object") {
      parent[key] = src;
    } else if (Array.isArray(src)) {
      const arr: unknown[] = new Array(src.length);
      parent[key] = arr;
      for (let i = 0; i < src.length; i++) stack.push([src[i], arr as unknown as Record<number, unknown>, i]);
    } else {
      const obj: Record<string, unknown> = {};
      parent[key] = obj;
      const keys = Object.keys(src).sort();
      // Create keys in sorted order now; children fill their slots later.
      for (const k of keys) obj[k] = undefined;
      for (const k of keys) stack.push([(src as Record<string, unknown>)[k], obj, k]);
    }
  }
  return root.v;
}
