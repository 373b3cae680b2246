// `sql:` nodes at compile time: the query parsed by a real DuckDB, syntax errors and unknown
// tables placed at their line:col inside pipeline.yml (MLC3009), and the shape rules of a sql node.
import { describe, expect, it } from "vitest";
import { compileProject } from "../../compiler/compile.js";
import { project } from "../catalog/helpers.js";

const CATALOG = "orders: { type: csv, filepath: data/orders.csv }\ncustomers: { type: csv, filepath: data/c.csv }\n";

async function compile(nodes: string) {
  const root = project({ "pipeline.yml": `version: 1\nnodes:\n${nodes}`, "conf/base/catalog.yml": CATALOG });
  const r = await compileProject({ root });
  return { ...r, errors: r.diagnostics.filter((d) => d.severity === "error") };
}

describe("sql nodes at compile time", () => {
  it("a syntax error in a block scalar is MLC3009 at its line and column in pipeline.yml", async () => {
    const { errors } = await compile(
      [
        "  - name: totals",
        "    sql: |",
        "      SELECT customer, sum(amount) AS total",
        "      FROM orders GRUP BY customer",
        "    inputs: orders",
        "    outputs: totals",
      ].join("\n") + "\n",
    );
    expect(errors).toMatchObject([{ code: "MLC3009", file: "pipeline.yml", line: 6, column: 24 }]);
    expect(errors[0].message).toMatch(/sql node "totals" does not parse: syntax error at or near "BY"/);
  });

  it("an unknown table is MLC3009 at the table name, on a one-line query too; CTEs and inputs are known", async () => {
    const { errors } = await compile(
      [
        "  - name: joined",
        "    sql: WITH big AS (SELECT * FROM orders WHERE amount > 10) SELECT * FROM big JOIN custmers USING (id)",
        "    inputs: [orders, customers]",
        "    outputs: joined",
      ].join("\n") + "\n",
    );
    expect(errors).toMatchObject([{ code: "MLC3009", line: 4, column: 86, endColumn: 94 }]);
    expect(errors[0].message).toBe('sql node "joined" reads unknown table "custmers"');
    expect(errors[0].hint).toMatch(/orders, customers/);
  });

  it("a valid query compiles, and the sql text is part of the node in the graph (so of its cache key)", async () => {
    const sql = "SELECT customer, count(*) AS n FROM orders WHERE amount > $min_amount GROUP BY customer";
    const root = project({
      "pipeline.yml": `version: 1\nnodes:\n  - name: counts\n    sql: ${sql}\n    inputs: [orders, params:min_amount]\n    outputs: counts\n`,
      "conf/base/catalog.yml": CATALOG,
      "conf/base/parameters.yml": "min_amount: 5\n",
    });
    const r = await compileProject({ root });
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(r.project!.graph.nodes[0]).toMatchObject({ name: "counts", func: "sql", sql });
  });

  it("func and sql together, or a sql node without one output, are coded errors", async () => {
    const { errors } = await compile(
      [
        "  - name: both",
        "    func: ./src/x.ts#f",
        "    sql: SELECT 1",
        "    outputs: a",
        "  - name: two_outputs",
        "    sql: SELECT 1",
        "    outputs: [c, d]",
      ].join("\n") + "\n",
    );
    expect(errors.map((e) => [e.code, e.line])).toEqual([
      ["MLC2003", 5],
      ["MLC2003", 9],
    ]);
  });

  it("a node with neither func nor sql is MLC2002 missing func, as before sql nodes existed", async () => {
    const { errors } = await compile("  - name: neither\n    outputs: b\n");
    expect(errors).toMatchObject([{ code: "MLC2002", line: 3 }]);
    expect(errors[0].message).toMatch(/func/);
  });
});
