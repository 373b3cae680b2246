// Kedro's `pipeline()` remapping for an included sub-pipeline: namespace prefixes, explicit
// input/output/parameter mappings (which win), tags; and MLC3007 for every bad mapping.
import type { CompileContext } from "./diagnostics.js";
import { didYouMean } from "./suggest.js";
import type { DocPath, ResolvedNode, SourceRef } from "./types.js";

/** An include entry's remapping part, as written (inputs/outputs/parameters: string | list | map). */
export interface RemapSpec {
  readonly namespace: string | null;
  readonly inputs?: unknown;
  readonly outputs?: unknown;
  readonly parameters?: unknown;
  readonly tags: readonly string[];
}

interface Mapping {
  readonly from: string;
  readonly to: string;
  readonly at: SourceRef;
}

const isParam = (n: string): boolean => n === "parameters" || n.startsWith("params:");
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The nodes of a sub-pipeline as seen from the including file. `at` is the include entry
 * (mapping errors point inside it); `label` names the included file in messages.
 */
export function remapNodes(
  nodes: readonly ResolvedNode[],
  spec: RemapSpec,
  at: SourceRef,
  label: string,
  ctx: CompileContext,
): ResolvedNode[] {
  const sub = (key: string): SourceRef => ({ file: at.file, path: [...at.path, key] });
  const inputs = mappingsOf(spec.inputs, sub("inputs"), (n) => n);
  const outputs = mappingsOf(spec.outputs, sub("outputs"), (n) => n);
  // `parameters` (the whole map) is never renamed, even when listed.
  const params = mappingsOf(spec.parameters, sub("parameters"), paramRef).map((e) =>
    e.from === "parameters" ? { ...e, to: "parameters" } : e,
  );
  const rejected = checkMappings(nodes, { inputs, outputs, params }, label, ctx);
  const mapping = new Map<string, string>();
  // A rejected mapping is not applied: the names keep their default (prefixed) form.
  for (const m of [...inputs, ...outputs, ...params]) if (!rejected.has(m)) mapping.set(m.from, m.to);
  const ns = spec.namespace;
  const rename = (n: string): string => {
    const mapped = mapping.get(n);
    if (mapped !== undefined) return mapped;
    if (!ns || n === "parameters") return n;
    return n.startsWith("params:") ? `params:${ns}.${n.slice(7)}` : `${ns}.${n}`;
  };
  return nodes.map((n) => ({
    ...n,
    name: ns ? `${ns}.${n.name}` : n.name,
    baseName: ns ? `${ns}.${n.baseName}` : n.baseName,
    namespace: ns ? (n.namespace ? `${ns}.${n.namespace}` : ns) : n.namespace,
    inputs: n.inputs.map(rename),
    outputs: n.outputs.map(rename),
    tags: spec.tags.length ? [...new Set([...n.tags, ...spec.tags])].sort(cmp) : n.tags,
  }));
}

/** `params:x` for a parameters-mapping name written with or without the prefix; `parameters` stays. */
function paramRef(n: string): string {
  return n === "parameters" || n.startsWith("params:") ? n : `params:${n}`;
}

/** string | list -> identity mappings (names kept unprefixed); map -> inner: outer. */
function mappingsOf(v: unknown, at: SourceRef, norm: (n: string) => string): Mapping[] {
  const item = (path: DocPath, key = false): SourceRef => ({ file: at.file, path, ...(key ? { key } : {}) });
  if (typeof v === "string") return [{ from: norm(v), to: norm(v), at }];
  if (Array.isArray(v)) {
    return v.flatMap((x, i) =>
      typeof x === "string" ? [{ from: norm(x), to: norm(x), at: item([...at.path, i]) }] : [],
    );
  }
  if (typeof v === "object" && v !== null) {
    return Object.entries(v).flatMap(([k, x]) =>
      typeof x === "string" ? [{ from: norm(k), to: norm(x), at: item([...at.path, k], true) }] : [],
    );
  }
  return [];
}

interface SubPipeline {
  readonly datasets: Set<string>;
  readonly producer: Map<string, string>;
}

function describe(nodes: readonly ResolvedNode[]): SubPipeline {
  const datasets = new Set<string>();
  const producer = new Map<string, string>();
  for (const n of nodes) {
    for (const d of n.inputs) datasets.add(d);
    for (const d of n.outputs) {
      datasets.add(d);
      if (!producer.has(d)) producer.set(d, n.name);
    }
  }
  return { datasets, producer };
}

/** Kedro's checks, each reported at the mapping entry: unknown name, parameter as dataset, not free, not produced. */
function checkMappings(
  nodes: readonly ResolvedNode[],
  m: { inputs: Mapping[]; outputs: Mapping[]; params: Mapping[] },
  label: string,
  ctx: CompileContext,
): Set<Mapping> {
  const rejected = new Set<Mapping>();
  const sub = describe(nodes);
  const dataNames = [...sub.datasets].filter((d) => !isParam(d));
  const paramNames = [...sub.datasets].filter((d) => d.startsWith("params:")).map((d) => d.slice(7));
  const fail = (e: Mapping, message: string, hint?: string): void => {
    rejected.add(e);
    ctx.report({ code: "MLC3007", message: `${label}: ${message}`, at: e.at, ...(hint ? { hint } : {}) });
  };
  for (const [side, list] of [
    ["input", m.inputs],
    ["output", m.outputs],
  ] as const) {
    for (const e of list) {
      if (isParam(e.from))
        fail(
          e,
          `"${e.from}" is a parameter, not a dataset`,
          "map parameters under `parameters:` (without the params: prefix)",
        );
      else if (!sub.datasets.has(e.from))
        fail(e, `${side} "${e.from}" is not a dataset of the included pipeline${didYouMean(e.from, dataNames)}`);
      else if (side === "input" && sub.producer.has(e.from)) {
        fail(
          e,
          `input "${e.from}" is produced by node "${sub.producer.get(e.from)}" inside the included pipeline; only free inputs can be mapped`,
          "list it under `outputs:` to expose it instead",
        );
      } else if (side === "output" && !sub.producer.has(e.from)) {
        fail(
          e,
          `output "${e.from}" is not produced by any node of the included pipeline`,
          "only datasets some node writes can be exposed; map free inputs under `inputs:`",
        );
      }
    }
  }
  for (const e of m.params) {
    if (sub.datasets.has(e.from)) continue;
    const bare = e.from === "parameters" ? e.from : e.from.slice(7);
    fail(e, `parameter "${bare}" is not used by the included pipeline${didYouMean(bare, paramNames)}`);
  }
  return rejected;
}
