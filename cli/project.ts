// Shared CLI plumbing: find the project, turn selection flags and --params into plain data.
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { CompileOptions, SelectionSpec } from "../compiler/types.js";
import { UsageError } from "./exit.js";

/** The folder holding pipeline.yml: --project, else the nearest folder upward from cwd. */
export function findProjectRoot(project?: unknown, cwd = process.cwd()): string {
  if (typeof project === "string") {
    const root = resolve(cwd, project);
    if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`--project ${project}: no such folder`);
    return root;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "pipeline.yml"))) return dir;
    if (dirname(dir) === dir) break;
  }
  throw new UsageError(`no pipeline.yml in ${cwd} or any folder above it (use --project DIR)`);
}

const LIST_FLAGS = {
  nodes: "nodes",
  fromNodes: "from_nodes",
  toNodes: "to_nodes",
  fromInputs: "from_inputs",
  toOutputs: "to_outputs",
  tags: "tags",
  namespaces: "namespaces",
} as const;

/** Selection flags (--pipeline, --nodes, ...) as a SelectionSpec; empty object when none given. */
export function selectionFromFlags(opts: Record<string, unknown>): SelectionSpec {
  const out: Record<string, unknown> = {};
  if (typeof opts.pipeline === "string") out.pipeline = opts.pipeline;
  for (const [flag, key] of Object.entries(LIST_FLAGS)) {
    const v = opts[flag];
    if (typeof v !== "string") continue;
    const items = splitList(v);
    if (items.length === 0) throw new UsageError(`--${kebab(flag)} needs at least one name`);
    out[key] = items;
  }
  return out as SelectionSpec;
}

/** "a, b,,c" -> ["a","b","c"] */
export function splitList(v: string): string[] {
  return v.split(",").map((s) => s.trim()).filter(Boolean);
}

function kebab(s: string): string {
  return s.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

/** `--params a.b=1,c=x` as a nested object with YAML-typed scalars (1 -> number, true -> boolean). */
export async function parseParams(spec: unknown): Promise<Record<string, unknown>> {
  if (typeof spec !== "string" || spec.trim() === "") return {};
  const { load } = await import("js-yaml");
  const out: Record<string, unknown> = {};
  for (const pair of splitList(spec)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--params: "${pair}" is not key=value`);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    let value: unknown;
    try {
      value = raw === "" ? "" : load(raw);
    } catch {
      value = raw;
    }
    if (value !== null && typeof value === "object") value = raw;
    let target = out;
    const parts = key.split(".");
    parts.slice(0, -1).forEach((p) => {
      if (typeof target[p] !== "object" || target[p] === null) target[p] = {};
      target = target[p] as Record<string, unknown>;
    });
    target[parts[parts.length - 1]] = value;
  }
  return out;
}

/** CompileOptions from common flags; `file` is a positional pipeline.yml (single-file mode). */
export async function compileOptionsFromFlags(
  opts: Record<string, unknown>,
  file?: string,
  extra: Partial<CompileOptions> = {},
): Promise<CompileOptions> {
  const env = typeof opts.env === "string" ? opts.env : process.env.MLC_ENV || "local";
  const runtimeParams = await parseParams(opts.params);
  const selection = selectionFromFlags(opts);
  if (file) {
    const pipelineFile = resolve(file);
    if (!existsSync(pipelineFile)) throw new UsageError(`${file}: no such file`);
    const catalogFile = typeof opts.catalog === "string" ? resolve(opts.catalog) : undefined;
    if (catalogFile && !existsSync(catalogFile)) throw new UsageError(`${opts.catalog}: no such file`);
    return { root: dirname(pipelineFile), pipelineFile, catalogFile, env, runtimeParams, selection, ...extra };
  }
  return { root: findProjectRoot(opts.project), env, runtimeParams, selection, ...extra };
}
