// The DuckDB database-file engine of sql.table / sql.query (duckdb:///path).
import { dirname } from "node:path";
import { ensureDir } from "../atomic.js";
import { appendTable, columnDefs, duckdb, queryTable } from "../duckdb-arrow.js";
import { DataShapeError } from "./file.js";
import { quoteName, type SqlEngine } from "./sql.js";

/** `:name` placeholders (SQLAlchemy's, which Kedro users write) as DuckDB's `$name`; `::` casts stay. */
export function dollarParams(sql: string): string {
  return sql.replace(/(?<![:\w]):([A-Za-z_]\w*)/g, (_m, name: string) => `$${name}`);
}

/** Opens the DuckDB file at `path` (created with its folder when missing). */
export async function openDuckdbFile(path: string, neededBy: string): Promise<SqlEngine> {
  const D = await duckdb(neededBy);
  await ensureDir(dirname(path));
  const instance = await D.DuckDBInstance.create(path);
  const con = await instance.connect();
  const split = (name: string) => {
    const parts = name.split(".");
    return parts.length > 1 ? { schema: parts[0], table: parts.slice(1).join(".") } : { table: name };
  };
  const engine: SqlEngine = {
    query: (sql, params) => queryTable(con, dollarParams(sql), params as never),
    async hasTable(name) {
      const { schema, table } = split(name);
      const r = await con.runAndReadAll(
        "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = $t AND table_schema = $s",
        { t: table, s: schema ?? "main" },
      );
      return Number(r.getRowObjectsJS()[0].n) > 0;
    },
    async write(name, table, ifExists) {
      const exists = await engine.hasTable(name);
      if (exists && ifExists === "fail")
        throw new DataShapeError(`table ${name} exists and save_args.if_exists is fail`);
      await con.run("BEGIN TRANSACTION");
      try {
        if (exists && ifExists === "replace") await con.run(`DROP TABLE ${quoteName(name)}`);
        if (!exists || ifExists === "replace")
          await con.run(`CREATE TABLE ${quoteName(name)} (${await columnDefs(table)})`);
        const { schema, table: bare } = split(name);
        await appendTable(con, bare, table, schema);
        await con.run("COMMIT");
      } catch (err) {
        await con.run("ROLLBACK");
        throw err;
      }
    },
    async close() {
      con.closeSync();
      instance.closeSync();
    },
  };
  return engine;
}
