// What makes a node a sql node: `sql:` (a DuckDB query) instead of `func:`, and exactly one output.
// The query itself is checked by check-sql.ts once the datasets are known.
import type { CompileContext } from "./diagnostics.js";
import type { SourceRef } from "./types.js";

/** The `func` of a sql node in the IR: no module, the query is in the node's `sql`. */
export const SQL_FUNC = "sql";

/** Reports a node that gives both func and sql, or a sql node without one output; false when unusable. */
export function checkNodeKind(raw: Record<string, unknown>, at: SourceRef, ctx: CompileContext): boolean {
  // A node with neither is the schema's MLC2002 (func is required unless sql is given).
  const hasFunc = raw.func !== undefined;
  const hasSql = raw.sql !== undefined;
  if (hasFunc && hasSql) {
    ctx.report({
      code: "MLC2003",
      message: `node "${String(raw.name)}" gives both func and sql; keep one`,
      at: { ...at, path: [...at.path, "sql"], key: true },
    });
    return false;
  }
  if (hasSql && (typeof raw.outputs !== "string" || raw.outputs === "")) {
    ctx.report({
      code: "MLC2003",
      message: `sql node "${String(raw.name)}" needs exactly one output, written as one dataset name`,
      at: { ...at, path: [...at.path, raw.outputs === undefined ? "sql" : "outputs"], key: raw.outputs === undefined },
      hint: "the query's result is the node's output: outputs: my_table",
    });
    return false;
  }
  return true;
}
