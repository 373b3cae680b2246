// compileProject: the whole compiler in order (load config, load + validate pipeline.yml, expand,
// resolve, buildGraph, named pipelines, selection) and the located diagnostics of every phase.
import { basename, join } from "node:path";
import { buildGraph } from "./build-graph.js";
import { phases } from "./compile-phases.js";
import { CompileContext, type Diagnostic } from "./diagnostics.js";
import { loadYaml } from "./load.js";
import { locate } from "./locate.js";
import { resolve } from "./resolve.js";
import type { CompiledProject, CompileOptions, GraphIR, ProjectConfig, RawDocument, SelectionSpec, SourceRef } from "./types.js";

type Pipelines = Record<string, SelectionSpec & { readonly source: SourceRef }>;

/** Result of a compile: the project (null when there are errors), all diagnostics, the context. */
export interface CompileResult {
  readonly project: CompiledProject | null;
  readonly diagnostics: Diagnostic[];
  readonly ctx: CompileContext;
}

/** Compiles the project at `opts.root`; never throws for user mistakes (they are diagnostics). */
export async function compileProject(opts: CompileOptions): Promise<CompileResult> {
  const ctx = new CompileContext(opts.root);
  const p = await phases();
  const config = (await p.loadConfig(opts, ctx)) ?? EMPTY_CONFIG;
  const hooks = (await p.loadHooksConfig(opts.root, ctx)) ?? [];
  const doc = loadYaml(opts.pipelineFile ?? join(opts.root, "pipeline.yml"), ctx);
  let graph: GraphIR | null = null;
  let selected: GraphIR | null = null;
  let parameters: Readonly<Record<string, unknown>> = config.parameters;
  if (doc) {
    const before = ctx.errorCount;
    await p.validateDocument(doc, "pipeline", ctx);
    // Expanding a document that failed its schema would only add noise (or trip on bad shapes).
    const expanded = ctx.errorCount === before ? await p.expandPipeline(doc, config, ctx) : { nodes: [], pipelines: {} };
    const resolved = await resolve(expanded.nodes, expanded.pipelines, config, opts, ctx);
    parameters = resolved.parameters;
    const built = buildGraph({ ...resolved, name: projectName(doc, opts.root) }, ctx, locate);
    graph = withPipelines(built, expanded.pipelines, p, ctx);
    selected = hasSelection(opts.selection) ? await p.selectGraph(graph, opts.selection!, ctx, null) : graph;
  }
  const diagnostics = ctx.finalize(locate);
  const project: CompiledProject | null =
    graph && selected && !ctx.hasErrors()
      ? { root: opts.root, env: envOf(opts), graph, selected, parameters, credentials: config.credentials, mlflow: config.mlflow, hooks }
      : null;
  return { project, diagnostics, ctx };
}

/** graph.pipelines filled: each named pipeline's sorted node names; `__default__` is all nodes unless given. */
function withPipelines(graph: GraphIR, pipelines: Pipelines, p: Awaited<ReturnType<typeof phases>>, ctx: CompileContext): GraphIR {
  const out: Record<string, readonly string[]> = { __default__: graph.nodes.map((n) => n.name) };
  for (const name of Object.keys(pipelines).sort()) {
    const { source, ...spec } = pipelines[name];
    out[name] = [...p.selectNodeNames(graph, spec, ctx, source)].sort();
  }
  const sorted: Record<string, readonly string[]> = {};
  for (const k of Object.keys(out).sort()) sorted[k] = out[k];
  return { ...graph, pipelines: sorted };
}

/** True when a selection spec asks for anything. */
export function hasSelection(s: SelectionSpec | undefined): boolean {
  return !!s && Object.values(s).some((v) => v !== undefined && (!Array.isArray(v) || v.length > 0));
}

function projectName(doc: RawDocument, root: string): string {
  const d = doc.data as { name?: unknown } | null;
  return d && typeof d.name === "string" && d.name !== "" ? d.name : basename(root);
}

function envOf(opts: CompileOptions): string {
  return opts.env ?? (process.env.MLC_ENV || "local");
}

const EMPTY_CONFIG: ProjectConfig = { catalog: {}, catalogSources: {}, parameters: {}, globals: {}, credentials: {}, mlflow: null, files: [] };
