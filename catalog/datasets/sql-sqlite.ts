// The SQLite engine of sql.table / sql.query (sqlite:///path), on better-sqlite3: synchronous,
// one prepared INSERT per row inside one transaction (SQLite's fastest bulk path).
import { dirname } from "node:path";
import type * as Arrow from "apache-arrow";
import type BetterSqlite3 from "better-sqlite3";
import { ensureDir } from "../atomic.js";
import { requireOptional } from "../optional.js";
import { columnValues, rowsToTable } from "./arrow.js";
import { DataShapeError } from "./file.js";
import { quoteName, type SqlEngine } from "./sql.js";

function sqliteType(type: Arrow.DataType): string {
  const id = (type as { typeId: number }).typeId;
  if (id === 2 || id === 6) return "INTEGER";
  if (id === 3) return "REAL";
  return "TEXT";
}

/** SQLite binds numbers, bigints, strings, buffers and null: booleans become 0/1, Dates ISO text. */
function bindable(v: unknown): unknown {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof Date) return v.toISOString();
  return v === undefined ? null : v;
}

/** Opens (creating it and its folder when missing) the SQLite file at `path`. */
export async function openSqlite(path: string, neededBy: string): Promise<SqlEngine> {
  const Database = requireOptional<typeof BetterSqlite3>("better-sqlite3", neededBy);
  await ensureDir(dirname(path));
  const db = new Database(path);
  const hasTable = (name: string) => {
    const bare = name.split(".").pop()!;
    return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(bare) !== undefined;
  };
  return {
    async query(sql, params) {
      const stmt = db.prepare(sql);
      const rows = (stmt.reader ? stmt.all(params) : []) as Record<string, unknown>[];
      return rowsToTable(rows);
    },
    async hasTable(name) {
      return hasTable(name);
    },
    async write(name, table, ifExists) {
      const exists = hasTable(name);
      if (exists && ifExists === "fail")
        throw new DataShapeError(`table ${name} exists and save_args.if_exists is fail`);
      const fields = table.schema.fields;
      const cols = fields.map((f) => `${quoteName(f.name)} ${sqliteType(f.type)}`).join(", ");
      const columns = fields.map((f) => columnValues(table.getChild(f.name)!));
      db.transaction(() => {
        if (exists && ifExists === "replace") db.exec(`DROP TABLE ${quoteName(name)}`);
        if (!exists || ifExists === "replace") db.exec(`CREATE TABLE ${quoteName(name)} (${cols})`);
        const marks = fields.map(() => "?").join(", ");
        const insert = db.prepare(`INSERT INTO ${quoteName(name)} VALUES (${marks})`);
        const row = new Array<unknown>(fields.length);
        for (let i = 0; i < table.numRows; i++) {
          for (let c = 0; c < columns.length; c++) row[c] = bindable(columns[c][i]);
          insert.run(row);
        }
      })();
    },
    async close() {
      db.close();
    },
  };
}
