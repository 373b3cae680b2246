// Arrow Tables in and out of DuckDB (@duckdb/node-api has no Arrow interface of its own): a Table
// becomes a DuckDB table through the appender, 2,048 rows (one DuckDB vector) per data chunk; a
// query result becomes a Table column by column.
import type * as Arrow from "apache-arrow";
import type * as Duck from "@duckdb/node-api";
import { requireOptional } from "./optional.js";
import { arrow, columnValues } from "./datasets/arrow.js";

type DuckModule = typeof Duck;

/** @duckdb/node-api, loaded on first use (MLC3003 naming it when missing). */
export async function duckdb(neededBy: string): Promise<DuckModule> {
  return requireOptional<DuckModule>("@duckdb/node-api", neededBy);
}

let shared: Promise<Duck.DuckDBInstance> | undefined;

/**
 * A connection to this thread's one in-memory DuckDB (created on first use, ~25 ms, then reused
 * by the compiler's checks and every sql node). Nodes keep what they create TEMP, so each
 * connection sees only its own tables; closing the connection drops them.
 */
export async function memoryConnection(neededBy: string): Promise<Duck.DuckDBConnection> {
  const D = await duckdb(neededBy);
  shared ??= D.DuckDBInstance.create(":memory:").catch((err: unknown) => {
    shared = undefined;
    throw err;
  });
  return (await shared).connect();
}

/** A SQL identifier, quoted (any dataset name is a valid table name this way). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal. */
export function quoteLiteral(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

const VECTOR = 2048;

/** The DuckDB column type for one Arrow column type (typeIds of apache-arrow's Type enum). */
function duckTypeOf(D: DuckModule, type: Arrow.DataType): Duck.DuckDBType {
  const t = type as { typeId: number; bitWidth?: number; isSigned?: boolean; precision?: number };
  switch (t.typeId) {
    case -1:
      return duckTypeOf(D, (type as unknown as { dictionary: Arrow.DataType }).dictionary);
    case 2:
      if (t.bitWidth === 64) return D.BIGINT;
      return t.bitWidth === 8 ? D.TINYINT : t.bitWidth === 16 ? D.SMALLINT : D.INTEGER;
    case 3:
      return t.precision === 1 ? D.FLOAT : D.DOUBLE;
    case 6:
      return D.BOOLEAN;
    case 8:
    case 10:
      return D.TIMESTAMP_MS;
    default:
      return D.VARCHAR;
  }
}

/** JS values of one Arrow column in the form the DuckDB type takes. */
function duckValues(D: DuckModule, col: Arrow.Vector, type: Duck.DuckDBType): readonly Duck.DuckDBValue[] {
  const values = Array.from(columnValues(col) as ArrayLike<unknown>);
  if (type === D.BIGINT) return values.map((v) => (v === null ? null : BigInt(v as number)));
  if (type === D.TIMESTAMP_MS)
    return values.map((v) => (v === null ? null : new D.DuckDBTimestampMillisecondsValue(BigInt(Number(v)))));
  if (type === D.VARCHAR) return values.map((v) => (v === null || typeof v === "string" ? v : String(v)));
  return values as Duck.DuckDBValue[];
}

/** The column definitions (`"a" DOUBLE, ...`) of a DuckDB table holding `table`. */
export async function columnDefs(table: Arrow.Table): Promise<string> {
  const D = await duckdb("a sql node");
  return table.schema.fields.map((f) => `${quoteIdent(f.name)} ${duckTypeOf(D, f.type).toString()}`).join(", ");
}

/** Creates temporary table `name` in `con` holding `table`'s rows. */
export async function createTableFrom(con: Duck.DuckDBConnection, name: string, table: Arrow.Table): Promise<void> {
  await con.run(`CREATE TEMP TABLE ${quoteIdent(name)} (${await columnDefs(table)})`);
  await appendTable(con, name, table);
}

/** Appends `table`'s rows to the existing table `name` (`schema` when it is not the default one). */
export async function appendTable(
  con: Duck.DuckDBConnection,
  name: string,
  table: Arrow.Table,
  schema?: string,
): Promise<void> {
  if (table.numRows === 0) return;
  const D = await duckdb("a sql node");
  const fields = table.schema.fields;
  const types = fields.map((f) => duckTypeOf(D, f.type));
  const values = fields.map((f, i) => duckValues(D, table.getChild(f.name)!, types[i]));
  const appender = await con.createAppender(name, schema ?? null);
  try {
    for (let start = 0; start < table.numRows; start += VECTOR) {
      const n = Math.min(VECTOR, table.numRows - start);
      const chunk = D.DuckDBDataChunk.create(types, n);
      chunk.setColumns(values.map((v) => v.slice(start, start + n)));
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** The result of `sql` (with named `params`) as an Arrow Table. */
export async function queryTable(
  con: Duck.DuckDBConnection,
  sql: string,
  params: Record<string, Duck.DuckDBValue>,
): Promise<Arrow.Table> {
  const [A, D] = await Promise.all([arrow(), duckdb("a sql node")]);
  const reader = await con.runAndReadAll(sql, params);
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const columns = reader.getColumnsJS();
  const vectors: Record<string, Arrow.Vector> = {};
  names.forEach((name, i) => (vectors[name] = toVector(A, D, types[i], columns[i])));
  return new A.Table(vectors);
}

function toVector(A: typeof Arrow, D: DuckModule, type: Duck.DuckDBType, values: unknown[]): Arrow.Vector {
  const id = type.typeId;
  const T = D.DuckDBTypeId;
  if (id === T.DOUBLE || id === T.DECIMAL || id === T.HUGEINT || id === T.UBIGINT || id === T.UHUGEINT)
    return A.vectorFromArray(numbers(values), new A.Float64());
  if (id === T.FLOAT) return A.vectorFromArray(values, new A.Float32());
  if (id === T.INTEGER || id === T.SMALLINT || id === T.TINYINT || id === T.USMALLINT || id === T.UTINYINT)
    return A.vectorFromArray(values, new A.Int32());
  if (id === T.BIGINT || id === T.UINTEGER) return A.vectorFromArray(bigints(values), new A.Int64());
  if (id === T.BOOLEAN) return A.vectorFromArray(values, new A.Bool());
  if (id === T.TIMESTAMP || id === T.TIMESTAMP_MS || id === T.TIMESTAMP_S || id === T.DATE)
    return A.vectorFromArray(values, new A.TimestampMillisecond());
  return A.vectorFromArray(
    values.map((v) => (v === null || typeof v === "string" ? v : JSON.stringify(v, jsonSafe))),
    new A.Utf8(),
  );
}

function numbers(values: unknown[]): (number | null)[] {
  return values.map((v) => (v === null ? null : Number(v)));
}

function bigints(values: unknown[]): (bigint | null)[] {
  return values.map((v) => (v === null ? null : BigInt(v as number)));
}

function jsonSafe(_key: string, v: unknown): unknown {
  return typeof v === "bigint" ? Number(v) : v;
}
