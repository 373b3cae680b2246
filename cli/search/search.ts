// Evaluates parsed filters and order-by terms on local run records, with the semantics of
// MLflow's SearchUtils.filter and SearchUtils.sort: a missing value never matches, LIKE is an
// anchored pattern of % and _, sorting puts missing (and NaN) values last in both directions.
import type { RunRecord } from "../../runs/record.js";
import type { Clause, OrderBy, Value } from "./filter.js";
import { SearchView, STATUS_TO_MLFLOW } from "./view.js";

const ALIASES: Readonly<Record<string, string>> = {
  created: "start_time",
  Created: "start_time",
  "run name": "run_name",
  "Run name": "run_name",
  "Run Name": "run_name",
};

/** A parsed search: clauses joined by AND, order-by terms, an optional limit. */
export interface RunQuery {
  readonly clauses: readonly Clause[];
  readonly order: readonly OrderBy[];
  readonly limit?: number;
}

/**
 * The test of project `root`'s records against every clause (undefined: no clause), for listRuns'
 * `keep`, so the records a search drops are dropped as they are read.
 */
export function runFilter(q: RunQuery, root: string): ((r: RunRecord) => boolean) | undefined {
  if (q.clauses.length === 0) return undefined;
  const clauses = [...q.clauses].sort((a, b) => COST[a.type] - COST[b.type]);
  return (r) => {
    const v = new SearchView(r, root);
    return clauses.every((c) => matches(v, c));
  };
}

/** The views of `records` (those runFilter kept), stably sorted by the order-by terms, at most `limit`. */
export function orderRuns(records: readonly RunRecord[], q: RunQuery, root: string): SearchView[] {
  let views = records.map((r) => new SearchView(r, root));
  if (q.order.length > 0) views = sortViews(views, q.order);
  return views.slice(0, q.limit ?? views.length);
}

// AND has no order: clauses that read a record's fields run before those that build params or tags.
const COST: Readonly<Record<Clause["type"], number>> = { metric: 0, attribute: 1, dataset: 1, parameter: 2, tag: 3 };

/** True when run `v` satisfies clause `c` (MLflow's _does_run_match_clause). */
export function matches(v: SearchView, c: Clause): boolean {
  if (c.type === "dataset") return v.datasets.some((d) => compare(d[c.key as "name"] ?? null, c.comparator, c.value));
  const lhs = lookup(v, c.type, c.key);
  if (c.comparator === "IS NULL") return lhs === null;
  if (c.comparator === "IS NOT NULL") return lhs !== null;
  if (c.type === "attribute" && c.key === "status") return statusMatches(lhs as string, c);
  return compare(lhs, c.comparator, c.value);
}

function lookup(v: SearchView, type: Clause["type"], key: string): number | string | null {
  if (type === "metric") return own(v.metrics, key);
  if (type === "parameter") return v.param(key);
  if (type === "tag") return own(v.tags, key);
  return v.info[(ALIASES[key] ?? key) as keyof SearchView["info"]] ?? null;
}

/** `o[key]` when `o` itself holds it: `params.constructor` is not Object.prototype's. */
export function own<T>(o: Readonly<Record<string, T>>, key: string): T | null {
  return Object.hasOwn(o, key) ? (o[key] ?? null) : null;
}

// Both status vocabularies are accepted: mlc's words stand for MLflow's (success is FINISHED).
function statusMatches(lhs: string, c: Clause): boolean {
  const word = typeof c.value === "string" ? (own(STATUS_TO_MLFLOW, c.value) ?? c.value) : c.value;
  if (c.comparator === "LIKE" || c.comparator === "ILIKE") {
    const mlc = Object.keys(STATUS_TO_MLFLOW).find((k) => STATUS_TO_MLFLOW[k] === lhs) ?? lhs;
    return compare(lhs, c.comparator, c.value) || compare(mlc, c.comparator, c.value);
  }
  return compare(lhs, c.comparator, word);
}

function compare(lhs: number | string | null, comparator: string, value: Value): boolean {
  if (lhs === null || value === null) return false;
  switch (comparator) {
    case "=":
      return lhs === value;
    case "!=":
      return lhs !== value;
    case "<":
      return lhs < (value as typeof lhs);
    case "<=":
      return lhs <= (value as typeof lhs);
    case ">":
      return lhs > (value as typeof lhs);
    case ">=":
      return lhs >= (value as typeof lhs);
    case "LIKE":
      return likePattern(value as string, "").test(String(lhs));
    case "ILIKE":
      return likePattern(value as string, "i").test(String(lhs));
    case "IN":
      return (value as readonly string[]).includes(String(lhs));
    case "NOT IN":
      return !(value as readonly string[]).includes(String(lhs));
    default:
      return false;
  }
}

const patterns = new Map<string, RegExp>();

/** SQL LIKE as MLflow evaluates it: % is any run of characters, _ one character, anchored. */
function likePattern(pattern: string, flags: string): RegExp {
  const id = flags + pattern;
  let re = patterns.get(id);
  if (!re) {
    const body = [...pattern]
      .map((ch) => (ch === "%" ? ".*" : ch === "_" ? "." : ch.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${body}$`, flags + "u");
    patterns.set(id, re);
  }
  return re;
}

/** A stable sort on the order-by terms in turn (each run's sort values read once). */
function sortViews(views: SearchView[], order: readonly OrderBy[]): SearchView[] {
  const keyed = views.map((v, i) => ({ v, i, keys: order.map((o) => lookup(v, o.type, o.key)) }));
  keyed.sort((a, b) => {
    for (let k = 0; k < order.length; k++) {
      const d = compareValues(a.keys[k], b.keys[k], order[k].ascending);
      if (d !== 0) return d;
    }
    return a.i - b.i;
  });
  return keyed.map((x) => x.v);
}

// Present values first (ascending or descending), then NaN, then missing: MLflow's sort key.
function compareValues(x: number | string | null, y: number | string | null, ascending: boolean): number {
  const rank = (v: typeof x) => (v === null ? 2 : typeof v === "number" && Number.isNaN(v) ? 1 : 0);
  const rx = rank(x);
  const ry = rank(y);
  if (rx !== ry || rx !== 0) return rx - ry;
  const d = x! < y! ? -1 : x! > y! ? 1 : 0;
  return ascending ? d : -d;
}
