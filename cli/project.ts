// Shared CLI plumbing: find the project, turn selection flags and --params into plain data.
import { existsSync, lstatSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { CompileOptions, SelectionSpec } from "../compiler/types.js";
import { setOwn } from "../compiler/plain-data.js";
import { UsageError } from "./exit.js";

/** The folder holding pipeline.yml: --project, else the nearest folder upward from cwd. */
export function findProjectRoot(project?: string, cwd = process.cwd()): string {
  if (typeof project === "string") {
    const root = resolve(cwd, project);
    if (!existsSync(root) || !statSync(root).isDirectory())
      throw new UsageError(`--project ${project}: no such folder`);
    return root;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    // lstat, not exists: a broken or looping pipeline.yml symlink is this project's (reported as
    // MLC1003 where it is read), never a reason to pick up a project further up.
    if (lstatSync(join(dir, "pipeline.yml"), { throwIfNoEntry: false })) return dir;
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

/** The flags every project command takes (`common()` in cli/main.ts), as commander names them. */
export type CommonFlags = { project?: string; env?: string; quiet?: boolean; verbose?: boolean };

/** The selection flags (`selectionFlags()` in cli/main.ts): --pipeline NAME, the rest comma-separated lists. */
export type SelectionFlags = { pipeline?: string } & { [F in keyof typeof LIST_FLAGS]?: string };

/** What compileOptionsFromFlags reads: common and selection flags, --params, --catalog. */
export type ProjectFlags = CommonFlags & SelectionFlags & { params?: string; catalog?: string };

/** Selection flags (--pipeline, --nodes, ...) as a SelectionSpec; empty object when none given. */
export function selectionFromFlags(opts: SelectionFlags): SelectionSpec {
  const out: Record<string, unknown> = {};
  if (typeof opts.pipeline === "string") out.pipeline = opts.pipeline;
  for (const [flag, key] of Object.entries(LIST_FLAGS)) {
    const v = opts[flag as keyof typeof LIST_FLAGS];
    if (typeof v !== "string") continue;
    const items = splitList(v);
    if (items.length === 0) throw new UsageError(`--${kebab(flag)} needs at least one name`);
    out[key] = items;
  }
  return out as SelectionSpec;
}

/** "a, b,,c" -> ["a","b","c"] */
export function splitList(v: string): string[] {
  return v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function kebab(s: string): string {
  return s.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

/**
 * `--params a.b=1,c=x,features=[a,b]` as a nested object: YAML-typed scalars (1 -> number, true ->
 * boolean) and YAML flow lists and maps, as Kedro's `--params` reads them.
 */
export async function parseParams(spec: string | undefined): Promise<Record<string, unknown>> {
  if (spec === undefined || spec.trim() === "") return {};
  const { load } = await import("js-yaml");
  const out: Record<string, unknown> = {};
  for (const pair of splitTopLevel(spec)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UsageError(`--params: "${pair}" is not key=value`);
    const key = pair.slice(0, eq).trim();
    const raw = pair.slice(eq + 1).trim();
    let value: unknown;
    const flow = /^[[{]/.test(raw);
    try {
      value = raw === "" ? "" : load(raw);
    } catch (err) {
      if (flow) throw new UsageError(`--params: "${key}": ${raw} is not a YAML flow list or map (${yamlReason(err)})`);
      value = raw;
    }
    // Only a written [list] or {map} is structured; `x=a: b` stays the string it reads as.
    if (!flow && value !== null && typeof value === "object") value = raw;
    const parts = key.split(".");
    if (parts.some((p) => p.trim() === "")) throw new UsageError(`--params: "${key}" has an empty name between dots`);
    let target = out;
    for (const p of parts.slice(0, -1)) {
      const cur = Object.hasOwn(target, p) ? target[p] : undefined;
      if (typeof cur !== "object" || cur === null) setOwn(target, p, {});
      target = target[p] as Record<string, unknown>;
    }
    setOwn(target, parts[parts.length - 1], value);
  }
  return out;
}

/** Splits on commas outside brackets and quotes, so `features=[a,b],k=1` is two pairs. */
function splitTopLevel(spec: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = "";
  let start = 0;
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (quote) quote = c === quote ? "" : quote;
    // A quote opens only where a YAML scalar may start, so `title=it's` keeps its apostrophe.
    else if ((c === '"' || c === "'") && (depth > 0 || spec[i - 1] === "=")) quote = c;
    else if (c === "[" || c === "{") depth++;
    else if ((c === "]" || c === "}") && depth > 0) depth--;
    else if (c === "," && depth === 0) {
      out.push(spec.slice(start, i));
      start = i + 1;
    }
  }
  out.push(spec.slice(start));
  return out.map((s) => s.trim()).filter(Boolean);
}

function yamlReason(err: unknown): string {
  const reason = (err as { reason?: string }).reason;
  return reason ?? String(err).split("\n")[0];
}

/** CompileOptions from common flags; `file` is a positional pipeline.yml (single-file mode). */
export async function compileOptionsFromFlags(
  opts: ProjectFlags,
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
    const root = dirname(pipelineFile);
    checkEnv(root, env, opts.env);
    return { root, pipelineFile, catalogFile, env, runtimeParams, selection, ...extra };
  }
  const root = findProjectRoot(opts.project);
  checkEnv(root, env, opts.env);
  return { root, env, runtimeParams, selection, ...extra };
}

/**
 * --env / MLC_ENV name a folder under conf/: a path (`../x`) or an environment with no folder is a
 * usage error (exit 2), before anything is read. The default `local` may be absent.
 */
function checkEnv(root: string, env: string, flag: string | undefined): void {
  const what = typeof flag === "string" ? `--env ${JSON.stringify(env)}` : `MLC_ENV=${JSON.stringify(env)}`;
  if (env === "" || env === "." || env === ".." || /[/\\]/.test(env))
    throw new UsageError(`${what}: an environment is the name of a folder under conf/`);
  const conf = join(root, "conf");
  if (env === "local" || env === "base" || !existsSync(conf)) return;
  if (!existsSync(join(conf, env)) || !statSync(join(conf, env)).isDirectory()) {
    const known = readdirSync(conf, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    throw new UsageError(
      `MLC1003 ${what}: config environment not found: no folder conf/${env}${known.length ? ` (environments: ${known.join(", ")})` : ""}`,
    );
  }
}
