// Issue 18's "done when" on the spaceflights sample: create_model_input_table as one SQL node
// (pipeline-sql.yml), the model trained in TypeScript on the Arrow table it returns, and that table
// written to and read back from a REAL PostgreSQL (a private cluster) through `sql.table` in a conf
// env, under both executors. A wrong table name is a coded error at its position; a wrong password
// a coded error naming the node and the dataset, never the password.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openProject } from "../../executors/open-project.js";
import { mlcWith } from "../helpers/cli.js";
import { copySample, removeSampleCopies } from "../helpers/sample.js";
import { startPostgres, type PgCluster } from "../helpers/postgres.js";

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 180_000);
afterAll(() => {
  cluster?.stop();
  removeSampleCopies();
});

const copy = () => copySample("spaceflights");

/** The model input table kept in Postgres: the conf env `pg` of a copy. */
function withPostgres(dir: string, password = cluster.password): void {
  mkdirSync(join(dir, "conf", "pg"), { recursive: true });
  const con = cluster.url.replace(`:${cluster.password}@`, `:${password}@`);
  writeFileSync(join(dir, "conf", "pg", "credentials.yml"), `pg:\n  con: ${con}\n`);
  writeFileSync(
    join(dir, "conf", "pg", "catalog.yml"),
    "model_input_arrow:\n  type: sql.table\n  table_name: model_input\n  credentials: pg\n" +
      "  load_args: { as: arrow }\n  save_args: { if_exists: replace }\n",
  );
}

/** The metrics of the one run of `dir` (run.json). */
function run(dir: string, ...args: string[]): Record<string, number> {
  const r = mlcWith({ timeout: 180_000 }, dir, "run", ...args);
  expect(r.code, r.all).toBe(0);
  const runs = readdirSync(join(dir, ".mlc", "runs")).sort();
  return JSON.parse(readFileSync(join(dir, ".mlc", "runs", runs.at(-1)!, "run.json"), "utf8")).metrics;
}

async function query<T>(sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: cluster.url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

describe("spaceflights, create_model_input_table as one SQL node", () => {
  it("gives the TypeScript pipeline's rows, and a model in its range, under both executors", async () => {
    const [ts, sql] = [copy(), copy()];
    const tsMetrics = run(ts);
    const seq = run(sql, "pipeline-sql.yml");
    const table = async (dir: string) =>
      (await (await openProject(dir)).catalog.load("model_input_table")) as Record<string, unknown>[];
    const sortedById = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => Number(a.id) - Number(b.id));
    const [tsRows, sqlRows] = await Promise.all([table(ts), table(sql)]);
    expect(sqlRows.length).toBe(6027);
    expect(sortedById(sqlRows)).toEqual(sortedById(tsRows));
    const par = run(sql, "pipeline-sql.yml", "--executor", "parallel", "--force");
    // The seeded split of the same ordered rows: the same model under either executor.
    expect(par.r2_score).toBe(seq.r2_score);
    for (const m of [tsMetrics, seq]) {
      expect(m.r2_score).toBeGreaterThan(0.3);
      expect(m.r2_score).toBeLessThan(0.45);
    }
    expect([tsMetrics.model_input_rows, seq.model_input_rows]).toEqual([6027, 6027]);
  }, 300_000);

  it("keeps the table in PostgreSQL: written by the SQL node's output, read back as Arrow for training", async () => {
    const [local, db] = [copy(), copy()];
    const expected = run(local, "pipeline-sql.yml");
    withPostgres(db);
    const viaPg = run(db, "pipeline-sql.yml", "--env", "pg");
    expect(viaPg.r2_score).toBe(expected.r2_score);
    expect(viaPg.mae).toBe(expected.mae);
    const [{ n, shuttles }] = await query<{ n: string; shuttles: string }>(
      "SELECT count(*) AS n, count(DISTINCT id) AS shuttles FROM model_input",
    );
    expect([Number(n), Number(shuttles)]).toEqual([6027, 6027]);
    const columns = await query<{ column_name: string }>(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'model_input'",
    );
    const tsColumns = Object.keys(
      ((await (await openProject(local)).catalog.load("model_input_table")) as object[])[0],
    );
    expect(columns.map((c) => c.column_name).sort()).toEqual(tsColumns.sort());
    expect(tsColumns).toEqual(expect.arrayContaining(["price", "company_rating", "shuttle_id", "crew"]));
  }, 300_000);

  it("a wrong table name in the query is MLC3009 at its line and column in pipeline-sql.yml", () => {
    const dir = copy();
    const file = join(dir, "pipeline-sql.yml");
    writeFileSync(file, readFileSync(file, "utf8").replace("JOIN reviews AS r", "JOIN review AS r"));
    const r = mlcWith({}, dir, "validate", "pipeline-sql.yml", "--format", "json");
    expect(r.code, r.all).toBe(1);
    const line =
      readFileSync(file, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("JOIN review AS r")) + 1;
    expect(JSON.parse(r.stdout).diagnostics).toEqual([
      expect.objectContaining({ code: "MLC3009", file: "pipeline-sql.yml", line }),
    ]);
  });

  it("a wrong Postgres password fails the save with MLC6002 naming node and dataset, never a password", () => {
    const dir = copy();
    withPostgres(dir, "not-the-password");
    const r = mlcWith({ timeout: 180_000 }, dir, "run", "pipeline-sql.yml", "--env", "pg");
    expect(r.code).toBe(1);
    expect(r.all).toMatch(
      /MLC6002 node "create_model_input_table_node": dataset "model_input_arrow": save failed: .*password/,
    );
    expect(r.all).not.toContain("not-the-password");
    expect(r.all).not.toContain(cluster.password);
    // The resume hint runs the same pipeline file, not pipeline.yml.
    expect(r.all).toContain("mlc run pipeline-sql.yml --env pg --from-nodes create_model_input_table_node");
  });
});
