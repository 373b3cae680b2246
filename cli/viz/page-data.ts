// The data the viz page draws: the compiled graph reshaped for the browser, the CLI selection and
// the last run's node statuses. Plain JSON; secrets never enter it (credentials stay a name).
import type { DatasetConfig, GraphIR, IRDataset, IRNode } from "../../compiler/types.js";
import type { RunRecord } from "../../runs/record.js";
import type { DatasetStat, Media, Preview } from "./dataset-files.js";
import { orderLayers } from "./layer-order.js";

export { orderLayers };

export interface VizNode {
  readonly name: string;
  readonly func: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly tags: readonly string[];
  readonly namespace: string | null;
  readonly source: string | null;
  /** The function's source as loaded when the page was made (kedro-viz's code view), or null. */
  readonly code: string | null;
}

export interface VizDataset {
  readonly name: string;
  readonly type: string;
  readonly persistent: boolean;
  readonly layer: string | null;
  readonly filepath: string | null;
  readonly config: Record<string, unknown>;
}

export interface VizRunNode {
  readonly status: string;
  readonly duration_ms: number;
  readonly attempts: number;
  readonly error?: { readonly code: string; readonly message: string };
}

export interface VizRun {
  readonly run_id: string;
  readonly status: string;
  readonly started_at: string;
  readonly finished_at: string | null;
  readonly pipeline: string;
  readonly command: string;
  readonly resume_command?: string;
  readonly nodes: Readonly<Record<string, VizRunNode>>;
  /** The value of each parameter reference as this run used it (short JSON). */
  readonly params: Readonly<Record<string, string | null>>;
}

/** Everything the page needs, embedded as JSON in the HTML or served at /api/graph. */
export interface VizData {
  readonly version: 1;
  readonly name: string;
  readonly nodes: readonly VizNode[];
  readonly datasets: readonly VizDataset[];
  /** Parameter references as written ("params:a.b", "parameters") with their value as short JSON. */
  readonly params: readonly { readonly name: string; readonly value: string | null }[];
  readonly edges: GraphIR["edges"];
  readonly layers: GraphIR["layers"];
  readonly pipelines: GraphIR["pipelines"];
  /** Dataset layers in display order (left to right). */
  readonly layerOrder: readonly string[];
  /** Nodes picked by the CLI selection flags, or null when none were given. */
  readonly selection: { readonly label: string; readonly nodes: readonly string[] } | null;
  readonly run: VizRun | null;
  /** Size and row count of persisted datasets, as their files are now. */
  readonly stats: Readonly<Record<string, DatasetStat>>;
  /** First rows of table datasets (only with --include-previews). */
  readonly previews?: Readonly<Record<string, Preview>>;
  /** `plotly` figures and `image` files, drawn in the details panel. */
  readonly media: Readonly<Record<string, Media>>;
  /** The compiled pipeline.mmd, for the Mermaid download. */
  readonly mermaid: string;
  /** Served page only: errors of the latest edit (the graph shown is the last one that compiled). */
  readonly problems?: readonly string[];
}

export interface PageDataInput {
  readonly graph: GraphIR;
  readonly selected?: GraphIR | null;
  readonly selectionLabel?: string | null;
  readonly parameters?: Readonly<Record<string, unknown>>;
  readonly run?: RunRecord | null;
  /** Node function sources by func reference ("./src/x.ts#f"). */
  readonly codes?: Readonly<Record<string, string>>;
  readonly stats?: Readonly<Record<string, DatasetStat>>;
  readonly previews?: Readonly<Record<string, Preview>> | null;
  readonly media?: Readonly<Record<string, Media>>;
  readonly mermaid?: string;
}

/** Reshapes a compiled graph (and optionally the last run) into the page's data. */
export function buildPageData(input: PageDataInput): VizData {
  const { graph } = input;
  const selected = input.selected && input.selected !== graph ? input.selected : null;
  return {
    version: 1,
    name: graph.name,
    nodes: graph.nodes.map((n) => toVizNode(n, input.codes?.[n.func] ?? null)),
    datasets: graph.datasets.map(toVizDataset),
    params: graph.params.map((name) => ({ name, value: paramValue(name, input.parameters) })),
    edges: graph.edges,
    layers: graph.layers,
    pipelines: graph.pipelines,
    layerOrder: orderLayers(graph),
    selection: selected
      ? { label: input.selectionLabel || "selection", nodes: selected.nodes.map((n) => n.name) }
      : null,
    run: input.run ? toVizRun(input.run, graph) : null,
    stats: input.stats ?? {},
    ...(input.previews ? { previews: input.previews } : {}),
    media: input.media ?? {},
    mermaid: input.mermaid ?? "",
  };
}

function toVizNode(n: IRNode, code: string | null): VizNode {
  return {
    name: n.name,
    func: n.func,
    inputs: n.inputs,
    outputs: n.outputs,
    tags: n.tags,
    namespace: n.namespace,
    source: n.source ? `${n.source.file}:${n.source.line}` : null,
    code,
  };
}

function toVizDataset(d: IRDataset): VizDataset {
  return {
    name: d.name,
    type: d.type,
    persistent: d.persistent,
    layer: d.layer ?? null,
    filepath: d.filepath ?? null,
    config: safeConfig(d.config ?? { type: d.type }),
  };
}

// Defence in depth: graph.json holds no secrets, but a custom dataset could carry a key that
// looks like one; those are masked rather than trusted. `credentials` is a name and stays.
const SECRET_KEY = /pass(word)?|secret|token|api[_-]?key|private[_-]?key|auth/i;

/** Dataset config with secret-looking keys masked (recursively). */
export function safeConfig(config: DatasetConfig | Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (SECRET_KEY.test(k) && k !== "credentials") out[k] = "***";
    else if (v && typeof v === "object" && !Array.isArray(v)) out[k] = safeConfig(v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

function paramValue(ref: string, parameters?: Readonly<Record<string, unknown>>): string | null {
  if (!parameters) return null;
  let v: unknown = parameters;
  if (ref !== "parameters") {
    for (const part of ref.replace(/^params:/, "").split(".")) {
      if (!v || typeof v !== "object") return null;
      v = (v as Record<string, unknown>)[part];
    }
  }
  if (v === undefined) return null;
  const s = JSON.stringify(v);
  return s.length > 2000 ? s.slice(0, 2000) + "…" : s;
}

/** The run record as the page overlays it: statuses of this graph's nodes, and the parameters it used. */
export function toVizRun(run: RunRecord, graph: GraphIR): VizRun {
  const known = new Set(graph.nodes.map((n) => n.name));
  const nodes: Record<string, VizRunNode> = {};
  for (const n of run.nodes ?? []) {
    if (!known.has(n.name)) continue;
    nodes[n.name] = {
      status: n.status,
      duration_ms: n.duration_ms,
      attempts: n.attempts,
      ...(n.error ? { error: { code: n.error.code, message: n.error.message } } : {}),
    };
  }
  return {
    run_id: run.run_id,
    status: run.status,
    started_at: run.started_at,
    finished_at: run.finished_at,
    pipeline: run.pipeline,
    command: run.command,
    ...(run.resume_command ? { resume_command: run.resume_command } : {}),
    nodes,
    params: Object.fromEntries(graph.params.map((ref) => [ref, paramValue(ref, run.params ?? {})])),
  };
}

/** Every string secret in credentials (leaf values of 4+ characters), to keep out of the page. */
export function secretStrings(credentials: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string" && v.length >= 4) out.push(v);
    else if (v && typeof v === "object") Object.values(v as Record<string, unknown>).forEach(walk);
  };
  walk(credentials);
  return out;
}

/** A copy of `value` with every occurrence of a secret replaced by "***" (defence in depth). */
export function redact<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return secrets.reduce((s, x) => (s.includes(x) ? s.split(x).join("***") : s), v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [walk(k) as string, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
