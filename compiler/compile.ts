// compileProject: the whole compiler in order (load config, load + validate pipeline.yml, expand,
// resolve, buildGraph, named pipelines, selection) and the located diagnostics of every phase.
import { join } from "node:path";
import { validateDocument } from "../schema/validate.js";
import { buildGraph } from "./build-graph.js";
import { configEnv, loadConfig, loadMlcConfig, projectName } from "./config.js";
import { CompileContext, type Diagnostic } from "./diagnostics.js";
import { expandPipeline, type NamedPipelineSpec } from "./expand.js";
import { loadYaml } from "./load.js";
import { locate } from "./locate.js";
import { resolvePipelines } from "./named-pipelines.js";
import { resolve } from "./resolve.js";
import { selectGraph } from "./select.js";
import type { CompiledProject, CompileOptions, GraphIR, RawDocument, ResolvedNode } from "./types.js";

/** Result of a compile: the project (null when there are errors), all diagnostics, the context. */
export interface CompileResult {
  readonly project: CompiledProject | null;
  readonly diagnostics: Diagnostic[];
  readonly ctx: CompileContext;
}

/** Compiles the project at `opts.root`; never throws for user mistakes (they are diagnostics). */
export async function compileProject(opts: CompileOptions): Promise<CompileResult> {
  const ctx = new CompileContext(opts.root);
  const config = loadConfig(opts, ctx);
  const { hooks, cache, distributed } = loadMlcConfig(opts.root, ctx);
  const doc = loadYaml(opts.pipelineFile ?? join(opts.root, "pipeline.yml"), ctx);
  let graph: GraphIR | null = null;
  let selected: GraphIR | null = null;
  let parameters: Readonly<Record<string, unknown>> = config.parameters;
  if (doc) {
    const { nodes, pipelines } = expandValid(doc, config, opts, ctx);
    const resolved = await resolve(nodes, pipelines, config, opts, ctx);
    parameters = resolved.parameters;
    const built = buildGraph({ ...resolved, name: projectName(doc, opts.root) }, ctx, locate);
    graph = { ...built, pipelines: resolvePipelines(built, pipelines, ctx) };
    // Without a selection this is `graph` itself, or the user's `__default__` pipeline when defined.
    selected = selectGraph(graph, opts.selection ?? {}, ctx, null);
  }
  const diagnostics = ctx.finalize(locate);
  const project: CompiledProject | null =
    graph && selected && !ctx.hasErrors()
      ? {
          root: opts.root,
          env: configEnv(opts),
          graph,
          selected,
          parameters,
          credentials: config.credentials,
          mlflow: config.mlflow,
          hooks,
          cache,
          distributed,
        }
      : null;
  return { project, diagnostics, ctx };
}

/** Expands pipeline.yml when it passes its schema; a document that failed would only add noise. */
function expandValid(
  doc: RawDocument,
  config: ReturnType<typeof loadConfig>,
  opts: CompileOptions,
  ctx: CompileContext,
): { nodes: readonly ResolvedNode[]; pipelines: Record<string, NamedPipelineSpec> } {
  if (!validateDocument(doc, "pipeline", ctx)) return { nodes: [], pipelines: {} };
  return expandPipeline(doc, config, ctx, opts.runtimeParams ?? {});
}
