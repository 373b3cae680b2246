// Both samples end to end through the built CLI (`node bin/mlc.js run`), under both executors,
// on private copies in temp folders (the repository stays clean). Small data: 20k stream lines.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlcWith } from "../helpers/cli.js";
import { copySample, removeSampleCopies } from "../helpers/sample.js";

const REPO = resolve(import.meta.dirname, "../..");
const SMALL = "generator.events=20000";
const EXECUTORS = ["sequential", "parallel"] as const;

interface RunJson {
  status: string;
  executor: string;
  metrics: Record<string, number>;
  nodes: { name: string; status: string }[];
}

beforeAll(() => {
  if (!existsSync(join(REPO, "dist", "cli", "commands", "run.js")))
    throw new Error("dist/cli/commands/run.js is missing: run `npm run build` first");
});
afterAll(removeSampleCopies);

/** `mlc run` in `dir`; returns the exit code, output and the new run record. */
function run(dir: string, args: string[]): { code: number | null; out: string; record: RunJson } {
  const before = new Set(existsSync(join(dir, ".mlc", "runs")) ? readdirSync(join(dir, ".mlc", "runs")) : []);
  const r = mlcWith({ timeout: 120_000 }, REPO, "run", "--project", dir, ...args);
  const out = `${r.stdout}\n${r.stderr}`;
  const id = readdirSync(join(dir, ".mlc", "runs")).find((f) => !before.has(f));
  if (!id) throw new Error(`no new run record; output:\n${out}`);
  const record = JSON.parse(readFileSync(join(dir, ".mlc", "runs", id, "run.json"), "utf8")) as RunJson;
  return { code: r.code, out, record };
}

function readJson(file: string): any {
  return JSON.parse(readFileSync(file, "utf8"));
}

describe("movie-recommendation sample", () => {
  const results: Partial<Record<(typeof EXECUTORS)[number], RunJson>> = {};

  it.each(EXECUTORS)("runs end to end with --executor %s and beats the baseline", (executor) => {
    const dir = copySample("movie-recommendation");
    const { code, out, record } = run(dir, ["--executor", executor, "--params", SMALL]);
    expect(code, out).toBe(0);
    expect(record).toMatchObject({ status: "success", executor });
    expect(record.nodes.map((n) => n.status)).toEqual(record.nodes.map(() => "completed"));
    expect(record.nodes.map((n) => n.name)).toEqual(
      expect.arrayContaining(["generate_stream", "train_candidate@4", "train_candidate@32", "build_report"]),
    );
    const m = record.metrics;
    expect(m.model_rmse).toBeLessThan(m.baseline_rmse * 0.97);
    for (const f of [4, 8, 16, 32]) expect(m[`candidate_rmse_${f}`]).toBeGreaterThan(0);
    expect(m.best_candidate_rmse).toBe(Math.min(...[4, 8, 16, 32].map((f) => m[`candidate_rmse_${f}`])));
    expect(m.train_rmse).toBeGreaterThan(0); // logMetric from inside the node
    expect(Object.keys(m).some((k) => k.endsWith("lines_malformed") && m[k] > 0)).toBe(true);
    const report = readJson(join(dir, "data/08_reporting/report.json"));
    expect(report.improvement_pct).toBeGreaterThan(3);
    expect(report.model.test_rmse).toBe(m.model_rmse);
    expect(readdirSync(join(dir, "data/06_models/model.bin"))).toHaveLength(1); // one version
    expect(out).toMatch(/RMSE: baseline [\d.]+ -> matrix factorisation [\d.]+/);
    results[executor] = record;
  });

  it("gives identical metrics for the same random_state under both executors", () => {
    const [seq, par] = [results.sequential, results.parallel];
    if (!seq || !par) throw new Error("the executor runs above failed");
    const pick = (m: Record<string, number>) =>
      Object.fromEntries(Object.entries(m).filter(([k]) => /rmse|lines_/.test(k)));
    expect(pick(par.metrics)).toEqual(pick(seq.metrics));
  });

  it("keeps an unchanged run from train_and_evaluate cached, and reruns it for another random_state", () => {
    const dir = copySample("movie-recommendation");
    const first = run(dir, ["--params", SMALL]);
    expect(first.code, first.out).toBe(0);
    // Nothing changed: both selected nodes are up to date, and their metrics are logged again.
    const again = run(dir, ["--from-nodes", "train_and_evaluate", "--params", SMALL]);
    expect(again.code, again.out).toBe(0);
    expect(again.record.nodes.map((n) => [n.name, n.status]).sort()).toEqual([
      ["build_report", "cached"],
      ["train_and_evaluate", "cached"],
    ]);
    expect(again.record.metrics.model_rmse).toBe(first.record.metrics.model_rmse);
    expect(readdirSync(join(dir, "data/06_models/model.bin"))).toHaveLength(1); // cached: no new version
    const other = run(dir, ["--from-nodes", "train_and_evaluate", "--params", `${SMALL},random_state=7`]);
    expect(other.code, other.out).toBe(0);
    expect(other.record.nodes.map((n) => [n.name, n.status]).sort()).toEqual([
      ["build_report", "completed"],
      ["train_and_evaluate", "completed"],
    ]);
    expect(other.record.metrics.model_rmse).not.toBe(first.record.metrics.model_rmse);
    expect(readdirSync(join(dir, "data/06_models/model.bin"))).toHaveLength(2); // versioned: a new one per run
  });
});

describe("iris sample", () => {
  it.each(EXECUTORS)("reaches accuracy >= 0.9 with --executor %s", (executor) => {
    const dir = copySample("iris");
    const { code, out, record } = run(dir, ["--executor", executor]);
    expect(code, out).toBe(0);
    expect(record.status).toBe("success");
    expect(record.metrics.accuracy).toBeGreaterThanOrEqual(0.9);
    const evaluation = readJson(join(dir, "data/08_reporting/evaluation.json"));
    expect(evaluation).toMatchObject({ accuracy: record.metrics.accuracy, test_rows: 30 });
    expect(readdirSync(join(dir, "data/06_models/classifier.json"))).toHaveLength(1);
  });
});
