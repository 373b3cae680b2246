// sql.table and sql.query against a real private PostgreSQL cluster, a real SQLite file and a
// real DuckDB file: one suite for the three engines (round trip, if_exists, one transaction,
// bound parameters, read only, content versions), plus the errors and secrets rules.
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { DuckDBInstance } from "@duckdb/node-api";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sqlTableType } from "../../catalog/datasets/sql.js";
import { requireOptional } from "../../catalog/optional.js";
import type { DatasetConfig } from "../../compiler/types.js";
import { startPostgres, type PgCluster } from "../helpers/postgres.js";
import { catalog, project, rejection } from "./helpers.js";

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 120_000);
afterAll(() => cluster?.stop());

interface Engine {
  readonly name: string;
  con(root: string): string;
  /** Runs one statement straight through the engine's own driver (to set up what mlc then meets). */
  raw(root: string, sql: string): Promise<void>;
  /** A row as the engine gives it back (SQLite has no booleans: 1 and 0). */
  stored(row: Record<string, unknown>): Record<string, unknown>;
}

const same = (row: Record<string, unknown>) => row;

const ENGINES: Engine[] = [
  {
    name: "postgresql",
    con: () => cluster.url,
    async raw(_root, sql) {
      const c = new pg.Client({ connectionString: cluster.url });
      await c.connect();
      await c.query(sql).finally(() => c.end());
    },
    stored: same,
  },
  {
    name: "sqlite",
    con: () => "sqlite:///db/shop.sqlite",
    async raw(root, sql) {
      const db = new BetterSqlite3(join(root, "db/shop.sqlite"));
      db.exec(sql);
      db.close();
    },
    stored: (row) => ({ ...row, paid: row.paid ? 1 : 0 }),
  },
  {
    name: "duckdb",
    con: () => "duckdb:///db/shop.duckdb",
    async raw(root, sql) {
      const inst = await DuckDBInstance.create(join(root, "db/shop.duckdb"));
      const c = await inst.connect();
      await c.run(sql);
      c.closeSync();
      inst.closeSync();
    },
    stored: same,
  },
];

const ROWS = [
  { id: 1, name: "anna", price: 1.5, paid: true },
  { id: 2, name: "bo", price: 2.25, paid: false },
  { id: 3, name: null, price: 4, paid: true },
];

type SqlVersioned = { contentVersion(): Promise<string> };

let seq = 0;
function setup(engine: Engine, extra: Record<string, DatasetConfig> = {}) {
  const root = project({ "db/.keep": "" });
  const table = `orders_${engine.name}_${++seq}`;
  const datasets: Record<string, DatasetConfig> = {
    orders: { type: "sql.table", table_name: table, credentials: "db", save_args: { if_exists: "replace" } },
    appending: { type: "sql.table", table_name: table, credentials: "db", save_args: { if_exists: "append" } },
    strict: { type: "sql.table", table_name: table, credentials: "db" },
    cheap: { type: "sql.table", table_name: table, credentials: "db", content_version: { column: "id" } },
    expensive: {
      type: "sql.query",
      sql: `SELECT id, name FROM ${table} WHERE price > :min_price ORDER BY id`,
      credentials: "db",
      load_args: { params: { min_price: 2 } },
    },
    ...extra,
  };
  const cat = catalog(root, datasets, { credentials: { db: { con: engine.con(root) } } });
  return { root, table, cat };
}

describe.each(ENGINES)("sql datasets on $name", (engine) => {
  it("saves rows and loads them back (typed, nulls kept), also as an Arrow Table", async () => {
    const { cat, root, table } = setup(engine);
    await cat.save("orders", ROWS);
    const back = (await cat.load("orders")) as Record<string, unknown>[];
    expect(back.sort((a, b) => Number(a.id) - Number(b.id))).toEqual(ROWS.map(engine.stored));
    const arrowCat = catalog(
      root,
      { t: { type: "sql.table", table_name: table, credentials: "db", load_args: { as: "arrow" } } },
      { credentials: { db: { con: engine.con(root) } } },
    );
    const t = (await arrowCat.load("t")) as { numRows: number };
    expect(t.numRows).toBe(3);
  });

  it("if_exists: append adds, fail refuses an existing table (MLC6002), replace replaces", async () => {
    const { cat } = setup(engine);
    await cat.save("orders", ROWS);
    await cat.save("appending", [{ id: 4, name: "cy", price: 9, paid: false }]);
    expect(((await cat.load("orders")) as unknown[]).length).toBe(4);
    const err = await rejection(cat.save("strict", ROWS));
    expect(err.code).toBe("MLC6002");
    expect(err.message).toMatch(/exists and save_args.if_exists is fail/);
    await cat.save("orders", ROWS.slice(0, 1));
    expect(((await cat.load("orders")) as unknown[]).length).toBe(1);
  });

  it("a save that fails part-way leaves the table as it was (one transaction)", async () => {
    const { cat, root, table } = setup(engine);
    await engine.raw(
      root,
      `CREATE TABLE ${table} (id INTEGER PRIMARY KEY, name TEXT, price DOUBLE PRECISION, paid BOOLEAN)`,
    );
    await engine.raw(root, `INSERT INTO ${table} VALUES (2, 'old', 1.0, true)`);
    // Row 1 is new, row 2 breaks the primary key: row 1 must not stay behind.
    const err = await rejection(cat.save("appending", ROWS.slice(0, 2)));
    expect(err.code).toBe("MLC6002");
    expect(await cat.load("orders")).toEqual([engine.stored({ id: 2, name: "old", price: 1, paid: true })]);
  });

  it("sql.query binds load_args.params and is read only", async () => {
    const { cat } = setup(engine);
    await cat.save("orders", ROWS);
    expect(await cat.load("expensive")).toEqual([
      { id: 2, name: "bo" },
      { id: 3, name: null },
    ]);
    const err = await rejection(cat.save("expensive", ROWS));
    expect(err.code).toBe("MLC6002");
    expect(err.message).toMatch(/read only/);
  });

  it("content versions: a checksum sees any change; count + max of a column misses an update that keeps both", async () => {
    const { cat, root, table } = setup(engine);
    await cat.save("orders", ROWS);
    const version = (name: string) => {
      const ds = sqlTableType(cat.contextFor(name, cat.configOf(name)!)) as unknown as SqlVersioned;
      return ds.contentVersion();
    };
    const full1 = await version("orders");
    const cheap1 = await version("cheap");
    expect(await version("orders")).toBe(full1);
    await engine.raw(root, `UPDATE ${table} SET name = 'changed' WHERE id = 1`);
    expect(await version("orders")).not.toBe(full1);
    expect(await version("cheap")).toBe(cheap1);
  });
});

describe("sql dataset errors and secrets", () => {
  it("a Postgres error is MLC6001 naming the dataset, and never shows the password", async () => {
    const root = project();
    const cat = catalog(
      root,
      { missing: { type: "sql.table", table_name: "no_such_table", credentials: "db" } },
      { credentials: { db: { con: cluster.url } } },
    );
    const err = await rejection(cat.load("missing"));
    expect(err.code).toBe("MLC6001");
    expect(err.message).toMatch(/missing.*no_such_table/);
    expect(JSON.stringify({ m: err.message, d: cat.describe("missing") })).not.toContain(cluster.password);
  });

  it("a con that is not a supported URL is MLC2003 without echoing it", async () => {
    const root = project();
    const cat = catalog(
      root,
      { t: { type: "sql.table", table_name: "t", credentials: "db" } },
      { credentials: { db: { con: "mysql://root:hunter2@db/x" } } },
    );
    const err = await rejection(cat.load("t"));
    expect(err.code).toBe("MLC2003");
    expect(err.message).toMatch(/unsupported database "mysql"/);
    expect(err.message).not.toContain("hunter2");
  });

  it("a missing optional driver is MLC3003 naming the package to install", async () => {
    const err = await rejection(
      Promise.resolve().then(() => requireOptional("mlc-no-such-driver", 'dataset "t" (sql.table)')),
    );
    expect(err.code).toBe("MLC3003");
    expect(err.message).toBe(
      'dataset "t" (sql.table) needs the npm package "mlc-no-such-driver", which is not installed',
    );
    expect(err.details.hint).toBe("install it in the project: npm install mlc-no-such-driver");
  });
});
