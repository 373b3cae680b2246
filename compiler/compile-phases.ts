// The phases compileProject borrows from other modules (config, schema validation, expansion,
// selection), loaded by name so the orchestration compiles while those modules are being written.
// INTERIM: each missing module gets a clearly minimal stand-in below; once all exist this file
// becomes plain static imports.
import { join } from "node:path";
import type { CompileContext } from "./diagnostics.js";
import { loadYaml } from "./load.js";
import type { CompileOptions, DatasetConfig, GraphIR, ProjectConfig, RawDocument, ResolvedNode, SelectionSpec, SourceRef } from "./types.js";

type Pipelines = Record<string, SelectionSpec & { readonly source: SourceRef }>;

/** The borrowed phases, with the signatures agreed in the team brief. */
export interface Phases {
  loadConfig(opts: CompileOptions, ctx: CompileContext): ProjectConfig | Promise<ProjectConfig>;
  loadHooksConfig(root: string, ctx: CompileContext): readonly string[] | Promise<readonly string[]>;
  validateDocument(doc: RawDocument, kind: string, ctx: CompileContext): unknown;
  expandPipeline(doc: RawDocument, config: ProjectConfig, ctx: CompileContext): { nodes: readonly ResolvedNode[]; pipelines: Pipelines } | Promise<{ nodes: readonly ResolvedNode[]; pipelines: Pipelines }>;
  selectGraph(graph: GraphIR, spec: SelectionSpec, ctx: CompileContext, at?: SourceRef | null): GraphIR | Promise<GraphIR>;
  selectNodeNames(graph: GraphIR, spec: SelectionSpec, ctx: CompileContext, at?: SourceRef | null): readonly string[];
}

let cached: Phases | null = null;

/** Loads the phases once per process. */
export async function phases(): Promise<Phases> {
  if (cached) return cached;
  const [config, validate, expand, select] = await Promise.all([
    optional("./config.js"),
    optional("../schema/validate.js"),
    optional("./expand.js"),
    optional("./select.js"),
  ]);
  cached = {
    loadConfig: (config?.loadConfig as Phases["loadConfig"]) ?? interimLoadConfig,
    loadHooksConfig: (config?.loadHooksConfig as Phases["loadHooksConfig"]) ?? (() => []),
    validateDocument: (validate?.validateDocument as Phases["validateDocument"]) ?? (() => true),
    expandPipeline: (expand?.expandPipeline as Phases["expandPipeline"]) ?? interimExpand,
    selectGraph: (select?.selectGraph as Phases["selectGraph"]) ?? ((g) => g),
    selectNodeNames: (select?.selectNodeNames as Phases["selectNodeNames"]) ?? ((g) => g.nodes.map((n) => n.name)),
  };
  return cached;
}

async function optional(spec: string): Promise<Record<string, unknown> | null> {
  try {
    return (await import(spec)) as Record<string, unknown>;
  } catch (err) {
    // The module, or one it imports, is not written yet.
    if ((err as { code?: string }).code === "ERR_MODULE_NOT_FOUND") return null;
    throw err;
  }
}

/** INTERIM stand-in for compiler/config.ts: catalog + parameters from conf/base then conf/<env>. */
function interimLoadConfig(opts: CompileOptions, ctx: CompileContext): ProjectConfig {
  const catalog: Record<string, DatasetConfig> = {};
  const catalogSources: Record<string, SourceRef> = {};
  let parameters: Record<string, unknown> = {};
  const files: string[] = [];
  const envs = ["base", opts.env ?? "local"];
  const catalogs = opts.catalogFile ? [opts.catalogFile] : envs.map((e) => join(opts.root, "conf", e, "catalog.yml"));
  for (const f of catalogs) {
    const doc = loadYaml(f, ctx, { optional: !opts.catalogFile });
    if (!doc || typeof doc.data !== "object" || doc.data === null) continue;
    files.push(doc.file);
    for (const [k, v] of Object.entries(doc.data)) {
      catalog[k] = v as DatasetConfig;
      catalogSources[k] = { file: doc.file, path: [k] };
    }
  }
  for (const e of opts.catalogFile ? [] : envs) {
    const doc = loadYaml(join(opts.root, "conf", e, "parameters.yml"), ctx, { optional: true });
    if (!doc || typeof doc.data !== "object" || doc.data === null) continue;
    files.push(doc.file);
    parameters = { ...parameters, ...(doc.data as Record<string, unknown>) };
  }
  return { catalog, catalogSources, parameters, globals: {}, credentials: {}, mlflow: null, files };
}

/** INTERIM stand-in for compiler/expand.ts: flattens `nodes:` only (no include, matrix or templates). */
function interimExpand(doc: RawDocument): { nodes: ResolvedNode[]; pipelines: Pipelines } {
  const data = (doc.data ?? {}) as { nodes?: unknown[]; pipelines?: Record<string, SelectionSpec> };
  const nodes = (Array.isArray(data.nodes) ? data.nodes : []).map((raw, i) => {
    const r = raw as Record<string, unknown>;
    const io = (v: unknown) => (typeof v === "string" ? { names: [v], mode: "single" as const } : Array.isArray(v) ? { names: v as string[], mode: "list" as const } : v && typeof v === "object" ? { names: Object.values(v) as string[], keys: Object.keys(v), mode: "map" as const } : { names: [], mode: "none" as const });
    const ins = io(r.inputs);
    const outs = io(r.outputs);
    const ns = typeof r.namespace === "string" ? r.namespace : null;
    const name = ns ? `${ns}.${r.name}` : String(r.name);
    const func = String(r.func ?? "").replace(/^\.\//, "");
    return { name, baseName: name, func: func.includes("#") ? func : `${func}#default`, inputs: ins.names, inputMode: ins.mode, ...(ins.keys ? { inputKeys: ins.keys } : {}), outputs: outs.names, outputMode: outs.mode, ...(outs.keys ? { outputKeys: outs.keys } : {}), tags: (r.tags as string[]) ?? [], namespace: ns, retries: Number(r.retries ?? 0), timeoutMs: null, source: { file: doc.file, path: ["nodes", i] } } satisfies ResolvedNode;
  });
  const pipelines: Pipelines = {};
  for (const [k, v] of Object.entries(data.pipelines ?? {})) pipelines[k] = { ...v, source: { file: doc.file, path: ["pipelines", k] } };
  return { nodes, pipelines };
}
