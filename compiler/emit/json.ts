// graph.json: the IR with every object's keys sorted, 2-space indent, trailing newline, so the
// same inputs give the same bytes on every machine. buildGraph already creates its records with
// sorted keys, so the usual path only checks the order and stringifies (a 10,000-node graph is
// ~10 MB, written in pieces by emitJsonTo); anything else (hand-built or extended IR) goes
// through the generic key sort.
import type { GraphIR } from "../types.js";

/** Record lists built with sorted keys (by buildGraph): emitJson need not check them again. */
const SORTED = new WeakSet<readonly object[]>();

/** Marks a freshly built list of records whose keys are in sorted order (readonly from here on). */
export function markKeysSorted<T extends readonly object[]>(list: T): T {
  SORTED.add(list);
  return list;
}

/** Records whose keys are sorted and whose values are lists of strings (named pipelines). */
const STRING_LISTS = new WeakSet<object>();

/** Marks a freshly built record of sorted keys to lists of strings (readonly from here on). */
export function markSortedStringLists<T extends object>(record: T): T {
  STRING_LISTS.add(record);
  return record;
}

/** Stable JSON text of the graph (keys sorted recursively; array order kept). */
export function emitJson(graph: GraphIR): string {
  const parts: string[] = [];
  emitJsonTo(graph, (text) => parts.push(text));
  return parts.join("");
}

/** Records per JSON.stringify call for the long top-level lists (nodes, datasets, edges, layers). */
const CHUNK = 256;

/**
 * emitJson's text handed to `write` in order, in pieces (their concatenation is emitJson's text):
 * long top-level lists are stringified a few hundred records at a time, so a 10,000-node graph
 * never becomes one 10 MB string (and a flattened copy of it) before it reaches the disk.
 * Each piece is what JSON.stringify(document, null, 2) writes there: a record list's records
 * are cut out of `{"key": [records]}`, which indents them exactly as in the whole document.
 */
export function emitJsonTo(graph: GraphIR, write: (text: string) => void): void {
  const body = sortedBody(graph);
  // JSON.stringify leaves out keys whose value it cannot write.
  const keys = Object.keys(body).filter((k) => !omitted(body[k]));
  if (keys.length === 0) return write("{}\n");
  write("{\n");
  for (let i = 0; i < keys.length; i++) {
    writeEntry(keys[i], body[keys[i]], write);
    write(i < keys.length - 1 ? ",\n" : "\n}\n");
  }
}

/** The document's top level: keys sorted, record lists with sorted keys (checked or copied). */
function sortedBody(graph: GraphIR): Record<string, unknown> {
  // Named pipelines from resolvePipelines are marked: keys sorted, lists of names (thousands of
  // them) that the generic sort would walk only to share them as they are.
  const lists = graph.pipelines;
  const marked = lists !== undefined && STRING_LISTS.has(lists);
  // sortKeys returns sorted copies (or shares what holds no object), so `top` needs no check.
  const top = sortKeys({
    ...graph,
    ...(marked ? { pipelines: {} } : {}),
    nodes: [],
    datasets: [],
    edges: [],
    layers: [],
    params: [],
  }) as Record<string, unknown>;
  const records = [graph.nodes, graph.datasets, graph.edges] as readonly (readonly object[])[];
  const sorted = records.every((list) => SORTED.has(list) || list.every(keysSorted));
  return orderTop({
    ...top,
    ...(marked ? { pipelines: lists } : {}),
    datasets: sorted ? graph.datasets : sortKeys(graph.datasets),
    edges: sorted ? graph.edges : sortKeys(graph.edges),
    layers: graph.layers,
    nodes: sorted ? graph.nodes : sortKeys(graph.nodes),
    params: graph.params,
  });
}

function omitted(v: unknown): boolean {
  return v === undefined || typeof v === "function" || typeof v === "symbol";
}

/** `  "key": value` at the top level, a long list in chunks. */
function writeEntry(key: string, value: unknown, write: (text: string) => void): void {
  if (!Array.isArray(value) || value.length <= CHUNK) {
    const text = JSON.stringify({ [key]: value }, null, 2); // "{\n  \"key\": value\n}"
    write(text.slice(2, text.length - 2));
    return;
  }
  const head = `  ${JSON.stringify(key)}: [\n`;
  write(head);
  for (let i = 0; i < value.length; i += CHUNK) {
    const text = JSON.stringify({ [key]: value.slice(i, i + CHUNK) }, null, 2); // "{\n" head records "\n  ]\n}"
    write(text.slice(2 + head.length, text.length - 6));
    if (i + CHUNK < value.length) write(",\n");
  }
  write("\n  ]");
}

/** The top-level object with its keys in sorted order (values untouched). */
function orderTop(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort()) out[k] = o[k];
  return out;
}

/** True when every object inside `v` (itself included) has its keys in code-unit order. Iterative. */
export function keysSorted(v: unknown): boolean {
  // The stack is allocated only for nested objects: most dataset configs are flat.
  let stack: unknown[] | null = null;
  let x: unknown = v;
  for (;;) {
    if (x !== null && typeof x === "object") {
      if (Array.isArray(x)) {
        // Indexed: for-of makes an iterator result per item until the loop is optimised.
        for (let i = 0; i < x.length; i++) {
          const y: unknown = x[i];
          if (y !== null && typeof y === "object") (stack ??= []).push(y);
        }
      } else {
        let prev: string | null = null;
        for (const k in x) {
          if (prev !== null && k < prev) return false;
          prev = k;
          const y = (x as Record<string, unknown>)[k];
          if (y !== null && typeof y === "object") (stack ??= []).push(y);
        }
      }
    }
    if (!stack || stack.length === 0) return true;
    x = stack.pop();
  }
}

/** Fast path for the common flat map (dataset configs): sorted copy, or null when values nest. */
function sortFlat(v: object): Record<string, unknown> | null {
  if (Array.isArray(v)) return null;
  const keys = Object.keys(v);
  for (const k of keys) {
    const x = (v as Record<string, unknown>)[k];
    if ((x !== null && typeof x === "object") || k === "__proto__") return null;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys.sort()) out[k] = (v as Record<string, unknown>)[k];
  return out;
}

function allPrimitive(a: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x !== null && typeof x === "object") return false;
  }
  return true;
}

/** A copy of `v` with object keys in code-unit order, iteratively (deep configs must not overflow). */
export function sortKeys(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  const flat = sortFlat(v);
  if (flat) return flat;
  const root: { v: unknown } = { v: undefined };
  const stack: [unknown, Record<string | number, unknown>, string | number][] = [[v, root, "v"]];
  while (stack.length > 0) {
    const [src, parent, key] = stack.pop()!;
    if (src === null || typeof src !== "object") {
      parent[key] = src;
    } else if (Array.isArray(src)) {
      // Lists of names (pipelines, layers) hold no objects: shared as they are.
      if (allPrimitive(src)) {
        parent[key] = src;
        continue;
      }
      const arr: unknown[] = new Array(src.length);
      parent[key] = arr;
      for (let i = 0; i < src.length; i++) stack.push([src[i], arr as unknown as Record<number, unknown>, i]);
    } else {
      const obj: Record<string, unknown> = {};
      parent[key] = obj;
      const keys = Object.keys(src).sort();
      // Create keys in sorted order now; children fill their slots later. A YAML key
      // "__proto__" must stay a plain key, never set the prototype.
      for (const k of keys)
        Object.defineProperty(obj, k, { value: undefined, enumerable: true, writable: true, configurable: true });
      for (const k of keys) stack.push([(src as Record<string, unknown>)[k], obj, k]);
    }
  }
  return root.v;
}
