// Apache Arrow tables for the csv and parquet datasets: `load_args: { as: arrow }` gives a Table
// instead of rows, and a Table handed to save() is written column by column. `save_args.schema`
// ({column: float64 | int32 | ...}) pins a column's type, so a float column whose values happen
// to be whole numbers stays DOUBLE. apache-arrow is imported only when a Table is asked for or given.
import type * as Arrow from "apache-arrow";
import type { DatasetContext } from "../dataset.js";
import { DataShapeError, type FileFormat } from "./file.js";

type ArrowModule = typeof Arrow;
let arrowModule: Promise<ArrowModule> | undefined;

/** The apache-arrow module, imported once. */
export function arrow(): Promise<ArrowModule> {
  return (arrowModule ??= import("apache-arrow"));
}

/** True for an Arrow Table (checked by shape: the caller's apache-arrow copy may differ from ours). */
export function isArrowTable(v: unknown): v is Arrow.Table {
  const t = v as { schema?: { fields?: unknown }; getChild?: unknown; numRows?: unknown } | null;
  return (
    t !== null &&
    typeof t === "object" &&
    typeof t.getChild === "function" &&
    typeof t.numRows === "number" &&
    Array.isArray(t.schema?.fields)
  );
}

/** The Parquet physical types `save_args.schema` may name, by the names Arrow, DuckDB and pandas use. */
const PINNED: Record<string, string> = {
  float64: "DOUBLE",
  double: "DOUBLE",
  float32: "FLOAT",
  float: "FLOAT",
  int32: "INT32",
  int64: "INT64",
  string: "STRING",
  utf8: "STRING",
  bool: "BOOLEAN",
  boolean: "BOOLEAN",
  timestamp: "TIMESTAMP",
  json: "JSON",
};

/** `save_args.schema` as {column: parquet type}; a bad entry is a DataShapeError naming it. */
export function pinnedTypes(schema: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (schema === undefined) return out;
  if (schema === null || typeof schema !== "object" || Array.isArray(schema))
    throw new DataShapeError("save_args.schema must be a map {column: type}");
  for (const [col, t] of Object.entries(schema)) {
    const pinned = typeof t === "string" ? PINNED[t.toLowerCase()] : undefined;
    if (!pinned)
      throw new DataShapeError(
        `save_args.schema.${col}: unknown type ${JSON.stringify(t)} (one of ${Object.keys(PINNED).join(", ")})`,
      );
    out.set(col, pinned);
  }
  return out;
}

/** The load_args without `as` (the readers do not know it) and whether a Table was asked for. */
function splitAs(ctx: DatasetContext): { asArrow: boolean; ctx: DatasetContext } {
  const load = ctx.config.load_args;
  if (!load || !("as" in load)) return { asArrow: false, ctx };
  const { as, ...rest } = load;
  if (as !== "arrow" && as !== "rows")
    throw new DataShapeError(`load_args.as must be "arrow" or "rows", got ${JSON.stringify(as)}`);
  return { asArrow: as === "arrow", ctx: { ...ctx, config: { ...ctx.config, load_args: rest } } };
}

/** How a format with Arrow support writes a Table, and whether its writer reads `save_args.schema` itself. */
export interface ArrowWrite {
  readonly writeTable?: (path: string, table: Arrow.Table, ctx: DatasetContext) => Promise<void>;
  readonly readsSchema: boolean;
}

/**
 * `format` with Arrow support: reads give a Table when load_args say `as: arrow`; a Table given to
 * write goes to `writeTable` (or, without one, is turned into rows first).
 */
export function withArrow(format: FileFormat, opts: ArrowWrite): FileFormat {
  return {
    async read(path, ctx) {
      const split = splitAs(ctx);
      const data = await format.read(path, split.ctx);
      return split.asArrow ? rowsToTable(data as unknown[]) : data;
    },
    async write(path, data, ctx) {
      const save = ctx.config.save_args;
      if (!opts.readsSchema && save && "schema" in save) {
        pinnedTypes(save.schema);
        const { schema: _pins, ...rest } = save;
        ctx = { ...ctx, config: { ...ctx.config, save_args: rest } };
      }
      if (!isArrowTable(data)) return format.write(path, data, ctx);
      if (opts.writeTable) return opts.writeTable(path, data, ctx);
      return format.write(path, tableToRows(data), ctx);
    },
  };
}

/** Rows (objects) as an Arrow Table: one column per key seen, typed from its values. */
export async function rowsToTable(rows: readonly unknown[]): Promise<Arrow.Table> {
  const A = await arrow();
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    if (row === null || typeof row !== "object" || Array.isArray(row))
      throw new DataShapeError("as: arrow needs rows as objects (a header line)");
    for (const k in row) if (!seen.has(k)) (seen.add(k), names.push(k));
  }
  const columns: Record<string, Arrow.Vector> = {};
  for (const name of names) {
    const values = rows.map((r) => (r as Record<string, unknown>)[name] ?? null);
    columns[name] = A.vectorFromArray(values, arrowTypeOf(A, values));
  }
  return new A.Table(columns);
}

function arrowTypeOf(A: ArrowModule, values: readonly unknown[]): Arrow.DataType {
  let kind: string | null = null;
  let ints = true;
  for (const v of values) {
    if (v === null) continue;
    const k = v instanceof Date ? "date" : typeof v;
    if (kind !== null && k !== kind) return new A.Utf8();
    kind = k;
    if (k === "number" && ints && !(Number.isInteger(v) && Math.abs(v as number) <= 2147483647)) ints = false;
  }
  if (kind === "number") return ints ? new A.Int32() : new A.Float64();
  if (kind === "bigint") return new A.Int64();
  if (kind === "boolean") return new A.Bool();
  if (kind === "date") return new A.TimestampMillisecond();
  return new A.Utf8();
}

/** A Table as plain row objects (Int64 values that fit a double become numbers, as the readers give them). */
export function tableToRows(table: Arrow.Table): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = Array.from({ length: table.numRows }, () => ({}));
  for (const field of table.schema.fields) {
    const values = columnValues(table.getChild(field.name)!);
    for (let i = 0; i < rows.length; i++) rows[i][field.name] = values[i];
  }
  return rows;
}

/** One column as JS values with nulls kept (toArray() alone drops them in numeric columns). */
export function columnValues(col: Arrow.Vector): unknown[] | ArrayLike<unknown> {
  const values = col.nullCount === 0 && !isBigIntArray(col) ? col.toArray() : Array.from(col, safeNumber);
  return values as ArrayLike<unknown>;
}

function isBigIntArray(col: Arrow.Vector): boolean {
  const t = col.type as { bitWidth?: number; typeId: number };
  return t.bitWidth === 64 && (t.typeId === 2 || t.typeId === 10);
}

function safeNumber(v: unknown): unknown {
  return typeof v === "bigint" && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v;
}
