// The PostgreSQL engine of sql.table / sql.query (postgresql://...), on `pg`. A save streams the
// rows as CSV into COPY ... FROM STDIN (pg-copy-streams) inside one transaction: one round trip
// for the whole table instead of one INSERT per row.
import { once } from "node:events";
import type * as Arrow from "apache-arrow";
import type * as Pg from "pg";
import type * as PgCopy from "pg-copy-streams";
import { requireOptional } from "../optional.js";
import { columnValues, rowsToTable } from "./arrow.js";
import { DataShapeError } from "./file.js";
import { quoteName, type SqlEngine } from "./sql.js";

const INT8 = 20;
const NUMERIC = 1700;

function pgType(type: Arrow.DataType): string {
  const t = type as { typeId: number; bitWidth?: number; precision?: number };
  if (t.typeId === 2) return t.bitWidth === 64 ? "bigint" : "integer";
  if (t.typeId === 3) return t.precision === 1 ? "real" : "double precision";
  if (t.typeId === 6) return "boolean";
  if (t.typeId === 8 || t.typeId === 10) return "timestamptz";
  return "text";
}

/** `:name` placeholders as `$1, $2, ...` with their values in order; `::` casts stay. */
export function positional(
  sql: string,
  params: Readonly<Record<string, unknown>>,
): { text: string; values: unknown[] } {
  const order: string[] = [];
  const text = sql.replace(/(?<![:\w]):([A-Za-z_]\w*)/g, (_m, name: string) => {
    if (!(name in params)) throw new DataShapeError(`the query uses :${name}, which load_args.params does not give`);
    if (!order.includes(name)) order.push(name);
    return `$${order.indexOf(name) + 1}`;
  });
  return { text, values: order.map((n) => params[n]) };
}

function csvField(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  const s = v instanceof Date ? v.toISOString() : String(v);
  return `"${s.replace(/"/g, '""')}"`;
}

/** The table's rows as CSV text, `batch` rows per chunk. */
function* csvChunks(table: Arrow.Table, batch = 8192): Generator<string> {
  const columns = table.schema.fields.map((f) => columnValues(table.getChild(f.name)!));
  for (let start = 0; start < table.numRows; start += batch) {
    const end = Math.min(table.numRows, start + batch);
    let out = "";
    for (let i = start; i < end; i++) {
      for (let c = 0; c < columns.length; c++) out += (c ? "," : "") + csvField(columns[c][i]);
      out += "\n";
    }
    yield out;
  }
}

/** Connects to the Postgres server of `url` (int8 and numeric values arrive as numbers). */
export async function openPostgres(url: string, neededBy: string): Promise<SqlEngine> {
  const { Client, types } = requireOptional<typeof Pg>("pg", neededBy);
  const asNumber = (s: string) => Number(s);
  const client = new Client({
    connectionString: url,
    types: {
      getTypeParser: ((oid: number, format: string) =>
        oid === INT8 || oid === NUMERIC ? asNumber : types.getTypeParser(oid, format as never)) as never,
    },
  });
  await client.connect();
  const engine: SqlEngine = {
    async query(sql, params) {
      const r = await client.query(positional(sql, params));
      return rowsToTable(r.rows as Record<string, unknown>[]);
    },
    async hasTable(name) {
      const r = await client.query("SELECT to_regclass($1) IS NOT NULL AS ok", [quoteName(name)]);
      return r.rows[0].ok === true;
    },
    async write(name, table, ifExists) {
      const copy = requireOptional<typeof PgCopy>("pg-copy-streams", neededBy);
      await client.query("BEGIN");
      try {
        const exists = await engine.hasTable(name);
        if (exists && ifExists === "fail")
          throw new DataShapeError(`table ${name} exists and save_args.if_exists is fail`);
        const cols = table.schema.fields.map((f) => `${quoteName(f.name)} ${pgType(f.type)}`).join(", ");
        if (exists && ifExists === "replace") await client.query(`DROP TABLE ${quoteName(name)}`);
        if (!exists || ifExists === "replace") await client.query(`CREATE TABLE ${quoteName(name)} (${cols})`);
        const names = table.schema.fields.map((f) => quoteName(f.name)).join(", ");
        const stream = client.query(copy.from(`COPY ${quoteName(name)} (${names}) FROM STDIN (FORMAT csv)`));
        const done = once(stream, "finish");
        for (const chunk of csvChunks(table)) if (!stream.write(chunk)) await once(stream, "drain");
        stream.end();
        await done;
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      }
    },
    async close() {
      await client.end();
    },
  };
  return engine;
}
