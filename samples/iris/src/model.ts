// Nodes `train_model` and `evaluate_model`: multinomial logistic (softmax) regression trained by
// full-batch gradient descent on standardised features. Zero initial weights and a fixed number
// of iterations make training fully deterministic.
import type { IrisRow } from "./split.js";

/** The four measurements, in the CSV column order. */
export const FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"] as const;

/** `params:model`. */
export interface ModelParams {
  learning_rate: number;
  iterations: number;
  l2: number;
}

/** A trained classifier: plain JSON (saved by the `json` dataset inside an mlflow.artifact). */
export interface Classifier {
  classes: string[];
  mean: number[];
  std: number[];
  /** weights[c] = [bias, w_1..w_4] for class c. */
  weights: number[][];
}

function features(row: IrisRow, mean: number[], std: number[]): number[] {
  return [1, ...FEATURES.map((f, j) => (Number(row[f]) - mean[j]) / std[j])];
}

function softmax(z: number[]): number[] {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function scores(model: Classifier, x: number[]): number[] {
  return softmax(model.weights.map((w) => w.reduce((s, wj, j) => s + wj * x[j], 0)));
}

/** Node `train_model`. */
export function trainModel(rows: IrisRow[], params: ModelParams): Classifier {
  const classes = [...new Set(rows.map((r) => r.species))].sort();
  const mean = FEATURES.map((f) => rows.reduce((s, r) => s + Number(r[f]), 0) / rows.length);
  const std = FEATURES.map(
    (f, j) => Math.sqrt(rows.reduce((s, r) => s + (Number(r[f]) - mean[j]) ** 2, 0) / rows.length) || 1,
  );
  const model: Classifier = { classes, mean, std, weights: classes.map(() => new Array(FEATURES.length + 1).fill(0)) };
  const xs = rows.map((r) => features(r, mean, std));
  const ys = rows.map((r) => classes.indexOf(r.species));
  for (let it = 0; it < params.iterations; it++) {
    const grad = classes.map(() => new Array(FEATURES.length + 1).fill(0));
    xs.forEach((x, i) => {
      const p = scores(model, x);
      p.forEach((pc, c) => {
        const err = pc - (ys[i] === c ? 1 : 0);
        for (let j = 0; j < x.length; j++) grad[c][j] += err * x[j];
      });
    });
    model.weights = model.weights.map((w, c) =>
      w.map((wj, j) => wj - params.learning_rate * (grad[c][j] / xs.length + (j > 0 ? params.l2 * wj : 0))),
    );
  }
  return model;
}

/** The most probable species for each row. */
export function predict(model: Classifier, rows: IrisRow[]): string[] {
  return rows.map((r) => {
    const p = scores(model, features(r, model.mean, model.std));
    return model.classes[p.indexOf(Math.max(...p))];
  });
}

/** Node `evaluate_model`: [accuracy (an MLflow metric), a report with the confusion matrix]. */
export function evaluateModel(model: Classifier, rows: IrisRow[]): [number, Record<string, unknown>] {
  const predicted = predict(model, rows);
  const correct = predicted.filter((p, i) => p === rows[i].species).length;
  const accuracy = Math.round((correct / rows.length) * 1e6) / 1e6;
  const confusion: Record<string, Record<string, number>> = {};
  for (const actual of model.classes) confusion[actual] = Object.fromEntries(model.classes.map((c) => [c, 0]));
  predicted.forEach((p, i) => confusion[rows[i].species][p]++);
  console.log(`accuracy on ${rows.length} held-out flowers: ${(accuracy * 100).toFixed(1)}%`);
  return [accuracy, { accuracy, test_rows: rows.length, correct, confusion }];
}
