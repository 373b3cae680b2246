// One attempt of a sql node, on a connection of its own to the thread's in-memory DuckDB (what it
// creates is TEMP: gone with the connection). Each input becomes a
// table under its dataset name: a plain local csv/parquet file is scanned by DuckDB directly
// (never loaded in JS), anything else (memory values, other types) is loaded as usual and
// appended as rows. `params:a.b` binds as `$a_b`. The result is the node's one output: written by
// DuckDB straight to a plain local csv/parquet output, else returned as an Arrow Table.
import { dirname } from "node:path";
import type * as Duck from "@duckdb/node-api";
import type * as Arrow from "apache-arrow";
import type { DataCatalog } from "../catalog/catalog.js";
import { ensureDir, writeViaTempFile } from "../catalog/atomic.js";
import { arrow, isArrowTable, rowsToTable } from "../catalog/datasets/arrow.js";
import { resolveDataPath } from "../catalog/datasets/file.js";
import { createTableFrom, memoryConnection, queryTable, quoteIdent, quoteLiteral } from "../catalog/duckdb-arrow.js";
import { MlcError } from "../compiler/diagnostics.js";
import type { DatasetConfig, IRNode } from "../compiler/types.js";
import { paramValue, threw } from "./invoke.js";
import { isParamInput } from "./scheduler.js";

/** What a sql node needs of the run's catalog. */
export type SqlCatalog = Pick<DataCatalog, "load" | "configOf" | "contextFor">;

/** The outcome of one attempt: the output value unless DuckDB wrote it, and what was loaded in JS. */
export interface SqlResult {
  readonly outputs: Record<string, unknown>;
  readonly loaded?: Record<string, unknown>;
  /** True when DuckDB wrote the output file itself (the catalog must not save it again). */
  readonly written: boolean;
}

/** How often an interrupted query is told again to stop, until it has. */
const INTERRUPT_REPEAT_MS = 20;

/** Runs `node.sql` over its inputs; failures of the query are MLC5001 naming the node. */
export async function runSqlNode(
  node: IRNode,
  memoryInputs: Readonly<Record<string, unknown>>,
  catalog: SqlCatalog,
  parameters: Readonly<Record<string, unknown>>,
  outputIsMemory: boolean,
  signal?: AbortSignal,
): Promise<SqlResult> {
  const con = await memoryConnection(`sql node "${node.name}"`);
  // A timeout or Ctrl-C stops the query itself, not only the wait for it. DuckDB forgets an
  // interrupt that comes before its query starts (each query clears the flag, and the first one in
  // a thread awaits imports first), so it is repeated until the query has ended.
  let repeat: NodeJS.Timeout | undefined;
  const stop = () => {
    con.interrupt();
    repeat = setInterval(() => con.interrupt(), INTERRUPT_REPEAT_MS);
  };
  signal?.addEventListener("abort", stop, { once: true });
  // DuckDB works on threads of its own that Node does not count as pending work: without a handle
  // of ours, the never-settles check of the worker would take a long query for a hung node.
  const busy = setInterval(() => {}, 60_000);
  try {
    const loaded = await registerInputs(con, node, memoryInputs, catalog);
    // An interrupt that came while the inputs were set up (before any query could see it).
    signal?.throwIfAborted();
    const params = boundParams(node, parameters);
    const out = node.outputs[0];
    const target = outputIsMemory ? null : directTarget(catalog, out);
    if (target) {
      await copyTo(con, node.sql!, params, target);
      return { outputs: {}, loaded, written: true };
    }
    return { outputs: { [out]: await queryTable(con, node.sql!, params) }, loaded, written: false };
  } catch (err) {
    // Interrupted by a timeout or Ctrl-C: the reason, not DuckDB's "INTERRUPT" error.
    if (signal?.aborted && signal.reason instanceof Error) throw signal.reason;
    throw err instanceof MlcError ? err : threw(node, err);
  } finally {
    clearInterval(busy);
    clearInterval(repeat);
    signal?.removeEventListener("abort", stop);
    con.closeSync();
  }
}

async function registerInputs(
  con: Duck.DuckDBConnection,
  node: IRNode,
  memoryInputs: Readonly<Record<string, unknown>>,
  catalog: SqlCatalog,
): Promise<Record<string, unknown> | undefined> {
  let loaded: Record<string, unknown> | undefined;
  for (const name of node.inputs) {
    if (isParamInput(name)) continue;
    const scan = name in memoryInputs ? null : scanOf(catalog, name, "load");
    if (scan) {
      const reader =
        scan.format === "parquet" ? `read_parquet(${quoteLiteral(scan.path)})` : await sniffedCsv(con, scan.path);
      await con.run(`CREATE TEMP VIEW ${quoteIdent(name)} AS SELECT * FROM ${reader}`);
      continue;
    }
    const value = name in memoryInputs ? memoryInputs[name] : ((loaded ??= {})[name] = await catalog.load(name));
    await createTableFrom(con, name, await asTable(node, name, value));
  }
  return loaded;
}

/**
 * read_csv of `path` with the dialect and column types DuckDB's sniffer finds. A view over a bare
 * read_csv sniffs the file when it is created and again when the query binds it; spelled out, the
 * sniff happens once.
 */
async function sniffedCsv(con: Duck.DuckDBConnection, path: string): Promise<string> {
  const plain = `read_csv(${quoteLiteral(path)})`;
  const rows = (await con.runAndReadAll("SELECT Prompt FROM sniff_csv($p)", { p: path })).getRowObjectsJS();
  // The prompt is `FROM read_csv('<path>', auto_detect=false, ...);` with the path unescaped.
  const prompt = String(rows[0]?.Prompt ?? "");
  const head = `FROM read_csv('${path}',`;
  if (!prompt.startsWith(head)) return plain;
  return `read_csv(${quoteLiteral(path)},${prompt.slice(head.length).replace(/;\s*$/, "")}`;
}

/** An input as a table: an Arrow Table, rows, or columns (an object of equal-length arrays or typed arrays). */
async function asTable(node: IRNode, name: string, value: unknown): Promise<Arrow.Table> {
  if (isArrowTable(value)) return value;
  if (Array.isArray(value)) return rowsToTable(value);
  if (isColumns(value)) return (await arrow()).tableFromArrays(value as never) as unknown as Arrow.Table;
  throw new MlcError(
    "MLC5001",
    `sql node "${node.name}": input "${name}" is not a table (an Arrow Table, an array of rows, or an object of columns)`,
    { node: node.name, dataset: name },
  );
}

function isColumns(v: unknown): v is Record<string, ArrayLike<unknown>> {
  if (v === null || typeof v !== "object" || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const cols = Object.values(v);
  const isCol = (c: unknown) => Array.isArray(c) || (ArrayBuffer.isView(c) && !(c instanceof DataView));
  return (
    cols.length > 0 && cols.every(isCol) && cols.every((c) => (c as unknown[]).length === (cols[0] as unknown[]).length)
  );
}

/** The named parameters the query uses (`$a_b` for params:a.b), with their values. */
function boundParams(node: IRNode, parameters: Readonly<Record<string, unknown>>): Record<string, Duck.DuckDBValue> {
  const used = new Set([...node.sql!.matchAll(/\$([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]));
  const out: Record<string, Duck.DuckDBValue> = {};
  for (const input of node.inputs) {
    if (!input.startsWith("params:")) continue;
    const key = input.slice("params:".length).replace(/\./g, "_");
    if (used.has(key)) out[key] = paramValue(input, parameters) as Duck.DuckDBValue;
  }
  return out;
}

interface Scan {
  readonly format: "csv" | "parquet";
  readonly path: string;
}

/** A csv/parquet dataset DuckDB can read or write itself: local, unversioned, no options but `as`. */
function scanOf(catalog: SqlCatalog, name: string, op: "load" | "save"): Scan | null {
  const config: DatasetConfig | undefined = catalog.configOf(name);
  if (!config || (config.type !== "csv" && config.type !== "parquet") || config.versioned) return null;
  const args = op === "load" ? config.load_args : config.save_args;
  if (args && Object.keys(args).some((k) => k !== "as")) return null;
  if (typeof config.filepath !== "string" || /^[a-z][a-z0-9+.-]*:\/\//i.test(config.filepath)) return null;
  return { format: config.type, path: resolveDataPath(catalog.contextFor(name, config), op) };
}

function directTarget(catalog: SqlCatalog, name: string): Scan | null {
  return scanOf(catalog, name, "save");
}

/** COPY of the query's result into a temporary file that replaces the target: atomic like every save. */
async function copyTo(
  con: Duck.DuckDBConnection,
  sql: string,
  params: Record<string, Duck.DuckDBValue>,
  target: Scan,
): Promise<void> {
  await ensureDir(dirname(target.path));
  const format = target.format === "parquet" ? "FORMAT parquet" : "FORMAT csv, HEADER";
  await writeViaTempFile(target.path, async (tmp) => {
    await con.run(`COPY (${sql.replace(/;\s*$/, "")}) TO ${quoteLiteral(tmp)} (${format})`, params);
  });
}
