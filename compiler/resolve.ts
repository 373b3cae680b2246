// resolve: decides what every dataset a node uses is (explicit catalog entry, dataset factory,
// or implicit memory), and checks what the graph cannot: free inputs (MLC3001), `params:` paths
// (MLC3002), dataset types (MLC3003), credentials names (MLC3005) and node functions (MLC3006).
import { checkSql } from "./check-sql.js";
import { existsSync } from "node:fs";
import { isAbsolute, posix, resolve as resolvePath } from "node:path";
import { BUILTIN_TYPES, kedroEquivalent } from "./dataset-types.js";
import { reportBadUrl } from "./url-paths.js";
import type { CompileContext } from "./diagnostics.js";
import { isPattern, matchFactory, rankFactories, type FactoryMatch } from "./factories.js";
import { parseRef } from "../modules/load-module.js";
import { ioRef, isParamRef } from "./refs.js";
import { checkArgs } from "./check-args.js";
import { checkFuncs } from "./check-funcs.js";
import { checkMetricKeys } from "./check-metrics.js";
import { deepMerge, isMap, setOwn } from "./plain-data.js";
import { checkParams, reportUnusedParams, type ParamUse } from "./resolve-params.js";
import { didYouMean } from "./suggest.js";
import { mlflowConfigured } from "../tracking/plugins.js";
import type {
  CompileOptions,
  DatasetConfig,
  ProjectConfig,
  ResolvedDataset,
  ResolvedNode,
  ResolvedPipeline,
  SelectionSpec,
  SourceRef,
} from "./types.js";

/** The dataset types mlc ships. Anything else must be a `./file.ts#Export` or `pkg#Export` ref. */
const BUILTIN = new Set<string>(BUILTIN_TYPES);

type Pipelines = Readonly<Record<string, SelectionSpec & { readonly source: SourceRef }>>;

/** Resolves datasets and parameters for `nodes` against the layered config; reports into ctx. */
export async function resolve(
  nodes: readonly ResolvedNode[],
  pipelines: Pipelines,
  config: ProjectConfig,
  opts: CompileOptions,
  ctx: CompileContext,
): Promise<ResolvedPipeline> {
  const parameters = deepMerge(config.parameters, opts.runtimeParams ?? {});
  const { datasets, paramUses } = resolveDatasets(nodes, config, ctx);
  checkCatalogEntries(config, ctx);
  // A config file that did not parse is one error: not also every entry it would have held.
  const { incomplete } = ctx;
  if (!incomplete.has("parameters")) checkParams(paramUses, parameters, ctx);
  if (!incomplete.has("catalog") && !incomplete.has("pipeline")) reportUnused(nodes, config, datasets, ctx);
  checkMetricKeys(datasets, ctx);
  if (!incomplete.has("parameters") && !incomplete.has("pipeline"))
    reportUnusedParams(paramUses, nodes.length, config, ctx);
  if (opts.checkFuncs !== false) {
    await checkFuncs(
      nodes.filter((n) => n.sql === undefined),
      opts.root,
      ctx,
    );
    await checkSql(nodes, ctx);
  }
  return { name: "", nodes, datasets, parameters, pipelines };
}

/**
 * Every non-parameter dataset a node reads or writes, resolved (free inputs are MLC3001), plus
 * where parameters are read. Outputs first: a produced dataset is then known (catalog entry,
 * factory match or implicit memory) before any input is looked up, so no separate set of
 * produced names is needed; an input not found after that has no producer.
 */
function resolveDatasets(
  nodes: readonly ResolvedNode[],
  config: ProjectConfig,
  ctx: CompileContext,
): { datasets: Record<string, ResolvedDataset>; paramUses: ParamUse[] } {
  const r = new DatasetResolver(nodes, config, ctx);
  for (let j = 0; j < nodes.length; j++) {
    const outs = nodes[j].outputs;
    for (let i = 0; i < outs.length; i++) r.output(outs[i]);
  }
  for (let j = 0; j < nodes.length; j++) {
    const ins = nodes[j].inputs;
    for (let i = 0; i < ins.length; i++) r.input(nodes[j], i);
  }
  return { datasets: toRecord(r.found), paramUses: r.paramUses };
}

/**
 * The per-name steps of resolveDatasets as small methods: called 40,000 times for a 10k-node
 * pipeline, they are optimised after a few hundred calls, where one big loop waits for a long
 * on-stack compile while it runs unoptimised.
 */
class DatasetResolver {
  readonly found = new Map<string, ResolvedDataset | null>();
  readonly paramUses: ParamUse[] = [];
  private readonly factories: ReturnType<typeof rankFactories>;
  private produced: Set<string> | null = null; // for suggestions, built only when an input is free

  constructor(
    private readonly nodes: readonly ResolvedNode[],
    private readonly config: ProjectConfig,
    private readonly ctx: CompileContext,
  ) {
    this.factories = rankFactories(Object.keys(config.catalog));
  }

  output(name: string): void {
    if (!this.found.has(name))
      this.found.set(name, lookup(name, this.config, this.factories, this.ctx) ?? memoryDataset(name));
  }

  input(n: ResolvedNode, i: number): void {
    const name = n.inputs[i];
    if (isParamRef(name)) {
      this.paramUses.push({ node: n, index: i });
      return;
    }
    let d = this.found.get(name);
    if (d === undefined) this.found.set(name, (d = lookup(name, this.config, this.factories, this.ctx)));
    // Reported at every consumer: each is a place the user may want to fix.
    if (d === null)
      if (!this.ctx.incomplete.has("catalog") && !this.ctx.incomplete.has("pipeline"))
        reportFree(
          name,
          n,
          ioRef(n, "inputs", i),
          this.config,
          (this.produced ??= producedNames(this.nodes)),
          this.ctx,
        );
  }
}

function memoryDataset(name: string): ResolvedDataset {
  return { name, config: MEMORY, entry: null, source: null };
}

/** The found datasets as a record; a dataset called "__proto__" stays a dataset, not a prototype. */
function toRecord(found: Map<string, ResolvedDataset | null>): Record<string, ResolvedDataset> {
  const out: Record<string, ResolvedDataset> = {};
  // forEach, not for-of: no [name, value] pair allocated per entry.
  found.forEach((d, name) => {
    if (!d) return;
    setOwn(out, name, d);
  });
  return out;
}

const MEMORY: DatasetConfig = Object.freeze({ type: "memory" });

/**
 * A relative `filepath`/`path` (also of a wrapped `dataset:`) must stay inside the project: found
 * here at compile time rather than at the first save, after earlier nodes already ran. An
 * absolute path is the explicit way out.
 */
function reportEscapingPaths(
  name: string,
  cfg: DatasetConfig,
  source: SourceRef | null,
  ctx: CompileContext,
  at: (string | number)[] = [],
): void {
  for (const key of ["filepath", "path"] as const) {
    const v = cfg[key];
    if (typeof v === "string" && v.includes("://")) {
      reportBadUrl(name, key, v, source ? { file: source.file, path: [...source.path, ...at, key] } : null, ctx);
      continue;
    }
    if (typeof v !== "string" || isAbsolute(v)) continue;
    const norm = posix.normalize(v.replace(/\\/g, "/"));
    if (norm !== ".." && !norm.startsWith("../")) continue;
    ctx.report({
      code: "MLC2003",
      message: `dataset "${name}": ${key} "${v}" leaves the project folder`,
      at: source ? { file: source.file, path: [...source.path, ...at, key] } : null,
      hint: "use a path inside the project, or an absolute path to write outside it on purpose",
    });
  }
  if (cfg.dataset && typeof cfg.dataset === "object")
    reportEscapingPaths(name, cfg.dataset, source, ctx, [...at, "dataset"]);
}

/** An explicit catalog entry or the best factory match for `name`; null when neither exists. */
function lookup(
  name: string,
  config: ProjectConfig,
  factories: ReturnType<typeof rankFactories>,
  ctx: CompileContext,
): ResolvedDataset | null {
  const explicit = Object.prototype.hasOwnProperty.call(config.catalog, name) && !isPattern(name);
  if (explicit) {
    const source = config.catalogSources[name] ?? null;
    reportEscapingPaths(name, config.catalog[name], source, ctx);
    return { name, config: config.catalog[name], entry: name, source };
  }
  if (factories.length === 0) return null;
  const m = matchFactory(name, factories, config.catalog);
  if (!m) return null;
  const source = config.catalogSources[m.pattern] ?? null;
  // Guarded: thousands of factory matches, nearly all with nothing to report (no Set, no iterator).
  if (m.escaping.length > 0) reportEscapingFill(name, m, source, ctx);
  if (m.unknown.length > 0) reportUnknownPlaceholders(name, m, source, ctx);
  return { name, config: m.config, entry: m.pattern, source };
}

function reportEscapingFill(name: string, m: FactoryMatch, source: SourceRef | null, ctx: CompileContext): void {
  for (const value of m.escaping) {
    ctx.report({
      code: "MLC2003",
      message: `dataset factory "${m.pattern}" filled for dataset "${name}" gives "${value}", which leaves the project folder`,
      at: source ? { ...source, key: true } : null,
      hint: "dataset names used with a factory must not contain '..' path segments",
    });
  }
}

function reportUnknownPlaceholders(name: string, m: FactoryMatch, source: SourceRef | null, ctx: CompileContext): void {
  for (const placeholder of new Set(m.unknown)) {
    ctx.report({
      code: "MLC2003",
      message: `dataset factory "${m.pattern}" uses ${placeholder} in a path, but the pattern defines no such placeholder (dataset "${name}")`,
      at: source ? { ...source, key: true } : null,
      hint: `placeholders come from the pattern's own {names}`,
    });
  }
}

function producedNames(nodes: readonly ResolvedNode[]): Set<string> {
  const produced = new Set<string>();
  for (const n of nodes) for (const o of n.outputs) produced.add(o);
  return produced;
}

function reportFree(
  name: string,
  node: ResolvedNode,
  at: SourceRef,
  config: ProjectConfig,
  produced: Set<string>,
  ctx: CompileContext,
): void {
  const candidates = [...Object.keys(config.catalog).filter((k) => !isPattern(k)), ...produced];
  ctx.report({
    code: "MLC3001",
    message: `dataset "${name}" is used by node "${node.name}" but has no producer and no catalog entry${closeNames(name, candidates)}`,
    at,
    hint: `add "${name}" to conf/base/catalog.yml or produce it with a node`,
  });
}

/** didYouMean, plus names holding every word of `name` (raw_stream -> raw_kafka_stream). */
function closeNames(name: string, candidates: readonly string[]): string {
  const close = didYouMean(name, candidates);
  if (close) return close;
  const words = name
    .toLowerCase()
    .split(/[_.\-]+/)
    .filter(Boolean);
  const hits = candidates.filter((c) => {
    const cw = new Set(c.toLowerCase().split(/[_.\-]+/));
    return c !== name && words.length > 0 && words.every((w) => cw.has(w));
  });
  const best = [...new Set(hits)].sort().slice(0, 3);
  return best.length ? ` (did you mean ${best.map((x) => JSON.stringify(x)).join(" or ")}?)` : "";
}

/** MLC3003 unknown types and MLC3005 unknown credentials, for every catalog entry (used or not). */
function checkCatalogEntries(config: ProjectConfig, ctx: CompileContext): void {
  const creds = Object.keys(config.credentials);
  for (const [key, entry] of Object.entries(config.catalog)) {
    const src = config.catalogSources[key];
    if (!src || !entry || typeof entry !== "object") continue;
    checkEntry(key, entry, src.path, src.file, creds, config, ctx);
  }
}

function checkEntry(
  key: string,
  entry: DatasetConfig,
  path: readonly (string | number)[],
  file: string,
  creds: string[],
  config: ProjectConfig,
  ctx: CompileContext,
): void {
  if (typeof entry.type === "string") {
    const problem = typeProblem(entry.type, ctx.root);
    if (problem)
      ctx.report({
        code: "MLC3003",
        message: `dataset "${key}": ${problem}`,
        at: { file, path: [...path, "type"] },
        hint: `built-in types: ${BUILTIN_TYPES.join(", ")}`,
      });
  }
  const c = entry.credentials;
  if (typeof c === "string" && !c.includes("{") && !Object.prototype.hasOwnProperty.call(config.credentials, c)) {
    ctx.report({
      code: "MLC3005",
      message: `dataset "${key}" uses credentials "${c}", which no credentials.yml defines${didYouMean(c, creds)}`,
      at: { file, path: [...path, "credentials"] },
      hint: "define it in conf/local/credentials.yml (git-ignored)",
    });
  }
  if (typeof entry.type === "string" && BUILTIN.has(entry.type)) checkArgs(key, entry, path, file, ctx);
  if (entry.type === "mlflow.artifact" && entry.register !== undefined && !mlflowConfigured(config.mlflow))
    ctx.report({
      code: "MLC8004",
      severity: "warning",
      message: `dataset "${key}": register: has no effect while MLflow tracking is off (the model is not registered)`,
      at: { file, path: [...path, "register"], key: true },
      hint: "set server.mlflow_tracking_uri in conf/base/mlflow.yml, or MLFLOW_TRACKING_URI",
    });
  const inner = entry.dataset;
  if (isMap(inner)) checkEntry(key, inner, [...path, "dataset"], file, creds, config, ctx);
}

/** Why `type` is not usable, or null. Custom types are `./file#Export` (file must exist) or `pkg#Export`. */
function typeProblem(type: string, root: string): string | null {
  if (BUILTIN.has(type)) return null;
  const isPath = type.startsWith("./") || type.startsWith("../") || type.startsWith("/");
  if (isPath) {
    const { module } = parseRef(type);
    return existsSync(resolvePath(root, module)) ? null : `custom dataset type module "${module}" not found`;
  }
  if (type.includes("#")) return null; // a package export; resolved when the dataset is built
  const kedro = kedroEquivalent(type);
  if (kedro) return `unknown dataset type "${type}" (Kedro's ${type} is mlc's "${kedro}")`;
  return `unknown dataset type "${type}"${didYouMean(type, BUILTIN_TYPES)}`;
}

/** MLC8001: explicit catalog entries no node uses (factory patterns are exempt, as in Kedro). */
function reportUnused(
  nodes: readonly ResolvedNode[],
  config: ProjectConfig,
  datasets: Record<string, ResolvedDataset>,
  ctx: CompileContext,
): void {
  if (nodes.length === 0) return;
  for (const key of Object.keys(config.catalog)) {
    if (isPattern(key) || key in datasets) continue;
    const src = config.catalogSources[key];
    ctx.report({
      code: "MLC8001",
      severity: "warning",
      message: `catalog entry "${key}" is not used by any node`,
      at: src ? { ...src, key: true } : null,
    });
  }
}
