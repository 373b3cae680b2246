// sql nodes run by both executors in a real DuckDB: inputs as tables under their dataset names
// (csv/parquet files scanned by DuckDB itself, memory rows and Arrow Tables appended), params
// bound, the result as an Arrow Table or written by DuckDB straight to a csv/parquet output.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runProject } from "../../executors/run-project.js";
import { workerFile } from "../../executors/parallel/runner.js";
import { project } from "../catalog/helpers.js";
import { mlc, mlcWith, spawnMlc } from "../helpers/cli.js";

const CATALOG = `
sales: { type: csv, filepath: data/sales.csv }
sales_arrow: { type: csv, filepath: data/sales.csv, load_args: { as: arrow } }
by_city: { type: parquet, filepath: data/by_city.parquet }
joined: { type: csv, filepath: data/joined.csv }
report: { type: json, filepath: data/report.json }
`;

const PIPELINE = `version: 1
nodes:
  - name: aggregate
    sql: |
      SELECT city, sum(price * qty) AS revenue, count(*) AS n
      FROM sales WHERE qty >= $filters_min_qty GROUP BY city ORDER BY city
    inputs: [sales, params:filters.min_qty]
    outputs: by_city
  - name: mean_price
    sql: SELECT city, avg(price) AS mean_price FROM sales_arrow GROUP BY city ORDER BY city
    inputs: sales_arrow
    outputs: prices
  - name: rows_in_js
    func: ./src/nodes.mjs#cities
    inputs: prices
    outputs: city_rows
  - name: join
    sql: SELECT b.city, b.revenue, p.mean_price, r.upper FROM by_city b JOIN prices p USING (city) JOIN city_rows r USING (city) ORDER BY city
    inputs: [by_city, prices, city_rows]
    outputs: joined
  - name: summarise
    func: ./src/nodes.mjs#summarise
    inputs: joined
    outputs: report
`;

const NODES = `
// An Arrow Table in, rows out: what a TypeScript node does with a sql node's result.
export const cities = (table) => table.toArray().map((r) => ({ city: r.city, upper: r.city.toUpperCase() }));
export const summarise = (rows) => ({ rows, isArray: Array.isArray(rows) });
`;

const HOOKS = `
import { appendFileSync } from "node:fs";
const log = new URL("../loaded.txt", import.meta.url);
export default { afterDatasetLoaded(name) { appendFileSync(log, name + "\\n"); } };
`;

function salesProject(): string {
  return project({
    "pipeline.yml": PIPELINE,
    "conf/base/catalog.yml": CATALOG,
    "conf/base/parameters.yml": "filters: { min_qty: 2 }\n",
    "mlc.yml": "hooks:\n  - ./src/hooks.mjs\n",
    "src/nodes.mjs": NODES,
    "src/hooks.mjs": HOOKS,
    "data/sales.csv": "city,price,qty\nparis,1.5,2\nlyon,2,3\nparis,3,1\nnice,4,2\n",
  });
}

beforeAll(() => {
  expect(existsSync(workerFile()), "dist/ must be built (npm run build) before these tests").toBe(true);
});

describe.each(["sequential", "parallel"])("sql nodes (%s)", (executor) => {
  it("scans files, binds params, hands Arrow Tables on and writes the output through DuckDB", async () => {
    const root = salesProject();
    const out = await runProject({ root, executor, maxWorkers: 2 });
    expect(out.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const nodes = out.record!.nodes.map((n) => [n.name, n.status, n.error?.message]);
    expect(nodes.sort()).toEqual([
      ["aggregate", "completed", undefined],
      ["join", "completed", undefined],
      ["mean_price", "completed", undefined],
      ["rows_in_js", "completed", undefined],
      ["summarise", "completed", undefined],
    ]);
    // params:filters.min_qty = 2 drops the paris row with qty 1.
    expect(readFileSync(join(root, "data/joined.csv"), "utf8")).toBe(
      "city,revenue,mean_price,upper\nlyon,6.0,2.0,LYON\nnice,8.0,4.0,NICE\nparis,3.0,2.25,PARIS\n",
    );
    const report = JSON.parse(readFileSync(join(root, "data/report.json"), "utf8"));
    expect(report.isArray).toBe(true);
    expect(report.rows[0]).toEqual({ city: "lyon", revenue: 6, mean_price: 2, upper: "LYON" });
    // The csv files DuckDB read (sales, sales_arrow) and the parquet it wrote and read again
    // (by_city) never went through a JS load; joined (read by a func) and the memory inputs did.
    const loaded = readFileSync(join(root, "loaded.txt"), "utf8").trim().split("\n").sort();
    expect(loaded).toEqual(["city_rows", "joined", "prices", "prices"]);
  }, 60_000);

  it("an output DuckDB wrote itself is up to date on the next run: the node is cached", async () => {
    const root = salesProject();
    const selection = { nodes: ["aggregate"] };
    expect((await runProject({ root, executor, selection })).record!.nodes[0].status).toBe("completed");
    expect((await runProject({ root, executor, selection })).record!.nodes[0].status).toBe("cached");
  }, 60_000);

  it("an edited query reruns its node: the definition changed", () => {
    const root = salesProject();
    const run = () => mlc(root, "run", "--executor", executor, "--nodes", "aggregate");
    expect(run().code).toBe(0);
    const p = join(root, "pipeline.yml");
    writeFileSync(p, readFileSync(p, "utf8").replace("sum(price * qty) AS revenue", "sum(price) AS revenue"));
    const status = mlc(root, "status", "--nodes", "aggregate");
    expect(status.stdout).toMatch(/aggregate\s+definition changed \(func or sql, inputs or outputs\)/);
    const r = run();
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toMatch(/aggregate\s+completed/);
  }, 60_000);

  it("a kept Arrow Table comes back as a Table: join reruns on the cached prices, after either executor", async () => {
    const root = salesProject();
    const other = executor === "sequential" ? "parallel" : "sequential";
    const joined = readFileSync.bind(null, join(root, "data/joined.csv"), "utf8");
    expect((await runProject({ root, executor, maxWorkers: 2 })).record!.status).toBe("success");
    const first = joined();
    // The same executor again, then the other one, on the state the first run kept for prices.
    for (const ex of [executor, other]) {
      rmSync(join(root, "data/joined.csv"));
      const out = await runProject({ root, executor: ex, maxWorkers: 2 });
      const nodes = Object.fromEntries(out.record!.nodes.map((n) => [n.name, n.error?.message ?? n.status]));
      expect(nodes, ex).toEqual({
        aggregate: "cached",
        mean_price: "cached",
        rows_in_js: "cached",
        join: "completed",
        summarise: "cached",
      });
      expect(joined()).toBe(first);
    }
  }, 60_000);

  it("a csv whose path holds a quote and a space is scanned with the dialect DuckDB sniffs (quoted fields, ; delimiter)", async () => {
    const root = project({
      "pipeline.yml": `version: 1\nnodes:\n  - name: count\n    sql: SELECT city, sum(n) AS n FROM t GROUP BY city ORDER BY city\n    inputs: t\n    outputs: counts\n`,
      "conf/base/catalog.yml": `t: { type: csv, filepath: "data/o'brien sales.csv" }\ncounts: { type: csv, filepath: data/counts.csv }\n`,
      "data/o'brien sales.csv": 'city;n\n"saint; denis";2\nlyon;3\n"saint; denis";1\n',
    });
    const out = await runProject({ root, executor, maxWorkers: 1 });
    expect(out.record!.status, JSON.stringify(out.record!.error)).toBe("success");
    expect(readFileSync(join(root, "data/counts.csv"), "utf8")).toBe("city,n\nlyon,3\nsaint; denis,3\n");
  }, 60_000);

  it("a query that fails at run time is MLC5001 naming the node", async () => {
    const root = project({
      "pipeline.yml": `version: 1\nnodes:\n  - name: bad\n    sql: SELECT 1 / 'x'::INTEGER AS v FROM t\n    inputs: t\n    outputs: v\n`,
      "conf/base/catalog.yml": "t: { type: csv, filepath: t.csv }\n",
      "t.csv": "a\n1\n",
    });
    const out = await runProject({ root, executor, maxWorkers: 1 });
    const bad = out.record!.nodes.find((n) => n.name === "bad")!;
    expect(bad.status).toBe("failed");
    expect(bad.error).toMatchObject({ code: "MLC5001" });
    expect(bad.error!.message).toMatch(/node "bad" failed: .*Could not convert string 'x'/);
  }, 60_000);

  it("a timeout stops the query itself: MLC5002 and the command exits at once, not when DuckDB would finish", () => {
    const root = project({
      "pipeline.yml":
        "version: 1\nnodes:\n  - name: forever\n    sql: SELECT count(*) AS n FROM range(1000000000000) t(i) WHERE i % 7 = 3\n" +
        "    outputs: n\n    timeout: 300ms\n",
    });
    const t0 = Date.now();
    const r = mlcWith({ timeout: 30_000 }, root, "run", "--executor", executor);
    expect(r.signal, "the command hung on the query").toBeNull();
    expect(r.code).toBe(1);
    expect(r.all).toMatch(/MLC5002 node "forever" timed out after 300 ms/);
    expect(Date.now() - t0).toBeLessThan(15_000);
  }, 60_000);

  it("Ctrl-C stops a running query: the run is recorded interrupted and exits 130 promptly", async () => {
    const root = project({
      "pipeline.yml":
        "version: 1\nnodes:\n  - name: forever\n    sql: SELECT count(*) AS n FROM range(1000000000000) t(i) WHERE i % 7 = 3\n" +
        "    outputs: n\n",
    });
    const child = spawnMlc(root, ["run", "--executor", executor]);
    let err = "";
    const started = new Promise<void>((res) =>
      child.stderr.on("data", (c: Buffer) => {
        err += c;
        if (err.includes("forever: started")) res();
      }),
    );
    const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
    await started;
    const t0 = Date.now();
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const code = await exited;
    clearTimeout(timer);
    expect(code, err).toBe(130);
    expect(Date.now() - t0).toBeLessThan(10_000);
  }, 60_000);
});
