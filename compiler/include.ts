// `include:` entries of one pipeline document: load each sub-pipeline file (relative to the
// including file), expand it, remap it as Kedro's `pipeline()`. Cycles are found by the chain of
// absolute paths from the root document, so a self-including file is an error, never a hang.
import { existsSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, resolve } from "node:path";
import { validateDocument } from "../schema/validate.js";
import type { CompileContext } from "./diagnostics.js";
import { normalizeTags } from "./expand-node.js";
import { interpolateTree } from "./interpolate.js";
import { loadYaml, projectPath } from "./load.js";
import { remapNodes } from "./namespace.js";
import { isMap } from "./plain-data.js";
import type { NamedPipelineSpec } from "./expand.js";
import type { RawDocument, ResolvedNode, SourceRef } from "./types.js";

/** Expands a document (and its own includes) given the chain of absolute paths that led to it. */
export type ExpandDocument = (doc: RawDocument, chain: readonly string[]) => ResolvedNode[];

type Raw = Record<string, unknown>;

const require = createRequire(import.meta.url);
let globModule: typeof import("tinyglobby") | null = null;
/** tinyglobby, loaded by the first include (it costs more to load than a small project takes to compile). */
function glob(): typeof import("tinyglobby") {
  return (globModule ??= require("tinyglobby") as typeof import("tinyglobby"));
}

/** Deeper include chains are reported instead of followed (a guard; real projects nest a few levels). */
export const MAX_INCLUDE_DEPTH = 64;

/** The path that identifies a file in an include chain: symlinked folders must not hide a cycle. */
export function includeIdentity(abs: string): string {
  try {
    return realpathSync(abs);
  } catch {
    return abs;
  }
}

/**
 * The remapped nodes of every `include:` entry of `doc`, in order; problems are MLC3007 at the
 * entry. Entry strings may use `{{ globals.x }}` / `{{ runtime.x }}` (`vars`).
 */
export function expandIncludes(
  doc: RawDocument,
  chain: readonly string[],
  ctx: CompileContext,
  expand: ExpandDocument,
  vars: Record<string, unknown> = {},
  named: Record<string, NamedPipelineSpec> = {},
): ResolvedNode[] {
  const list = isMap(doc.data) && Array.isArray(doc.data.include) ? doc.data.include : [];
  return list.flatMap((raw, j) => {
    const entry = isMap(raw) ? interpolateTree(raw, vars, doc.file, ["include", j], ctx) : null;
    if (!isMap(entry)) return [];
    if (typeof entry.pipeline === "string" && glob().isDynamicPattern(entry.pipeline))
      return includeGlob(doc, entry, entry.pipeline, j, chain, ctx, expand, named);
    return includeOne(doc, entry, j, chain, ctx, expand);
  });
}

/**
 * `pipeline: pipelines/*.yml`: every matching file, in name order, is included with the entry's
 * other keys and becomes a named pipeline under its file name, as Kedro's find_pipelines()
 * registers each pipeline package. A name `pipelines:` already defines keeps that definition.
 */
function includeGlob(
  doc: RawDocument,
  entry: Raw,
  pattern: string,
  j: number,
  chain: readonly string[],
  ctx: CompileContext,
  expand: ExpandDocument,
  named: Record<string, NamedPipelineSpec>,
): ResolvedNode[] {
  const files = glob()
    .globSync(pattern, { cwd: dirname(doc.absPath), onlyFiles: true, expandDirectories: false })
    .sort();
  const at: SourceRef = { file: doc.file, path: ["include", j, "pipeline"] };
  if (files.length === 0) {
    ctx.report({ code: "MLC3007", message: `include "${pattern}": no file matches`, at });
    return [];
  }
  return files.flatMap((rel) => {
    const nodes = includeOne(
      doc,
      { ...entry, pipeline: rel.startsWith(".") ? rel : `./${rel}` },
      j,
      chain,
      ctx,
      expand,
    );
    const name = basename(rel).replace(/\.ya?ml$/, "");
    if (!Object.hasOwn(named, name) && !Object.hasOwn(namedIn(doc), name))
      named[name] = { nodes: nodes.map((n) => n.name), source: at };
    return nodes;
  });
}

function namedIn(doc: RawDocument): Raw {
  return isMap(doc.data) && isMap(doc.data.pipelines) ? doc.data.pipelines : {};
}

function includeOne(
  doc: RawDocument,
  entry: Raw,
  j: number,
  chain: readonly string[],
  ctx: CompileContext,
  expand: ExpandDocument,
): ResolvedNode[] {
  if (typeof entry.pipeline !== "string") return [];
  const at: SourceRef = { file: doc.file, path: ["include", j] };
  const pathRef: SourceRef = { file: doc.file, path: ["include", j, "pipeline"] };
  const label = `include "${entry.pipeline}"`;
  const abs = resolve(dirname(doc.absPath), entry.pipeline);
  const id = includeIdentity(abs);
  if (chain.includes(id)) {
    const loop = [...chain.slice(chain.indexOf(id)), id]
      .map((p) => projectPath(includeIdentity(ctx.root), p))
      .join(" -> ");
    ctx.report({
      code: "MLC3007",
      message: `${label}: include cycle ${loop}`,
      at: pathRef,
      hint: "a pipeline file cannot include itself, directly or through other files",
    });
    return [];
  }
  if (chain.length > MAX_INCLUDE_DEPTH) {
    ctx.report({
      code: "MLC3007",
      message: `${label}: includes nested more than ${MAX_INCLUDE_DEPTH} levels deep`,
      at: pathRef,
    });
    return [];
  }
  const sub = loadYaml(abs, ctx);
  if (!sub && existsSync(abs)) {
    // It exists but did not parse: that error (MLC1001/MLC1003 at the file) is the one to fix.
    ctx.incomplete.add("pipeline");
    return [];
  }
  if (!sub) {
    ctx.report({
      code: "MLC3007",
      message: `${label}: cannot load the included pipeline "${projectPath(ctx.root, abs)}"`,
      at: pathRef,
      hint: "paths in include: are relative to the file that includes them",
    });
    return [];
  }
  if (!validateDocument(sub, "pipeline", ctx)) return [];
  const nodes = expand(sub, [...chain, id]);
  const namespace = typeof entry.namespace === "string" && entry.namespace !== "" ? entry.namespace : null;
  const spec = {
    namespace,
    inputs: entry.inputs,
    outputs: entry.outputs,
    parameters: entry.parameters,
    tags: normalizeTags(entry.tags),
  };
  return remapNodes(nodes, spec, at, label, ctx);
}
