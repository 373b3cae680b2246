// `--filter` and `--order-by` in MLflow's search grammar (mlflow.utils.search_utils.SearchUtils):
// comparisons joined by AND, each `<type>.<key> <comparator> <value>`, checked as MLflow checks
// them (the comparators and value kinds each type allows). Stricter than MLflow where MLflow's
// parser lets typos through (a missing, doubled or trailing AND: STRICTER in
// test/cli/runs-search-grammar.test.ts).
import { isQuoted, SearchSyntaxError, stripQuotes, tokenize, trimBackticks, type Token } from "./tokens.js";

export type EntityType = "metric" | "parameter" | "tag" | "attribute" | "dataset";
export type Value = number | string | readonly string[] | null;

/** One comparison, in the shape SearchUtils.parse_search_filter returns (comparator upper-cased). */
export interface Clause {
  readonly type: EntityType;
  readonly key: string;
  readonly comparator: string;
  readonly value: Value;
}

/** One `--order-by` term. */
export interface OrderBy {
  readonly type: Exclude<EntityType, "dataset">;
  readonly key: string;
  readonly ascending: boolean;
}

const ENTITY: Readonly<Record<string, EntityType>> = {
  metric: "metric",
  metrics: "metric",
  parameter: "parameter",
  parameters: "parameter",
  param: "parameter",
  params: "parameter",
  tag: "tag",
  tags: "tag",
  attribute: "attribute",
  attr: "attribute",
  attributes: "attribute",
  run: "attribute",
  dataset: "dataset",
  datasets: "dataset",
};
const ORDERABLE = [
  "artifact_uri",
  "end_time",
  "run_id",
  "run_name",
  "start_time",
  "status",
  "user_id",
  "created",
  "Created",
];
const ORDER_KEYS = new Set(ORDERABLE);
const SEARCHABLE = new Set([...ORDERABLE, "run name", "Run name", "Run Name"]);
/** Attributes compared as numbers (epoch milliseconds). */
export const NUMERIC_ATTRIBUTES = new Set(["start_time", "end_time", "created", "Created"]);
const DATASET_KEYS = new Set(["name", "digest", "context"]);
const NUMERIC_OPS = new Set(["=", "!=", "<", "<=", ">", ">="]);
const STRING_OPS = new Set(["=", "!=", "LIKE", "ILIKE"]);

interface Key {
  readonly type: EntityType;
  readonly key: string;
}

/** Parses a filter ("" means every run); throws SearchSyntaxError with the column where it stopped. */
export function parseFilter(source: string): Clause[] {
  const p = new Cursor(tokenize(source));
  const out: Clause[] = [];
  if (source === "") return out;
  if (p.peek().kind === "end") throw p.fail("the filter is blank (leave --filter out to list every run)");
  for (;;) {
    out.push(clause(p));
    if (p.peek().kind === "end") return out;
    if (!p.isKeyword("AND")) throw p.fail(`expected AND or the end of the filter, found ${p.describe()}`);
    p.next();
    if (p.peek().kind === "end") throw p.fail("expected a comparison after AND");
  }
}

/** Parses one order-by term: `<type>.<key> [ASC|DESC]`. */
export function parseOrderBy(source: string): OrderBy {
  const p = new Cursor(tokenize(source));
  if (p.peek().kind !== "ident") throw p.fail(`expected a column such as metrics.rmse, found ${p.describe()}`);
  const at = p.peek();
  const { type, key } = identifier(p.next(), ORDER_KEYS);
  if (type === "dataset") throw new SearchSyntaxError("runs cannot be ordered by a dataset field", at.at + 1);
  let ascending = true;
  if (p.isKeyword("ASC") || p.isKeyword("DESC")) ascending = p.next().text === "ASC";
  if (p.peek().kind !== "end") throw p.fail(`expected ASC, DESC or the end, found ${p.describe()}`);
  return { type, key, ascending };
}

class Cursor {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}
  peek(): Token {
    return this.tokens[this.i];
  }
  next(): Token {
    return this.tokens[this.i === this.tokens.length - 1 ? this.i : this.i++];
  }
  isKeyword(word: string): boolean {
    return this.peek().kind === "keyword" && this.peek().text === word;
  }
  describe(t: Token = this.peek()): string {
    return t.kind === "end" ? "the end of the text" : JSON.stringify(t.text);
  }
  fail(message: string, t: Token = this.peek()): SearchSyntaxError {
    return new SearchSyntaxError(message, t.at + 1);
  }
}

function clause(p: Cursor): Clause {
  const at = p.peek();
  if (at.kind !== "ident") throw p.fail(`expected a column such as metrics.rmse or params.lr, found ${p.describe()}`);
  const id = identifier(p.next(), SEARCHABLE);
  const opToken = p.peek();
  const comparator = readComparator(p);
  if (comparator === "IS NULL" || comparator === "IS NOT NULL") {
    if (id.type !== "parameter" && id.type !== "tag")
      throw p.fail(`${comparator} works on params and tags only`, opToken);
    return { ...id, comparator, value: null };
  }
  checkComparator(id, comparator, opToken);
  const value = readValue(p, id, comparator);
  return { ...id, comparator, value };
}

/** `<type>.<key>`: split at the first dot as MLflow does; no dot means an attribute. */
function identifier(t: Token, attributes: ReadonlySet<string>): Key {
  const dot = t.text.indexOf(".");
  const rawType = dot < 0 ? "attribute" : trimBackticks(t.text.slice(0, dot));
  const key = trimBackticks(stripQuotes(dot < 0 ? t.text : t.text.slice(dot + 1)));
  const type = Object.hasOwn(ENTITY, rawType) ? ENTITY[rawType] : undefined;
  const col = t.at + 1;
  if (!type)
    throw new SearchSyntaxError(
      `unknown column type "${rawType}" (use metrics., params., tags., attributes. or datasets.)`,
      col,
    );
  if (type === "attribute" && !attributes.has(key)) {
    throw new SearchSyntaxError(
      `unknown attribute "${key}" (attributes: ${[...attributes].filter((a) => /^[a-z_]+$/.test(a)).join(", ")})`,
      col,
    );
  }
  if (type === "dataset" && !DATASET_KEYS.has(key))
    throw new SearchSyntaxError(`unknown dataset field "${key}" (name, digest or context)`, col);
  return { type, key };
}

function readComparator(p: Cursor): string {
  const t = p.peek();
  if (t.kind === "op") return p.next().text;
  if (t.kind === "keyword" && (t.text === "LIKE" || t.text === "ILIKE" || t.text === "IN")) return p.next().text;
  if (t.kind === "keyword" && t.text === "NOT") {
    p.next();
    if (p.isKeyword("IN")) return (p.next(), "NOT IN");
    throw p.fail(`expected IN after NOT, found ${p.describe()}`);
  }
  if (t.kind === "keyword" && t.text === "IS") {
    p.next();
    const not = p.isKeyword("NOT") ? (p.next(), true) : false;
    if (p.isKeyword("NULL")) return (p.next(), not ? "IS NOT NULL" : "IS NULL");
    throw p.fail(`expected NULL, found ${p.describe()}`);
  }
  throw p.fail(`expected a comparison operator (=, !=, <, <=, >, >=, LIKE, ILIKE, IN, IS NULL), found ${p.describe()}`);
}

function readValue(p: Cursor, id: Key, comparator: string): Value {
  const t = p.peek();
  if (comparator === "IN" || comparator === "NOT IN") return readList(p, id);
  const numeric = id.type === "metric" || (id.type === "attribute" && NUMERIC_ATTRIBUTES.has(id.key));
  if (numeric) {
    if (t.kind !== "number") throw p.fail(`expected a number for ${label(id)}, found ${p.describe()}`);
    return Number(p.next().text);
  }
  if (t.kind === "string" || (t.kind === "ident" && isQuoted(t.text, '"') && t.text.indexOf(".") < 0)) {
    return stripQuotes(p.next().text);
  }
  throw p.fail(`expected a quoted string for ${label(id)} (e.g. '0.2'), found ${p.describe()}`);
}

function readList(p: Cursor, id: Key): string[] {
  if (!(id.type === "dataset" || (id.type === "attribute" && id.key === "run_id"))) {
    throw p.fail(`only attributes.run_id and datasets.* take a list (IN / NOT IN)`);
  }
  if (p.peek().kind !== "(") throw p.fail(`expected a parenthesised list of quoted strings, found ${p.describe()}`);
  p.next();
  const items: string[] = [];
  for (;;) {
    const t = p.peek();
    if (t.kind === ")" && items.length > 0) return (p.next(), items);
    const quoted = t.kind === "string" || (t.kind === "ident" && isQuoted(t.text, '"') && t.text.indexOf(".") < 0);
    if (!quoted) throw p.fail(`expected a quoted string in the list, found ${p.describe()}`);
    items.push(unescapeListItem(p.next().text));
    if (p.peek().kind === ",") p.next();
    else if (p.peek().kind !== ")") throw p.fail(`expected "," or ")", found ${p.describe()}`);
  }
}

/** List items are Python literals to MLflow (ast.literal_eval): backslash escapes apply. */
function unescapeListItem(s: string): string {
  return s.slice(1, -1).replace(/\\(.)/g, "$1");
}

function checkComparator(id: Key, comparator: string, opToken: Token): void {
  const numeric = id.type === "metric" || (id.type === "attribute" && NUMERIC_ATTRIBUTES.has(id.key));
  const allowed = numeric
    ? NUMERIC_OPS
    : id.type === "attribute" || id.type === "dataset"
      ? new Set([...STRING_OPS, "IN", "NOT IN"])
      : STRING_OPS;
  if (allowed.has(comparator)) return;
  throw new SearchSyntaxError(
    `${label(id)} cannot be compared with ${comparator} (allowed: ${[...allowed].join(", ")})`,
    opToken.at + 1,
  );
}

function label(id: Key): string {
  return id.type === "attribute" ? `attribute ${id.key}` : `${id.type} ${JSON.stringify(id.key)}`;
}
