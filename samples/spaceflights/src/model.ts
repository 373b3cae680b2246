// Pipeline data_science: a seeded train/test split, ordinary least squares on the eight features,
// and r2, mean absolute error and max error on the held-out rows.
import type { Row } from "./processing.ts";

export interface ModelOptions {
  test_size: number;
  random_state: number;
  features: string[];
}

/** The fitted model: an intercept and one coefficient per feature. */
export interface Regressor {
  features: string[];
  intercept: number;
  coefficients: number[];
}

/** mulberry32: a small seeded PRNG, so `random_state` reproduces the split exactly. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const num = (v: unknown): number => (typeof v === "boolean" ? Number(v) : Number(v));

/** Node split_data_node: feature matrix and target, shuffled (Fisher-Yates) and split. */
export function splitData(rows: Row[], options: ModelOptions): [number[][], number[][], number[], number[]] {
  const { test_size: testSize, random_state: seed, features } = options;
  if (!(testSize > 0 && testSize < 1)) throw new Error(`test_size must be between 0 and 1, got ${testSize}`);
  const order = rows.map((_, i) => i);
  const rng = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const nTest = Math.ceil(rows.length * testSize);
  const x = (i: number) => features.map((f) => num(rows[i][f]));
  const y = (i: number) => num(rows[i].price);
  const test = order.slice(0, nTest);
  const train = order.slice(nTest);
  return [train.map(x), test.map(x), train.map(y), test.map(y)];
}

/** What splitTable reads of an Arrow Table (apache-arrow's `Table`): its row count and columns by name. */
export interface ColumnTable {
  readonly numRows: number;
  getChild(name: string): { get(i: number): unknown } | null;
}

/**
 * Node split_data_node of pipeline-sql.yml: splitData's split, read column by column from the
 * Arrow table the SQL node returns (a missing column is named, not read as NaN).
 */
export function splitTable(table: ColumnTable, options: ModelOptions): [number[][], number[][], number[], number[]] {
  const column = (name: string) => {
    const c = table.getChild(name);
    if (!c) throw new Error(`the model input table has no column "${name}"`);
    return c;
  };
  const names = [...options.features, "price"];
  const columns = names.map(column);
  const rows: Row[] = Array.from({ length: table.numRows }, (_, i) =>
    Object.fromEntries(names.map((n, k) => [n, columns[k].get(i)])),
  );
  return splitData(rows, options);
}

/** Solves a x = b by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    if (Math.abs(m[p][c]) < 1e-12) throw new Error("the features are linearly dependent: OLS has no unique fit");
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}

/**
 * Node train_model_node: OLS with an intercept, through the normal equations (X'X) b = X'y. A
 * feature that is constant in the training rows (moon_clearance_complete here) is collinear with
 * the intercept: it gets coefficient 0, which predicts what scikit-learn's least squares predicts.
 */
export function trainModel(xTrain: number[][], yTrain: number[], features: string[]): Regressor {
  const varying = features.map((_, f) => xTrain.some((row) => row[f] !== xTrain[0][f]));
  const kept = features.map((_, f) => f).filter((f) => varying[f]);
  const fit = ols(
    xTrain.map((row) => kept.map((f) => row[f])),
    yTrain,
  );
  const coefficients = features.map(() => 0);
  kept.forEach((f, i) => (coefficients[f] = fit[i + 1]));
  return { features, intercept: fit[0], coefficients };
}

/** [intercept, ...coefficients] of the least-squares fit of y on the columns of x. */
function ols(xTrain: number[][], yTrain: number[]): number[] {
  const width = xTrain[0].length + 1;
  const xtx = Array.from({ length: width }, () => new Array<number>(width).fill(0));
  const xty = new Array<number>(width).fill(0);
  xTrain.forEach((row, i) => {
    const r = [1, ...row];
    for (let a = 0; a < width; a++) {
      xty[a] += r[a] * yTrain[i];
      for (let b = 0; b < width; b++) xtx[a][b] += r[a] * r[b];
    }
  });
  return solve(xtx, xty);
}

/** The regressor's prediction for one feature row. */
export function predict(model: Regressor, row: number[]): number {
  return row.reduce((sum, v, i) => sum + v * model.coefficients[i], model.intercept);
}

/** Node evaluate_model_node: r2, mean absolute error and max error on the held-out rows. */
export function evaluateModel(
  model: Regressor,
  xTest: number[][],
  yTest: number[],
): { r2: number; mae: number; max_error: number } {
  const errors = xTest.map((row, i) => yTest[i] - predict(model, row));
  const mean = yTest.reduce((s, v) => s + v, 0) / yTest.length;
  const total = yTest.reduce((s, v) => s + (v - mean) ** 2, 0);
  const residual = errors.reduce((s, e) => s + e * e, 0);
  const r2 = 1 - residual / total;
  const mae = errors.reduce((s, e) => s + Math.abs(e), 0) / errors.length;
  const maxError = errors.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
  console.log(`Model has a coefficient R^2 of ${r2.toFixed(3)} on test data.`);
  return { r2, mae, max_error: maxError };
}
