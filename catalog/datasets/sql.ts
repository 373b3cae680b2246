// `sql.table` and `sql.query` (Kedro's SQLTableDataset and SQLQueryDataset) over PostgreSQL,
// SQLite and DuckDB database files. The connection is the credentials entry's `con`
// (postgresql://user:pass@host:port/db, sqlite:///path, duckdb:///path; a path after the third
// slash is relative to the project, a fourth slash makes it absolute, as in SQLAlchemy). Loads give
// rows (or an Arrow Table with load_args as: arrow); a save takes rows or a Table and writes it in
// one transaction (if_exists: replace | append | fail). Each engine's driver loads on first use.
import { isAbsolute, resolve } from "node:path";
import type * as Arrow from "apache-arrow";
import { MlcError } from "../../compiler/diagnostics.js";
import type { Dataset, DatasetContext, DatasetType } from "../dataset.js";
import { isArrowTable, rowsToTable, tableToRows } from "./arrow.js";
import { DataShapeError } from "./file.js";

/** What every engine does; one instance per operation (opened, used, closed). */
export interface SqlEngine {
  /** The rows of `sql` with `:name` parameters bound from `params`, as an Arrow Table. */
  query(sql: string, params: Readonly<Record<string, unknown>>): Promise<Arrow.Table>;
  /** Writes `table` into `tableName` in one transaction. */
  write(tableName: string, table: Arrow.Table, ifExists: IfExists): Promise<void>;
  /** True when the table exists. */
  hasTable(tableName: string): Promise<boolean>;
  close(): Promise<void>;
}

export type IfExists = "replace" | "append" | "fail";

/** A parsed `con`: which engine, and its target (a URL for Postgres, an absolute file path otherwise). */
export interface Connection {
  readonly engine: "postgresql" | "sqlite" | "duckdb";
  readonly target: string;
}

/** Parses credentials `con`; MLC2003 (never echoing the value: it holds a password) when it is not one of the three forms. */
export function parseCon(ctx: DatasetContext): Connection {
  const creds = ctx.credentials as { con?: unknown } | undefined;
  const con = creds?.con;
  const bad = (why: string) =>
    new MlcError(
      "MLC2003",
      `dataset "${ctx.name}" (${ctx.config.type}): credentials "${ctx.config.credentials}" ${why}`,
      {
        dataset: ctx.name,
        hint: "con: postgresql://user:password@host:5432/db, sqlite:///data/db.sqlite or duckdb:///data/db.duckdb",
      },
    );
  if (typeof con !== "string" || con === "") throw bad("has no con (the connection string)");
  const m = /^([a-z0-9+]+):\/\/(.*)$/i.exec(con);
  const scheme = m?.[1].toLowerCase().split("+")[0];
  if (!m || !scheme) throw bad("has a con that is not a URL");
  if (scheme === "postgresql" || scheme === "postgres") return { engine: "postgresql", target: con };
  if (scheme !== "sqlite" && scheme !== "duckdb") throw bad(`names an unsupported database "${scheme}"`);
  const rest = m[2].startsWith("/") ? m[2].slice(1) : m[2];
  if (rest === "") throw bad("gives no database file");
  const path = isAbsolute(rest) ? rest : resolve(ctx.root, rest);
  return { engine: scheme, target: path };
}

async function openEngine(ctx: DatasetContext): Promise<SqlEngine> {
  const con = parseCon(ctx);
  const what = `dataset "${ctx.name}" (${ctx.config.type})`;
  if (con.engine === "postgresql") return (await import("./sql-postgres.js")).openPostgres(con.target, what);
  if (con.engine === "sqlite") return (await import("./sql-sqlite.js")).openSqlite(con.target, what);
  return (await import("./sql-duckdb.js")).openDuckdbFile(con.target, what);
}

async function withEngine<T>(ctx: DatasetContext, use: (e: SqlEngine) => Promise<T>): Promise<T> {
  const engine = await openEngine(ctx);
  try {
    return await use(engine);
  } finally {
    await engine.close();
  }
}

function asRequested(ctx: DatasetContext, table: Arrow.Table): unknown {
  const as = ctx.config.load_args?.as;
  if (as !== undefined && as !== "arrow" && as !== "rows")
    throw new DataShapeError(`load_args.as must be "arrow" or "rows", got ${JSON.stringify(as)}`);
  return as === "arrow" ? table : tableToRows(table);
}

/** How incremental runs see a change: a checksum of all rows, or row count + max of one column. */
function versionQuery(ctx: DatasetContext, from: string): string {
  const column = (ctx.config.content_version as { column?: string } | undefined)?.column;
  if (column) return `SELECT count(*) AS n, max(${quoteName(column)}) AS m FROM ${from}`;
  return `SELECT * FROM ${from}`;
}

/** A SQL identifier, each dot-separated part quoted (schema.table). */
export function quoteName(name: string): string {
  return name
    .split(".")
    .map((p) => `"${p.replace(/"/g, '""')}"`)
    .join(".");
}

abstract class SqlDataset implements Dataset {
  constructor(protected readonly ctx: DatasetContext) {}
  abstract load(): Promise<unknown>;
  abstract save(data: unknown): Promise<void>;
  abstract exists(): Promise<boolean>;
  protected abstract source(): string;
  protected params(): Record<string, unknown> {
    return {};
  }

  /**
   * The content version incremental runs compare (see versionQuery): a hash of the rows, sorted
   * first (a database returns rows in no fixed order), or of the count and max of one column.
   */
  async contentVersion(): Promise<string> {
    const { createHash } = await import("node:crypto");
    const table = await withEngine(this.ctx, (e) => e.query(versionQuery(this.ctx, this.source()), this.params()));
    const lines = tableToRows(table).map((row) => JSON.stringify(Object.values(row), bigintSafe));
    return createHash("sha256").update(lines.sort().join("\n")).digest("hex");
  }

  describe(): Record<string, unknown> {
    const { type, table_name, sql, layer } = this.ctx.config;
    const engine = (() => {
      try {
        return parseCon(this.ctx).engine;
      } catch {
        return undefined;
      }
    })();
    return JSON.parse(JSON.stringify({ type, table_name, sql, layer, engine })) as Record<string, unknown>;
  }
}

function bigintSafe(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? v.toString() : v;
}

/** `sql.table`: one table, loaded whole or saved in one transaction. */
class SqlTableDataset extends SqlDataset {
  private get table(): string {
    return this.ctx.config.table_name as string;
  }
  protected source(): string {
    return quoteName(this.table);
  }

  async load(): Promise<unknown> {
    return asRequested(this.ctx, await withEngine(this.ctx, (e) => e.query(`SELECT * FROM ${this.source()}`, {})));
  }

  async save(data: unknown): Promise<void> {
    const ifExists = (this.ctx.config.save_args?.if_exists ?? "fail") as IfExists;
    if (!["replace", "append", "fail"].includes(ifExists))
      throw new DataShapeError(`save_args.if_exists must be replace, append or fail, got ${JSON.stringify(ifExists)}`);
    const table = isArrowTable(data) ? data : Array.isArray(data) ? await rowsToTable(data) : null;
    if (!table) throw new DataShapeError("expects an array of row objects or an Arrow Table");
    await withEngine(this.ctx, (e) => e.write(this.table, table, ifExists));
  }

  async exists(): Promise<boolean> {
    return withEngine(this.ctx, (e) => e.hasTable(this.table)).catch(() => false);
  }
}

/** `sql.query`: the result of a query with `load_args.params` bound; read only. */
class SqlQueryDataset extends SqlDataset {
  protected source(): string {
    return `(${String(this.ctx.config.sql).replace(/;\s*$/, "")}) AS q`;
  }

  protected params(): Record<string, unknown> {
    return (this.ctx.config.load_args?.params ?? {}) as Record<string, unknown>;
  }

  async load(): Promise<unknown> {
    const sql = String(this.ctx.config.sql);
    return asRequested(this.ctx, await withEngine(this.ctx, (e) => e.query(sql, this.params())));
  }

  async save(): Promise<void> {
    throw new DataShapeError("is read only (sql.query); save to a sql.table dataset instead");
  }

  async exists(): Promise<boolean> {
    return true;
  }
}

/** Builds a `sql.table` dataset. */
export const sqlTableType: DatasetType = (ctx) => new SqlTableDataset(ctx);
/** Builds a `sql.query` dataset. */
export const sqlQueryType: DatasetType = (ctx) => new SqlQueryDataset(ctx);
