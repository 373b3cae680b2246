// The data that flows between compiler phases. Every type here is plain JSON-able data:
// if JSON.stringify loses something, the type is wrong.

/** A path into a YAML document: map keys and sequence indices, as Ajv's instancePath split. */
export type DocPath = readonly (string | number)[];

/** Where a value came from: a project-relative POSIX file path and the path inside that document. */
export interface SourceRef {
  readonly file: string;
  readonly path: DocPath;
  /** Point at the key of the last path segment instead of its value (unknown-key errors). */
  readonly key?: boolean;
}

/** A parsed YAML document. `data` is the plain JS value; positions are found lazily via `compiler/locate.ts`. */
export interface RawDocument {
  /** Project-relative POSIX path, used in diagnostics. */
  readonly file: string;
  /** Absolute path on disk (never emitted). */
  readonly absPath: string;
  readonly text: string;
  readonly data: unknown;
}

/** One dataset entry of catalog.yml after layering, interpolation and factory matching. */
export interface DatasetConfig {
  readonly type: string;
  readonly filepath?: string;
  readonly layer?: string;
  readonly versioned?: boolean;
  /** Name of a credentials.yml entry; the secret itself never enters compiled output. */
  readonly credentials?: string;
  readonly load_args?: Record<string, unknown>;
  readonly save_args?: Record<string, unknown>;
  /** Wrapped dataset of `mlflow.artifact`. */
  readonly dataset?: DatasetConfig;
  readonly [key: string]: unknown;
}

/** How a node's inputs/outputs were written: one name, a positional list or a keyword map. */
export type IOMode = "none" | "single" | "list" | "map";

/** A node after includes, namespaces and matrix expansion: what buildGraph consumes. */
export interface ResolvedNode {
  /** Full name, namespace-prefixed, `base@v1-v2` for matrix members. */
  readonly name: string;
  /** Base name before matrix expansion (selection by base name covers all members). */
  readonly baseName: string;
  /** Project-relative module path (or package name) + '#' + export; '#default' when none given. */
  readonly func: string;
  /** A sql node's DuckDB query (its func is then "sql"): part of its definition, so of its cache key. */
  readonly sql?: string;
  readonly inputs: readonly string[];
  readonly inputMode: IOMode;
  /** For inputMode "map": the argument names, parallel to `inputs`. */
  readonly inputKeys?: readonly string[];
  readonly outputs: readonly string[];
  readonly outputMode: IOMode;
  /** For outputMode "map": the result keys, parallel to `outputs`. */
  readonly outputKeys?: readonly string[];
  readonly tags: readonly string[];
  readonly namespace: string | null;
  readonly retries: number;
  readonly timeoutMs: number | null;
  /** The node's own `cache:` when pipeline.yml sets it (absent: mlc.yml's default applies). */
  readonly cache?: boolean;
  readonly source: SourceRef;
}

/** A named pipeline definition: the same filters as the CLI selection flags. */
export interface SelectionSpec {
  readonly pipeline?: string;
  readonly nodes?: readonly string[];
  readonly tags?: readonly string[];
  readonly from_nodes?: readonly string[];
  readonly to_nodes?: readonly string[];
  readonly from_inputs?: readonly string[];
  readonly to_outputs?: readonly string[];
  readonly namespaces?: readonly string[];
}

/** Everything resolve produces: the flat node list plus resolved configuration. */
export interface ResolvedPipeline {
  readonly name: string;
  readonly nodes: readonly ResolvedNode[];
  /** Catalog entries actually used (explicit or factory-matched) plus implicit memory datasets. */
  readonly datasets: Readonly<Record<string, ResolvedDataset>>;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly pipelines: Readonly<Record<string, SelectionSpec & { readonly source: SourceRef }>>;
}

export interface ResolvedDataset {
  readonly name: string;
  readonly config: DatasetConfig;
  /** Catalog key that matched ("{name}_features" for a factory), or null for implicit memory. */
  readonly entry: string | null;
  readonly source: SourceRef | null;
}

/** A node in the compiled graph (graph.json): the resolved node, placed by file and line. */
export interface IRNode extends Omit<ResolvedNode, "source"> {
  /** Project-relative file and 1-based line of the node's definition (no absolute paths). */
  readonly source: { readonly file: string; readonly line: number };
}

/** A dataset in the compiled graph: config without secrets (credentials are a name only). */
export interface IRDataset {
  readonly name: string;
  readonly type: string;
  /** False for memory datasets (including implicit ones). */
  readonly persistent: boolean;
  readonly layer: string | null;
  readonly filepath: string | null;
  readonly config: DatasetConfig;
  /** Catalog key that matched (a factory pattern such as "{name}_features"), or null for implicit memory. */
  readonly entry?: string | null;
}

export interface IREdge {
  readonly from: string;
  readonly to: string;
  readonly dataset: string;
}

/** The compiled graph, written as build/graph.json: sorted, deterministic, no secrets. */
export interface GraphIR {
  readonly irVersion: 1;
  readonly name: string;
  /** Sorted by name. */
  readonly nodes: readonly IRNode[];
  /** Sorted by name; every dataset any node reads or writes, `params:` excluded. */
  readonly datasets: readonly IRDataset[];
  /** Sorted parameter references used by nodes, as written: "params:a.b" or "parameters". */
  readonly params: readonly string[];
  /** Node-to-node edges through a dataset, sorted by from, to, dataset. */
  readonly edges: readonly IREdge[];
  /** Topological generations of node names, each sorted. */
  readonly layers: readonly (readonly string[])[];
  /** Named pipelines as the sorted node names each selects (`__default__` included). */
  readonly pipelines: Readonly<Record<string, readonly string[]>>;
}

/** Options every compiler entry point takes (from CLI flags or the API). */
export interface CompileOptions {
  /** Absolute project root (folder holding pipeline.yml) or, in single-file mode, its folder. */
  readonly root: string;
  /** pipeline.yml path (absolute); default `<root>/pipeline.yml`. */
  readonly pipelineFile?: string;
  /** Single-file mode: explicit catalog path instead of conf/. */
  readonly catalogFile?: string;
  /** Config environment layered over conf/base; default MLC_ENV or "local". */
  readonly env?: string;
  /** `--params a.b=1,c=x` already parsed into a nested object. */
  readonly runtimeParams?: Readonly<Record<string, unknown>>;
  /** Check that func modules/exports exist (MLC3006). Default true. */
  readonly checkFuncs?: boolean;
  readonly selection?: SelectionSpec;
}

/** Layered project configuration after interpolation (conf/base + conf/<env>). */
export interface ProjectConfig {
  readonly catalog: Readonly<Record<string, DatasetConfig>>;
  /** Where each catalog entry came from (file + path), for diagnostics. */
  readonly catalogSources: Readonly<Record<string, SourceRef>>;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly globals: Readonly<Record<string, unknown>>;
  /** Secrets: kept only in memory, never emitted. */
  readonly credentials: Readonly<Record<string, unknown>>;
  readonly mlflow: Readonly<Record<string, unknown>> | null;
  /** Files read, project-relative, in load order. */
  readonly files: readonly string[];
}

/** What `compileProject` returns: the graph plus what the runtime needs that graph.json does not hold. */
/** Where `--executor distributed` queues jobs and spills large memory values. */
export interface DistributedSettings {
  readonly queue?: string;
  readonly scratch?: string;
  readonly credentials?: string;
  readonly queue_credentials?: string;
  readonly inline_max_bytes?: number;
}

export interface CompiledProject {
  readonly root: string;
  readonly env: string;
  readonly graph: GraphIR;
  /** The graph after `options.selection` (same object as `graph` when nothing is selected). */
  readonly selected: GraphIR;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly credentials: Readonly<Record<string, unknown>>;
  readonly mlflow: Readonly<Record<string, unknown>> | null;
  /** Hook module specifiers from mlc.yml, project-relative. */
  readonly hooks: readonly string[];
  /** mlc.yml's `cache:` default for nodes without their own (true unless set false). */
  readonly cache: boolean;
  /** mlc.yml's `queue:` and `distributed:` settings. */
  readonly distributed: DistributedSettings;
}
