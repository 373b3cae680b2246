// Phase step of resolve: every sql node's query is parsed by DuckDB (parse only: json_serialize_sql,
// so no table has to exist) and each table it reads must be one of the node's inputs or a CTE of
// the query. Problems are MLC3009 at the line:col inside pipeline.yml where the query goes wrong.
import { memoryConnection } from "../catalog/duckdb-arrow.js";
import { MlcError, type CompileContext } from "./diagnostics.js";
import { locate } from "./locate.js";
import { isParamRef } from "./refs.js";
import type { ResolvedNode } from "./types.js";

type Ast = { error?: boolean; error_message?: string; position?: string };

/** Reports MLC3009 for every sql node whose query does not parse or reads an unknown table. */
export async function checkSql(nodes: readonly ResolvedNode[], ctx: CompileContext): Promise<void> {
  const sqlNodes = nodes.filter((n) => n.sql !== undefined);
  if (sqlNodes.length === 0) return;
  let con: Awaited<ReturnType<typeof memoryConnection>>;
  try {
    con = await memoryConnection("a sql node");
  } catch (err) {
    if (!(err instanceof MlcError)) throw err;
    const at = { file: sqlNodes[0].source.file, path: [...sqlNodes[0].source.path, "sql"] };
    ctx.report({ code: err.code, message: err.message, at, hint: err.details.hint });
    return;
  }
  try {
    for (const node of sqlNodes) {
      const reader = await con.runAndReadAll("SELECT json_serialize_sql($q::VARCHAR) AS ast", { q: node.sql! });
      const ast = JSON.parse(String(reader.getRowObjectsJS()[0].ast)) as Ast;
      if (ast.error) report(node, Number(ast.position ?? 0), `does not parse: ${ast.error_message}`, ctx);
      else
        for (const t of unknownTables(node, ast))
          report(node, t.at, `reads unknown table "${t.name}"`, ctx, t.hint, t.name.length);
    }
  } finally {
    con.closeSync();
  }
}

/** Tables the query reads that are neither inputs of the node nor names of its CTEs. */
function unknownTables(node: ResolvedNode, ast: unknown): { name: string; at: number; hint: string }[] {
  const inputs = node.inputs.filter((i) => !isParamRef(i));
  const known = new Set(inputs);
  const tables: { name: string; at: number }[] = [];
  walk(ast, (n) => {
    if (n.type === "BASE_TABLE" && typeof n.table_name === "string") {
      const name = n.schema_name ? `${String(n.schema_name)}.${n.table_name}` : n.table_name;
      tables.push({ name, at: Number(n.query_location ?? 0) });
    }
    const ctes = (n.cte_map as { map?: { key: string }[] } | undefined)?.map;
    if (Array.isArray(ctes)) for (const c of ctes) known.add(c.key);
  });
  const hint = inputs.length
    ? `a sql node reads its inputs by dataset name: ${inputs.join(", ")}`
    : "add the dataset to the node's inputs";
  return tables.filter((t) => !known.has(t.name)).map((t) => ({ ...t, hint }));
}

function walk(v: unknown, visit: (n: Record<string, unknown>) => void): void {
  if (Array.isArray(v)) for (const x of v) walk(x, visit);
  else if (v !== null && typeof v === "object") {
    visit(v as Record<string, unknown>);
    for (const x of Object.values(v)) walk(x, visit);
  }
}

function report(
  node: ResolvedNode,
  byteOffset: number,
  what: string,
  ctx: CompileContext,
  hint?: string,
  length?: number,
): void {
  const path = [...node.source.path, "sql"];
  const doc = ctx.docs.get(node.source.file);
  const message = `sql node "${node.name}" ${what}`;
  if (!doc) return ctx.report({ code: "MLC3009", message, at: { file: node.source.file, path }, hint });
  const start = locate(doc, path);
  const pos = positionInScalar(doc.text, start, node.sql!, byteOffset);
  // A table name is underlined whole (when written unquoted on one line, as it usually is).
  const end = length ? { endLine: pos.line, endColumn: pos.column + length } : {};
  ctx.report({ code: "MLC3009", message, pos: { file: node.source.file, ...pos, ...end }, ...(hint ? { hint } : {}) });
}

/**
 * The 1-based line:col in the YAML text of offset `byteOffset` (UTF-8, as DuckDB counts) into the
 * scalar `sql` that starts at `start`. A block scalar (`|`, `>`) maps line by line below its
 * header; a flow scalar maps within its first line (folded lines of a long flow scalar fall back to that).
 */
export function positionInScalar(
  text: string,
  start: { line: number; column: number },
  sql: string,
  byteOffset: number,
): { line: number; column: number } {
  const offset = Buffer.from(sql).subarray(0, byteOffset).toString().length;
  const before = sql.slice(0, offset);
  const row = before.split("\n").length - 1;
  const col = offset - (before.lastIndexOf("\n") + 1);
  const lines = text.split("\n");
  const first = lines[start.line - 1] ?? "";
  const indicator = first.charAt(start.column - 1);
  if (indicator === "|" || indicator === ">") {
    const body = lines.slice(start.line).find((l) => l.trim() !== "") ?? "";
    const indent = body.length - body.trimStart().length;
    return { line: start.line + 1 + row, column: indent + col + 1 };
  }
  const quoted = indicator === '"' || indicator === "'";
  if (row === 0) return { line: start.line, column: start.column + (quoted ? 1 : 0) + col };
  return { line: start.line, column: start.column };
}
