// Differential test of mlc's hand-written search grammar (cli/search/filter.ts) against MLflow's
// own parser (SearchUtils.parse_search_filter / parse_order_by_for_search_runs, MLflow 3.17 in
// .venv-mlflow): every filter below must be accepted or rejected by both, with the same parsed
// comparisons. Where mlc is deliberately stricter (MLflow lets a typo through), the case is listed
// in STRICTER and asserted as "MLflow accepts, mlc rejects", so a change on either side shows up.
import { beforeAll, describe, expect, it } from "vitest";
import { parseFilter, parseOrderBy } from "../../cli/search/filter.js";
import { SearchSyntaxError } from "../../cli/search/tokens.js";
import { askMlflow, oracleUnavailable } from "./mlflow-oracle.js";

const FILTERS = [
  "",
  "   ",
  "metrics.model_rmse < 0.7",
  "metrics.x<0.7",
  "metrics.x < .7",
  "metrics.x < 7.",
  "metrics.x < 1e3",
  "metrics.x < 1E3",
  "metrics.x < 1.5E-2",
  "metrics.x < 1e-3",
  "metrics.x < -1",
  "metrics.x=-.5",
  "metrics.x >= 0",
  "metrics.x <= 10",
  "metrics.x != 1",
  "metric.x = 1",
  "metrics.1a = 1",
  "metrics.é = 1",
  "metrics.a.b > 1",
  "metrics.select > 1",
  "metrics.and > 1",
  "metrics.`my metric` > 1",
  'metrics."my metric" > 1',
  "`metrics`.x > 1",
  "metrics.`x` > 1 and metrics.`y y` < 2",
  "params.`a``b` = 'x'",
  "params.`a`.b = 'x'",
  "metrics.model_rmse < 0.7 and params.test_size = '0.2'",
  "metrics.x > 1 AND params.y = 'z'",
  "metrics.x = 1 AnD metrics.y = 2",
  "params.x = 'a'and params.y = 'b'",
  "params.a = 'it''s'",
  'params.a = "dq"',
  "params.a = 'b\\'c'",
  "params.x = ''",
  "param.x = 'a'",
  "parameter.x = 'a'",
  "parameters.x = 'a'",
  "tags.t LIKE '%a%'",
  "tags.t ilike '%a%'",
  "tags.`mlflow.runName` = 'x'",
  "tags.\"mlflow.runName\" = 'x'",
  "tags.'q' = 'x'",
  "tags.mlc.run_id = 'a'",
  "tag.x != 'y'",
  "params.p IS NULL",
  "params.p is not null",
  "tags.t IS NULL and metrics.m > 0",
  "status = 'FINISHED'",
  "status != 'RUNNING'",
  "attributes.status = 'success'",
  "attribute.user_id = 'x'",
  "attr.run_name = 'x'",
  "run.status = 'FAILED'",
  "run_name = 'x'",
  "attributes.`run name` = 'x'",
  "attributes.status LIKE 'FIN%'",
  "attributes.status ILIKE 'fin%'",
  "attributes.artifact_uri = 'x'",
  "start_time > 100",
  "attributes.start_time >= 1.5",
  "attributes.end_time < 5",
  "created > 1",
  "attributes.run_id IN ('A','B')",
  "run_id IN ('a')",
  "run_id in ('a')",
  "run_id not in ('a')",
  "run_id NOT IN ('a', 'b')",
  "run_id IN ('a', \"b\")",
  "run_id IN ('a',)",
  "run_id IN ('a\\'b')",
  "metrics.x = 1 and run_id IN ('a') and params.p = 'x'",
  "datasets.name = 'x'",
  "dataset.digest != 'x'",
  "datasets.name IN ('a', 'b')",
  "datasets.name LIKE 'raw%'",
  // rejected by both
  "metrics.x < - 1",
  "metrics.x < '1'",
  "params.a = 1",
  "params.x = abc",
  "metrics.my-metric > 1",
  "metrics.a$b = 1",
  "metrics.a:b = 1",
  "metrics.a/b = 1",
  "metrics.x = 1e+3",
  "metrics.x = .5e1",
  "metrics.x = 0x10",
  "metrics.x = +1",
  "metrics.x = 1and metrics.y = 2",
  "metrics.x>1and metrics.y>2",
  "metrics.x = 1.5.5",
  "metrics.x = 1 2",
  "metrics.x = 1e3.5",
  "metrics.x > 1 or params.y = 'z'",
  "(metrics.x > 1)",
  "metrics.x > 1 and (params.a = 'b')",
  "metrics.x > 1 AND NOT params.a = 'b'",
  "metrics.x >",
  "metrics.x",
  "foo.x = 1",
  "metrics .x = 1",
  "`params.a` = 'x'",
  "tags.x = 'a",
  'tags.x = "a',
  "params.x = 'a' 'b'",
  "metrics.x = 1 -- c",
  "metrics.x = 1 /* c */",
  "metrics.x = 1 ; metrics.y = 2",
  "metrics.x = 1;",
  "select = 1",
  "metrics.x = null",
  "params.x = null",
  "params.x IS 'a'",
  "metrics.x IS NULL",
  "status IS NULL",
  "metrics.x == 1",
  "metrics.x <> 1",
  "metrics.x LIKE '1'",
  "metrics.x LIKE 1",
  "tags.x > 'a'",
  "params.p < 'b'",
  "params.x NOT LIKE 'a'",
  "params.x in ('a')",
  "attributes.status IN ('A','B')",
  "run_id IN ()",
  "run_id IN 'a'",
  "attributes.end_time > '1'",
  "attributes.start_time LIKE 1",
  "status > 'A'",
  "attributes.bogus = 'x'",
  "datasets.bogus = 'x'",
  "user = 'x'",
  "metrics.x = 1 and metrics.y",
  "constructor.x = 1",
  "toString.x = 1",
  "__proto__.x = 1",
  "hasOwnProperty = 'x'",
  "params.constructor IS NULL",
  "metrics.__proto__ > 0",
];

/** Filters MLflow's parser accepts that mlc refuses on purpose (each would hide a typo). */
const STRICTER = new Set([
  "metrics.x = 1 and",
  "and metrics.x > 1",
  "metrics.x = 1 and and metrics.y = 2",
  "metrics.x = 1 metrics.y = 2",
  "metrics. x = 1",
  "run_id = ('a')",
]);

const ORDERS = [
  "metrics.x",
  "metrics.x ASC",
  "metrics.x desc",
  "metrics.`a b` DESC",
  'metrics."a b" ASC',
  "params.p",
  "start_time",
  "attributes.start_time DESC",
  "created DESC",
  "run_name",
  "tags.`mlflow.runName` asc",
  "status",
  "attr.end_time",
  "metrics.x up",
  "metrics.x ASC DESC",
  "foo.x",
  "metrics.x, params.y",
  "timestamp",
  "",
  "attributes.bogus",
  "datasets.name",
  "metrics.x ASC extra",
];

type Parsed = { ok: true; clauses: unknown[] } | { ok: false; error: string };
type Order = { ok: true; type: string; key: string; ascending: boolean } | { ok: false; error: string };

function mine<T>(f: () => T): { ok: true; value: T } | { ok: false; column: number } {
  try {
    return { ok: true, value: f() };
  } catch (err) {
    if (err instanceof SearchSyntaxError) return { ok: false, column: err.column };
    throw err;
  }
}

let mlflow: { filters: Parsed[]; orders: Order[] } | null = null;
let skipped: string | null = null;
const ALL_FILTERS = [...FILTERS, ...STRICTER];

beforeAll(() => {
  skipped = oracleUnavailable();
  if (!skipped) mlflow = askMlflow({ filters: ALL_FILTERS, orders: ORDERS });
});

describe("the --filter grammar against MLflow's SearchUtils", () => {
  it("accepts and rejects what MLflow does, with the same parsed comparisons", (ctx) => {
    if (skipped) return ctx.skip(`no MLflow venv: ${skipped}`);
    const disagree: string[] = [];
    FILTERS.forEach((f, i) => {
      const theirs = mlflow!.filters[i];
      const ours = mine(() => parseFilter(f));
      const verdict = (ok: boolean) => (ok ? "accepts" : "rejects");
      const why = theirs.ok ? "" : ` (${theirs.error})`;
      if (ours.ok !== theirs.ok)
        disagree.push(`${JSON.stringify(f)}: mlc ${verdict(ours.ok)}, MLflow ${verdict(theirs.ok)}${why}`);
      else if (ours.ok && theirs.ok) expect(ours.value, f).toEqual(theirs.clauses);
    });
    expect(disagree).toEqual([]);
    expect(mlflow!.filters.filter((r) => r.ok).length).toBeGreaterThan(50);
    expect(mlflow!.filters.filter((r) => !r.ok).length).toBeGreaterThan(50);
  });

  it("is stricter than MLflow only where MLflow lets a typo through", (ctx) => {
    if (skipped) return ctx.skip(`no MLflow venv: ${skipped}`);
    [...STRICTER].forEach((f, j) => {
      expect(mlflow!.filters[FILTERS.length + j].ok, f).toBe(true);
      expect(mine(() => parseFilter(f)).ok, f).toBe(false);
    });
  });

  it("parses --order-by terms as parse_order_by_for_search_runs does", (ctx) => {
    if (skipped) return ctx.skip(`no MLflow venv: ${skipped}`);
    ORDERS.forEach((o, i) => {
      const theirs = mlflow!.orders[i];
      const ours = mine(() => parseOrderBy(o));
      expect(ours.ok, `${o}: ${theirs.ok ? "" : theirs.error}`).toBe(theirs.ok);
      if (ours.ok && theirs.ok)
        expect(ours.value, o).toEqual({ type: theirs.type, key: theirs.key, ascending: theirs.ascending });
    });
  });
});
