// Phase `loadConfig`: Kedro-style configuration layering. conf/base, then conf/<env>; catalog
// entries replace per top-level key, parameters deep-merge, then --params deep-merge on top.
// Every file is interpolated on its own (so errors point into it) before merging.
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { hasSchema, validateDocument, type SchemaName } from "../schema/validate.js";
import type { CompileContext } from "./diagnostics.js";
import { interpolateTree } from "./interpolate.js";
import { loadYaml, projectPath } from "./load.js";
import { deepMerge, isMap, setOwn } from "./plain-data.js";
import type {
  CompileOptions,
  DatasetConfig,
  DistributedSettings,
  ProjectConfig,
  RawDocument,
  SourceRef,
} from "./types.js";

type Kind = "catalog" | "parameters" | "globals" | "credentials" | "mlflow";
type Obj = Record<string, unknown>;
const KINDS: readonly Kind[] = ["globals", "catalog", "parameters", "credentials", "mlflow"];

/** The config environment: opts.env, else MLC_ENV, else "local". */
export function configEnv(opts: CompileOptions): string {
  return opts.env ?? process.env.MLC_ENV ?? "local";
}

/**
 * Config files of one kind in one folder, sorted, exact name first: `catalog.yml` then
 * `catalog_*.yml` / `catalog-*.yml` (as Kedro's `catalog*` pattern; also parameters, credentials); .yml or .yaml.
 */
export function configFiles(dir: string, kind: Kind): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const multi = kind === "catalog" || kind === "parameters" || kind === "credentials";
  const re = multi ? new RegExp(`^${kind}([_.-][^/]*)?\\.ya?ml$`) : new RegExp(`^${kind}\\.ya?ml$`);
  const names = readdirSync(dir)
    .filter((n) => re.test(n))
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return names.map((n) => join(dir, n));
}

function rank(name: string): number {
  return /^[a-z]+\.ya?ml$/.test(name) ? 0 : 1;
}

interface Loaded {
  readonly doc: RawDocument;
  readonly data: Obj;
}

/** Loads one config file: parse, interpolate with the variables its kind may use, validate. */
function loadOne(abs: string, kind: Kind, vars: Obj, ctx: CompileContext): Loaded | null {
  const doc = loadYaml(abs, ctx);
  if (!doc) return null;
  const data = doc.data === null ? {} : interpolateTree(doc.data, vars, doc.file, [], ctx);
  const schema: SchemaName | null =
    kind === "catalog"
      ? "catalog"
      : kind === "parameters"
        ? "parameters"
        : kind === "mlflow" && hasSchema("mlflow")
          ? "mlflow"
          : null;
  if (schema) {
    if (!validateDocument({ ...doc, data }, schema, ctx)) return isMap(data) ? { doc, data } : null;
  } else if (!isMap(data)) {
    // credentials.yml / globals.yml have no schema: only the shape is checked, values never shown.
    ctx.report({
      code: "MLC2003",
      message: `${doc.file} must be a map of names to values`,
      at: { file: doc.file, path: [] },
      expected: "a map",
    });
    return null;
  }
  return isMap(data) ? { doc, data } : null;
}

/** Variables a file of this kind may interpolate (SPEC section 4). */
function varsFor(kind: Kind, globals: Obj, runtime: Obj, rawGlobals: Obj): Obj {
  if (kind === "globals") return { globals: rawGlobals };
  if (kind === "credentials" || kind === "mlflow") return { globals, runtime, env: { ...process.env } };
  return { globals, runtime };
}

/** The folders layered, in order: conf/base then conf/<env> (unless env is "base"). */
function confDirs(opts: CompileOptions, env: string, ctx: CompileContext): string[] {
  const conf = join(opts.root, "conf");
  const dirs = [join(conf, "base")];
  if (env !== "base") {
    const envDir = join(conf, env);
    if (existsSync(envDir)) dirs.push(envDir);
    else if (env !== "local" && existsSync(conf)) {
      ctx.report({
        code: "MLC1003",
        message: `config environment "${env}" not found: no folder ${projectPath(ctx.root, envDir)}`,
        at: null,
      });
    }
  }
  return dirs;
}

/**
 * Loads, interpolates, validates and layers the project configuration (SPEC section 4).
 * Problems are reported into ctx; the result always has every field (empty when missing).
 */
export function loadConfig(opts: CompileOptions, ctx: CompileContext): ProjectConfig {
  const env = configEnv(opts);
  const runtime = (opts.runtimeParams ?? {}) as Obj;
  const dirs = confDirs(opts, env, ctx);
  const files: string[] = [];
  const layered = {
    catalog: {} as Obj,
    parameters: {} as Obj,
    globals: {} as Obj,
    credentials: {} as Obj,
    mlflow: null as Obj | null,
  };
  const catalogSources: Record<string, SourceRef> = {};

  const rawGlobals = dirs.reduce<Obj>((acc, d) => {
    for (const f of configFiles(d, "globals")) {
      const doc = loadYaml(f, ctx);
      if (doc && isMap(doc.data)) acc = deepMerge(acc, doc.data);
    }
    return acc;
  }, {});
  for (const kind of KINDS) {
    const globals = layered.globals;
    const perDir = dirs.map((d) => (kind === "catalog" && opts.catalogFile ? [] : configFiles(d, kind)));
    if (kind === "catalog" && opts.catalogFile) perDir[0] = [opts.catalogFile];
    for (const list of perDir) {
      const seenInDir = new Map<string, string>();
      for (const abs of list) {
        const l = loadOne(abs, kind, varsFor(kind, globals, runtime, rawGlobals), ctx);
        const rel = projectPath(ctx.root, abs);
        if (!files.includes(rel) && ctx.docs.has(rel)) files.push(rel);
        if (l) mergeKind(kind, l, layered, catalogSources, seenInDir, ctx);
        else if (kind === "catalog" || kind === "parameters") ctx.incomplete.add(kind);
      }
    }
  }
  const parameters = deepMerge(layered.parameters, runtime);
  return {
    catalog: layered.catalog as Record<string, DatasetConfig>,
    catalogSources,
    parameters,
    globals: layered.globals,
    credentials: layered.credentials,
    mlflow: layered.mlflow,
    files,
  };
}

function mergeKind(
  kind: Kind,
  l: Loaded,
  layered: { catalog: Obj; parameters: Obj; globals: Obj; credentials: Obj; mlflow: Obj | null },
  sources: Record<string, SourceRef>,
  seenInDir: Map<string, string>,
  ctx: CompileContext,
): void {
  if (kind === "parameters") layered.parameters = deepMerge(layered.parameters, l.data);
  else if (kind === "globals") layered.globals = deepMerge(layered.globals, l.data);
  else if (kind === "mlflow") layered.mlflow = deepMerge(layered.mlflow ?? {}, l.data);
  else {
    const target = kind === "catalog" ? layered.catalog : layered.credentials;
    for (const [name, entry] of Object.entries(l.data)) {
      if (name.startsWith("_")) continue; // anchor holders (`_csv: &csv {...}`), as Kedro
      const other = seenInDir.get(name);
      if (other !== undefined) {
        // Never quote values here: this may be credentials.yml.
        ctx.report({
          code: "MLC1002",
          message: `"${name}" is defined in both ${other} and ${l.doc.file} of the same environment`,
          at: { file: l.doc.file, path: [name], key: true },
        });
      }
      seenInDir.set(name, l.doc.file);
      if (kind === "catalog" && !isMap(entry)) continue;
      setOwn(target, name, entry);
      if (kind === "catalog") sources[name] = { file: l.doc.file, path: [name] };
    }
  }
}

/** Settings from the optional mlc.yml at the project root (validated against mlc.schema.json). */
export interface MlcSettings {
  /** Hook module specifiers. */
  readonly hooks: string[];
  /** The project's default for a node's `cache:` (SPEC section 9); true unless mlc.yml says `cache: false`. */
  readonly cache: boolean;
  /** `queue:` and `distributed:` (SPEC section 10), as written. */
  readonly distributed: DistributedSettings;
}

/** Reads mlc.yml; a missing or invalid file gives the defaults (its problems are diagnostics). */
export function loadMlcConfig(root: string, ctx: CompileContext): MlcSettings {
  const doc = loadYaml(join(root, "mlc.yml"), ctx, { optional: true });
  if (!doc || doc.data === null || !validateDocument(doc, "mlc", ctx))
    return { hooks: [], cache: true, distributed: {} };
  const { hooks, cache, queue, distributed } = doc.data as {
    hooks?: unknown;
    cache?: unknown;
    queue?: string;
    distributed?: DistributedSettings;
  };
  return {
    hooks: Array.isArray(hooks) ? hooks.filter((h): h is string => typeof h === "string") : [],
    cache: cache !== false,
    distributed: { ...distributed, ...(queue ? { queue } : {}) },
  };
}

/** pipeline.yml's `name:` when given, else the project folder's name. */
export function projectName(doc: RawDocument | null, root: string): string {
  const d = doc?.data as { name?: unknown } | null | undefined;
  return d && typeof d.name === "string" && d.name !== "" ? d.name : basename(root);
}
