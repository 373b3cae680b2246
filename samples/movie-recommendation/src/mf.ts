// The recommender's maths on typed arrays: a seeded train/test split, a bias baseline
// (global mean + user bias + movie bias) and matrix factorisation trained by SGD
// (Funk-SVD with biases, plus a learned weight on the share of the movie watched).
import { gaussian, mulberry32, permutation } from "./prng.js";
import type { RatingRow } from "./processing.js";

/** Ratings column-wise. */
export interface RatingArrays {
  user: Int32Array;
  movie: Int32Array;
  rating: Float64Array;
  watched: Float64Array;
}

/** Hyperparameters of one matrix factorisation model. */
export interface MFParams {
  factors: number;
  epochs: number;
  learning_rate: number;
  regularization: number;
  /** Multiplies the learning rate after every epoch. */
  decay?: number;
}

/** A trained model: plain data (typed arrays), so it saves as `binary` and crosses threads. */
export interface MFModel {
  kind: "matrix_factorisation" | "bias_baseline";
  factors: number;
  globalMean: number;
  watchedWeight: number;
  userIds: Int32Array;
  movieIds: Int32Array;
  userBias: Float64Array;
  movieBias: Float64Array;
  userFactors: Float64Array;
  movieFactors: Float64Array;
}

/** Rows (as loaded from CSV) to column arrays. */
export function toArrays(rows: readonly RatingRow[]): RatingArrays {
  const n = rows.length;
  const a: RatingArrays = {
    user: new Int32Array(n),
    movie: new Int32Array(n),
    rating: new Float64Array(n),
    watched: new Float64Array(n),
  };
  rows.forEach((r, i) => {
    a.user[i] = Number(r.user_id);
    a.movie[i] = Number(r.movie_id);
    a.rating[i] = Number(r.rating);
    a.watched[i] = Number(r.watched);
  });
  return a;
}

function subset(a: RatingArrays, idx: Int32Array): RatingArrays {
  const pickF = (src: Float64Array) => Float64Array.from(idx, (i) => src[i]);
  const pickI = (src: Int32Array) => Int32Array.from(idx, (i) => src[i]);
  return { user: pickI(a.user), movie: pickI(a.movie), rating: pickF(a.rating), watched: pickF(a.watched) };
}

/** A seeded shuffle split: the first `testSize` share of a permutation is the test set. */
export function trainTestSplit(
  a: RatingArrays,
  testSize: number,
  seed: number,
): { train: RatingArrays; test: RatingArrays } {
  const perm = permutation(a.user.length, mulberry32(seed));
  const nTest = Math.round(a.user.length * testSize);
  return { test: subset(a, perm.subarray(0, nTest)), train: subset(a, perm.subarray(nTest)) };
}

function indexOf(ids: Int32Array): { ids: Int32Array; index: Map<number, number>; dense: Int32Array } {
  const unique = Int32Array.from(new Set(ids)).sort();
  const index = new Map<number, number>();
  unique.forEach((id, i) => index.set(id, i));
  return { ids: unique, index, dense: Int32Array.from(ids, (id) => index.get(id)!) };
}

function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : 0;
}

/** Bias baseline: alternating regularised means of the residuals (a few sweeps converge). */
export function fitBaseline(train: RatingArrays, reg = 5, sweeps = 8): MFModel {
  const users = indexOf(train.user);
  const movies = indexOf(train.movie);
  const mu = mean(train.rating);
  const bu = new Float64Array(users.ids.length);
  const bm = new Float64Array(movies.ids.length);
  for (let s = 0; s < sweeps; s++) {
    fitBiases(users.dense, movies.dense, train.rating, mu, bm, bu, reg);
    fitBiases(movies.dense, users.dense, train.rating, mu, bu, bm, reg);
  }
  return {
    kind: "bias_baseline",
    factors: 0,
    globalMean: mu,
    watchedWeight: 0,
    userIds: users.ids,
    movieIds: movies.ids,
    userBias: bu,
    movieBias: bm,
    userFactors: new Float64Array(0),
    movieFactors: new Float64Array(0),
  };
}

function fitBiases(
  own: Int32Array,
  other: Int32Array,
  r: Float64Array,
  mu: number,
  otherBias: Float64Array,
  out: Float64Array,
  reg: number,
): void {
  const sum = new Float64Array(out.length);
  const cnt = new Float64Array(out.length);
  for (let i = 0; i < r.length; i++) {
    sum[own[i]] += r[i] - mu - otherBias[other[i]];
    cnt[own[i]]++;
  }
  for (let j = 0; j < out.length; j++) out[j] = sum[j] / (cnt[j] + reg);
}

/** The parameters SGD updates in place. */
interface SgdState {
  readonly k: number;
  readonly mu: number;
  readonly P: Float64Array;
  readonly Q: Float64Array;
  readonly bu: Float64Array;
  readonly bm: Float64Array;
  w: number;
}

/** One pass over the training ratings in `order`; typed arrays and flat loops keep it fast. */
function sgdEpoch(
  s: SgdState,
  users: Int32Array,
  movies: Int32Array,
  train: RatingArrays,
  order: Int32Array,
  lr: number,
  reg: number,
): void {
  const { k, mu, P, Q, bu, bm } = s;
  const { rating, watched } = train;
  let w = s.w;
  for (let n = 0; n < order.length; n++) {
    const i = order[n];
    const uu = users[i];
    const mm = movies[i];
    const u = uu * k;
    const m = mm * k;
    let dot = 0;
    for (let f = 0; f < k; f++) dot += P[u + f] * Q[m + f];
    const e = rating[i] - (mu + bu[uu] + bm[mm] + w * watched[i] + dot);
    bu[uu] += lr * (e - reg * bu[uu]);
    bm[mm] += lr * (e - reg * bm[mm]);
    w += lr * 0.1 * e * watched[i];
    for (let f = 0; f < k; f++) {
      const pu = P[u + f];
      const qm = Q[m + f];
      P[u + f] += lr * (e * qm - reg * pu);
      Q[m + f] += lr * (e * pu - reg * qm);
    }
  }
  s.w = w;
}

/** Matrix factorisation by SGD, starting from the baseline's biases; `seed` drives the initial factors and the visiting order. */
export function trainMF(train: RatingArrays, p: MFParams, seed: number): MFModel {
  const rng = mulberry32(seed ^ 0x9e3779b9);
  const k = p.factors;
  const base = fitBaseline(train);
  const users = indexOf(train.user);
  const movies = indexOf(train.movie);
  const s: SgdState = {
    k,
    mu: base.globalMean,
    P: Float64Array.from({ length: users.ids.length * k }, () => gaussian(rng) * 0.1),
    Q: Float64Array.from({ length: movies.ids.length * k }, () => gaussian(rng) * 0.1),
    bu: base.userBias.slice(),
    bm: base.movieBias.slice(),
    w: 0,
  };
  const order = permutation(train.rating.length, rng);
  let lr = p.learning_rate;
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    sgdEpoch(s, users.dense, movies.dense, train, order, lr, p.regularization);
    lr *= p.decay ?? 0.95;
  }
  return {
    kind: "matrix_factorisation",
    factors: k,
    globalMean: s.mu,
    watchedWeight: s.w,
    userIds: users.ids,
    movieIds: movies.ids,
    userBias: s.bu,
    movieBias: s.bm,
    userFactors: s.P,
    movieFactors: s.Q,
  };
}

/** Predicted ratings, clipped to 1..5; unknown users or movies fall back to what is known. */
export function predict(model: MFModel, data: RatingArrays): Float64Array {
  const uIdx = new Map<number, number>();
  model.userIds.forEach((id, i) => uIdx.set(id, i));
  const mIdx = new Map<number, number>();
  model.movieIds.forEach((id, i) => mIdx.set(id, i));
  const k = model.factors;
  const out = new Float64Array(data.rating.length);
  for (let i = 0; i < out.length; i++) {
    const u = uIdx.get(data.user[i]);
    const m = mIdx.get(data.movie[i]);
    let y = model.globalMean + model.watchedWeight * data.watched[i];
    if (u !== undefined) y += model.userBias[u];
    if (m !== undefined) y += model.movieBias[m];
    if (u !== undefined && m !== undefined)
      for (let f = 0; f < k; f++) y += model.userFactors[u * k + f] * model.movieFactors[m * k + f];
    out[i] = Math.min(5, Math.max(1, y));
  }
  return out;
}

/** Root mean squared error of `model` on `data`. */
export function rmse(model: MFModel, data: RatingArrays): number {
  const y = predict(model, data);
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (y[i] - data.rating[i]) ** 2;
  return y.length ? Math.sqrt(s / y.length) : NaN;
}
