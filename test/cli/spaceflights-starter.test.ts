// Issue 19 item 9: `mlc new --starter spaceflights` validates and runs under both executors, reads
// the raw files through excel and csv, lands r2 in Kedro's range and writes plotly reports.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlcWith } from "../helpers/cli.js";

const REPO = resolve(import.meta.dirname, "../..");
let tmp = "";
let sf = "";

const mlc = (cwd: string, ...args: string[]) =>
  mlcWith({ env: { MLC_NEW_DEP_SPEC: `file:${REPO}` }, timeout: 120_000 }, cwd, ...args);

/** The metrics of the newest run, {key: value}. */
function lastMetrics(project: string): Record<string, number> {
  const runs = readdirSync(join(project, ".mlc", "runs")).sort();
  const lines = readFileSync(join(project, ".mlc", "runs", runs.at(-1)!, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n");
  return Object.fromEntries(
    lines.map((l) => JSON.parse(l) as { key: string; value: number }).map((m) => [m.key, m.value]),
  );
}

/** A new spaceflights project under tmp/`name`. */
function starter(name: string): string {
  const made = mlc(tmp, "new", name, "--starter", "spaceflights");
  expect(made.code, made.all).toBe(0);
  const dir = join(tmp, name);
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "mlc-pipelines"), "dir"); // offline stand-in for npm install
  return dir;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "mlc-sf-"));
  sf = starter("sf");
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("mlc new --starter spaceflights", () => {
  it("copies the three raw files byte for byte and has the three named pipelines", () => {
    for (const f of ["companies.csv", "reviews.csv", "shuttles.xlsx"]) {
      const copy = readFileSync(join(sf, "data/01_raw", f));
      expect(copy.equals(readFileSync(join(REPO, "samples/spaceflights/data/01_raw", f))), f).toBe(true);
    }
    const v = mlc(sf, "validate");
    expect(v.code, v.all).toBe(0);
    const ls = mlc(sf, "ls", "--json", "--pipeline", "data_science");
    expect(JSON.parse(ls.stdout).nodes.map((n: { name: string }) => n.name)).toEqual([
      "split_data_node",
      "train_model_node",
      "evaluate_model_node",
    ]);
  });

  for (const executor of ["sequential", "parallel"]) {
    it(`runs under the ${executor} executor with r2 between 0.3 and 0.45 and plotly reports`, () => {
      const dir = starter(`sf-${executor}`); // a project of its own: each executor runs it from scratch
      const r = mlc(dir, "run", "--executor", executor);
      expect(r.code, r.all).toBe(0);
      expect(r.all).toContain("8 completed");
      const m = lastMetrics(dir);
      expect(m.model_input_rows).toBe(6027);
      expect(m.r2_score).toBeGreaterThan(0.3);
      expect(m.r2_score).toBeLessThan(0.45);
      expect(m.mae).toBeGreaterThan(0);
      expect(m.max_error).toBeGreaterThan(m.mae);
      const fig = JSON.parse(readFileSync(join(dir, "data/08_reporting/shuttle_passenger_capacity_plot.json"), "utf8"));
      expect(fig.data[0]).toMatchObject({ type: "bar" });
      expect(fig.data[0].x).toContain("Type V5");
      // Run again: nothing runs, and the record still holds every metric (logged from the cache).
      const again = mlc(dir, "run", "--executor", executor);
      expect(again.code, again.all).toBe(0);
      expect(again.all).toContain("8 cached");
      expect(lastMetrics(dir)).toEqual(m);
    });
  }
});
