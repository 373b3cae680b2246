// Data science nodes: the bias baseline, the matrix factorisation model, the model_selection
// candidates (one per factor size, expanded by `matrix:`) and the choice of the best one.
import { logMetric } from "mlc-pipelines";
import { fitBaseline, rmse, toArrays, trainMF, trainTestSplit, type MFModel, type MFParams } from "./mf.js";
import type { RatingRow } from "./processing.js";

/** What a trained model scored; plain data for the reports. */
export interface ModelSummary {
  model: string;
  factors: number;
  train_rmse: number;
  test_rmse: number;
  train_ratings: number;
  test_ratings: number;
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

function split(rows: readonly RatingRow[], testSize: number, randomState: number) {
  if (!(testSize > 0 && testSize < 1)) throw new Error(`test_size must be between 0 and 1, got ${testSize}`);
  if (rows.length < 10) throw new Error(`model_input has only ${rows.length} ratings: generate more events`);
  return trainTestSplit(toArrays(rows), testSize, randomState);
}

function summarize(
  name: string,
  model: MFModel,
  train: ReturnType<typeof split>["train"],
  test: ReturnType<typeof split>["test"],
): ModelSummary {
  return {
    model: name,
    factors: model.factors,
    train_rmse: round(rmse(model, train)),
    test_rmse: round(rmse(model, test)),
    train_ratings: train.rating.length,
    test_ratings: test.rating.length,
  };
}

/** Node `evaluate_baseline`: global mean + user bias + movie bias, scored on the test split. */
export function evaluateBaseline(rows: RatingRow[], testSize: number, randomState: number): [number, ModelSummary] {
  const { train, test } = split(rows, testSize, randomState);
  const summary = summarize("bias_baseline", fitBaseline(train), train, test);
  return [summary.test_rmse, summary];
}

/** Node `train_and_evaluate`: matrix factorisation; returns {rmse, model, summary}. */
export function trainAndEvaluate(
  rows: RatingRow[],
  testSize: number,
  randomState: number,
  params: MFParams,
): { rmse: number; model: MFModel; summary: ModelSummary } {
  const { train, test } = split(rows, testSize, randomState);
  const model = trainMF(train, params, randomState);
  const summary = summarize("matrix_factorisation", model, train, test);
  logMetric("train_rmse", summary.train_rmse);
  return { rmse: summary.test_rmse, model, summary };
}

/** Node `train_candidate` (one per `matrix.factors`): returns [test RMSE, summary]. */
export function trainCandidate(
  rows: RatingRow[],
  testSize: number,
  randomState: number,
  params: MFParams,
): [number, ModelSummary] {
  const { train, test } = split(rows, testSize, randomState);
  const summary = summarize(`mf_${params.factors}`, trainMF(train, params, randomState), train, test);
  return [summary.test_rmse, summary];
}

/** Node `select_best`: the candidate with the lowest test RMSE (ties: fewer factors). */
export function selectBest(
  ...candidates: ModelSummary[]
): [{ best: ModelSummary; candidates: ModelSummary[] }, number] {
  if (candidates.length === 0) throw new Error("select_best needs at least one candidate");
  const sorted = [...candidates].sort((a, b) => a.test_rmse - b.test_rmse || a.factors - b.factors);
  const best = sorted[0];
  logMetric("best_factors", best.factors);
  return [{ best, candidates: [...candidates].sort((a, b) => a.factors - b.factors) }, best.test_rmse];
}
