// A deterministic stand-in for the walkthrough's Kafka topic: users watch movies (one request
// line per watched minute chunk) and sometimes rate them. Ratings come from a latent-factor
// model (global mean + user/movie biases + user . movie factors + noise), so a matrix
// factorisation can recover structure a bias-only baseline cannot. Like a real at-least-once
// stream, a few lines are malformed and some are delivered twice: cleaning matters.
import { cumulative, gaussian, mulberry32, pick, randInt, type Rng } from "./prng.js";

/** `params:generator` from conf/base/parameters.yml. */
export interface GeneratorParams {
  seed: number;
  events: number;
  users: number;
  movies: number;
  latent_factors: number;
  noise: number;
  rating_probability: number;
  malformed_rate: number;
  duplicate_rate: number;
  start_time: string;
}

/** Defaults for any key params:generator leaves out (the same values as parameters.yml). */
export const DEFAULT_GENERATOR: GeneratorParams = {
  seed: 42,
  events: 200_000,
  users: 1500,
  movies: 400,
  latent_factors: 6,
  noise: 0.45,
  rating_probability: 0.75,
  malformed_rate: 0.01,
  duplicate_rate: 0.03,
  start_time: "2026-01-01T00:00:00Z",
};

interface World {
  readonly k: number;
  readonly userBias: Float64Array;
  readonly movieBias: Float64Array;
  readonly userF: Float64Array;
  readonly movieF: Float64Array;
  readonly runtime: Int32Array;
  readonly userCum: Float64Array;
  readonly movieCum: Float64Array;
}

/** The hidden truth the stream is drawn from. */
function makeWorld(p: GeneratorParams, rng: Rng): World {
  const k = p.latent_factors;
  const scale = 1 / Math.sqrt(Math.sqrt(k)); // keeps the dot product's spread ~1 for any k
  const vec = (n: number, s: number) => Float64Array.from({ length: n }, () => gaussian(rng) * s);
  const activity = Float64Array.from({ length: p.users }, () => Math.exp(gaussian(rng) * 0.8));
  const popularity = Float64Array.from({ length: p.movies }, (_, i) => 1 / Math.pow(i + 5, 0.8));
  return {
    k,
    userBias: vec(p.users, 0.35),
    movieBias: vec(p.movies, 0.45),
    userF: vec(p.users * k, scale),
    movieF: vec(p.movies * k, scale),
    runtime: Int32Array.from({ length: p.movies }, () => randInt(rng, 80, 180)),
    userCum: cumulative(activity),
    movieCum: cumulative(popularity),
  };
}

function affinity(w: World, u: number, m: number): number {
  let dot = 0;
  for (let f = 0; f < w.k; f++) dot += w.userF[u * w.k + f] * w.movieF[m * w.k + f];
  return w.userBias[u] + w.movieBias[m] + dot;
}

/** The lines of one user watching (and maybe rating) one movie. */
function interactionLines(w: World, p: GeneratorParams, rng: Rng, u: number, m: number): string[] {
  // How much of a movie someone watches follows how much they liked this viewing (affinity plus
  // today's noise), so minutes carry signal that latent factors alone cannot recover.
  const liking = affinity(w, u, m) + gaussian(rng) * p.noise;
  const watched = 1 / (1 + Math.exp(-(0.8 * liking + 0.6 * gaussian(rng) + 0.3)));
  const lastMinute = Math.max(1, Math.round(watched * w.runtime[m]));
  const chunks = 1 + Math.floor(watched * 4);
  const userId = 1000 + u;
  const movieId = 1 + m;
  const lines: string[] = [];
  for (let c = 1; c <= chunks; c++) {
    lines.push(`${userId},GET /data/m/${movieId}/${Math.max(1, Math.round((lastMinute * c) / chunks))}.mpg`);
  }
  if (rng() < p.rating_probability) {
    const r = Math.min(5, Math.max(1, Math.round(3.6 + liking)));
    lines.push(`${userId},GET /rate/${movieId}=${r}`);
  }
  return lines;
}

/** A line the cleaner must reject: truncated, out of range, non-numeric or garbage. */
function malformed(line: string, rng: Rng): string {
  switch (Math.floor(rng() * 6)) {
    case 0:
      return line.slice(0, Math.max(1, Math.floor(line.length * rng())));
    case 1:
      return line.replace(/=\d$/, "=9").replace(/\/\d+\.mpg$/, "/-3.mpg");
    case 2:
      return line.replace(/,(\d+),/, ",user$1,");
    case 3:
      return line.replace(/^\d{4}-\d\d-\d\d/, "2026-13-45");
    case 4:
      return "";
    default:
      return line.replace("GET /", "POST /");
  }
}

/** Generates the raw stream: `params.events` lines, one string (newline-terminated). */
export function generateStream(params: Partial<GeneratorParams> = {}): string {
  const p = { ...DEFAULT_GENERATOR, ...params };
  const rng = mulberry32(p.seed);
  const world = makeWorld(p, rng);
  let t = Date.parse(p.start_time);
  const out: string[] = [];
  while (out.length < p.events) {
    const u = pick(world.userCum, rng);
    const m = pick(world.movieCum, rng);
    for (const body of interactionLines(world, p, rng, u, m)) {
      t += randInt(rng, 0, 3000);
      let line = `${new Date(t).toISOString()},${body}`;
      if (rng() < p.malformed_rate) line = malformed(line, rng);
      out.push(line);
      if (rng() < p.duplicate_rate) out.push(line);
    }
  }
  out.length = p.events;
  return out.join("\n") + "\n";
}

/** Node `generate_stream`: the raw Kafka log for `data/01_raw/kafka_stream.txt`. */
export function generateStreamNode(params: Partial<GeneratorParams>): string {
  return generateStream(params);
}
