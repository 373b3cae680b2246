// expand: the validated pipeline.yml document -> flat ResolvedNodes (includes + namespaces,
// matrix members, interpolated strings) and the named pipeline definitions with their source.
import type { CompileContext } from "./diagnostics.js";
import { expandNodeInto } from "./expand-node.js";
import { expandIncludes, includeIdentity } from "./include.js";
import { isMap } from "./plain-data.js";
import type { ProjectConfig, RawDocument, ResolvedNode, SelectionSpec, SourceRef } from "./types.js";

/** A named pipeline as written in `pipelines:`, with where it was written. */
export type NamedPipelineSpec = SelectionSpec & { readonly source: SourceRef };

type Raw = Record<string, unknown>;

/**
 * Expands `doc` (the schema-validated pipeline.yml). `runtime` holds the `--params` values for
 * `{{ runtime.x }}`. Problems (bad includes, bad mappings, bad durations) are reported into ctx.
 */
export function expandPipeline(
  doc: RawDocument,
  config: ProjectConfig,
  ctx: CompileContext,
  runtime: Readonly<Record<string, unknown>> = {},
): { nodes: ResolvedNode[]; pipelines: Record<string, NamedPipelineSpec> } {
  const vars: Record<string, unknown> = { globals: config.globals, runtime };
  const funcs = new Map<string, Map<string, string>>();
  const globbed: Record<string, NamedPipelineSpec> = {};
  const expandDoc = (d: RawDocument, chain: readonly string[]): ResolvedNode[] => {
    const data = isMap(d.data) ? d.data : {};
    const out: ResolvedNode[] = [];
    if (Array.isArray(data.nodes)) {
      const frame = { file: d.file, vars, funcs };
      // A loop, not flatMap or spreads: 10,000-node files are common and this runs cold.
      for (let i = 0; i < data.nodes.length; i++) expandNodeInto(data.nodes[i], i, frame, ctx, out);
    }
    const included = expandIncludes(d, chain, ctx, expandDoc, vars, globbed);
    for (let k = 0; k < included.length; k++) out.push(included[k]);
    return out;
  };
  const nodes = expandDoc(doc, [includeIdentity(doc.absPath)]);
  return { nodes, pipelines: { ...globbed, ...namedPipelines(doc) } };
}

const LIST_KEYS = ["nodes", "tags", "from_nodes", "to_nodes", "from_inputs", "to_outputs", "namespaces"] as const;

/** `pipelines:` entries as SelectionSpecs (a single string counts as a one-item list). */
export function namedPipelines(doc: RawDocument): Record<string, NamedPipelineSpec> {
  const out: Record<string, NamedPipelineSpec> = {};
  const defs = isMap(doc.data) && isMap(doc.data.pipelines) ? doc.data.pipelines : {};
  for (const [name, def] of Object.entries(defs)) {
    if (!isMap(def)) continue;
    const spec: Record<string, unknown> = { source: { file: doc.file, path: ["pipelines", name] } };
    if (typeof def.pipeline === "string") spec.pipeline = def.pipeline;
    for (const key of LIST_KEYS) {
      const v = def[key];
      if (typeof v === "string") spec[key] = [v];
      else if (Array.isArray(v)) spec[key] = v.filter((x): x is string => typeof x === "string");
    }
    out[name] = spec as unknown as NamedPipelineSpec;
  }
  return out;
}
