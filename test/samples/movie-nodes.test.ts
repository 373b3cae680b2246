// The movie sample's node functions as plain functions (logMetric is a no-op outside a run).
import { describe, expect, it } from "vitest";
import { generateStream } from "../../samples/movie-recommendation/src/generate.js";
import { aggregateRatings, normalizeMinutes, processKafka } from "../../samples/movie-recommendation/src/processing.js";
import {
  evaluateBaseline,
  selectBest,
  trainAndEvaluate,
  trainCandidate,
  type ModelSummary,
} from "../../samples/movie-recommendation/src/training.js";
import { buildReport } from "../../samples/movie-recommendation/src/reporting.js";

const rows = normalizeMinutes(aggregateRatings(processKafka(generateStream({ events: 20_000 })).events));
const MODEL = { factors: 8, epochs: 60, learning_rate: 0.01, decay: 0.99, regularization: 0.05 };

function summary(model: string, factors: number, test_rmse: number): ModelSummary {
  return { model, factors, train_rmse: 0, test_rmse, train_ratings: 80, test_ratings: 20 };
}

describe("movie sample nodes", () => {
  it("train_and_evaluate returns {rmse, model, summary} with a model of typed arrays", () => {
    const out = trainAndEvaluate(rows, 0.2, 42, MODEL);
    expect(Object.keys(out).sort()).toEqual(["model", "rmse", "summary"]);
    expect(out.rmse).toBe(out.summary.test_rmse);
    expect(out.model.userFactors).toBeInstanceOf(Float64Array);
    expect(out.model.userFactors.length).toBe(out.model.userIds.length * 8);
    expect(structuredClone(out.model)).toEqual(out.model); // crosses worker threads intact
    const [baseline] = evaluateBaseline(rows, 0.2, 42);
    expect(out.rmse).toBeLessThan(baseline * 0.97);
  });

  it("train_candidate is the same model as train_and_evaluate for the same parameters", () => {
    const [rmse, s] = trainCandidate(rows, 0.2, 42, MODEL);
    expect(rmse).toBe(trainAndEvaluate(rows, 0.2, 42, MODEL).rmse);
    expect(s).toMatchObject({ model: "mf_8", factors: 8 });
  });

  it("rejects a bad test_size with a clear message", () => {
    expect(() => evaluateBaseline(rows, 1.5, 42)).toThrow(/test_size must be between 0 and 1/);
  });

  it("select_best picks the lowest test RMSE, fewer factors on a tie", () => {
    const [sel, best] = selectBest(summary("mf_16", 16, 0.7), summary("mf_4", 4, 0.8), summary("mf_8", 8, 0.7));
    expect(best).toBe(0.7);
    expect(sel.best.model).toBe("mf_8");
    expect(sel.candidates.map((c) => c.factors)).toEqual([4, 8, 16]);
  });

  it("build_report states the improvement over the baseline", () => {
    const best = summary("mf_8", 8, 0.7);
    const report = buildReport({
      baseline: summary("bias_baseline", 0, 1),
      model: summary("matrix_factorisation", 16, 0.75),
      selection: { best, candidates: [best] },
    });
    expect(report.improvement_pct).toBe(25);
  });
});
