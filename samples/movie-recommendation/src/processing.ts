// Data engineering nodes: parse the raw stream, drop what is malformed or delivered twice,
// aggregate per (user, movie), and turn minutes watched into a comparable 0..1 signal.

/** Parsed stream events, column-wise in typed arrays (cheap to hand to a worker thread). */
export interface StreamEvents {
  time: Float64Array;
  user: Int32Array;
  movie: Int32Array;
  /** 0 = watched a minute chunk, 1 = rating. */
  kind: Uint8Array;
  /** The minute for kind 0, the stars (1-5) for kind 1. */
  value: Int32Array;
}

/** What cleaning found; logged as MLflow metrics (`stream_quality`). */
export interface StreamQuality {
  lines_total: number;
  lines_malformed: number;
  lines_duplicate: number;
  watch_events: number;
  rating_events: number;
}

/** One row of `interactions` (data/03_primary): rating 0 means "watched, not rated". */
export interface Interaction {
  user_id: number;
  movie_id: number;
  rating: number;
  minutes: number;
}

/** One row of `model_input`: a rating with the share of the movie the user watched. */
export interface RatingRow {
  user_id: number;
  movie_id: number;
  rating: number;
  watched: number;
}

const LINE =
  /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z),(\d{1,9}),GET \/(?:data\/m\/(\d{1,9})\/(\d{1,4})\.mpg|rate\/(\d{1,9})=([1-5]))$/;

/** One stream line parsed, or null when it is malformed. */
export function parseLine(
  line: string,
): { time: number; user: number; movie: number; kind: 0 | 1; value: number } | null {
  const m = LINE.exec(line.trim());
  const time = m ? Date.parse(m[1]) : NaN;
  if (!m || Number.isNaN(time)) return null;
  const rating = m[5] !== undefined;
  return {
    time,
    user: Number(m[2]),
    movie: Number(rating ? m[5] : m[3]),
    kind: rating ? 1 : 0,
    value: Number(rating ? m[6] : m[4]),
  };
}

/** Node `process_kafka`: parse, drop malformed lines, drop duplicate deliveries. */
export function processKafka(raw: string): { events: StreamEvents; quality: StreamQuality } {
  const lines = raw.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const seen = new Set<string>();
  const cols = {
    time: [] as number[],
    user: [] as number[],
    movie: [] as number[],
    kind: [] as number[],
    value: [] as number[],
  };
  let malformed = 0;
  let duplicate = 0;
  for (const line of lines) {
    const e = parseLine(line);
    if (!e) malformed++;
    else if (seen.has(line)) duplicate++;
    else {
      seen.add(line);
      for (const key of ["time", "user", "movie", "kind", "value"] as const) cols[key].push(e[key]);
    }
  }
  const ratings = cols.kind.reduce((s, k) => s + k, 0);
  return {
    events: {
      time: Float64Array.from(cols.time),
      user: Int32Array.from(cols.user),
      movie: Int32Array.from(cols.movie),
      kind: Uint8Array.from(cols.kind),
      value: Int32Array.from(cols.value),
    },
    quality: {
      lines_total: lines.length,
      lines_malformed: malformed,
      lines_duplicate: duplicate,
      watch_events: cols.kind.length - ratings,
      rating_events: ratings,
    },
  };
}

/** Node `aggregate_ratings`: one row per (user, movie): latest rating, furthest minute watched. */
export function aggregateRatings(events: StreamEvents): Interaction[] {
  const byPair = new Map<number, { rating: number; ratedAt: number; minutes: number }>();
  for (let i = 0; i < events.user.length; i++) {
    const key = events.user[i] * 1e9 + events.movie[i];
    let agg = byPair.get(key);
    if (!agg) byPair.set(key, (agg = { rating: 0, ratedAt: -Infinity, minutes: 0 }));
    if (events.kind[i] === 1) {
      if (events.time[i] >= agg.ratedAt) {
        agg.rating = events.value[i];
        agg.ratedAt = events.time[i];
      }
    } else if (events.value[i] > agg.minutes) agg.minutes = events.value[i];
  }
  const keys = [...byPair.keys()].sort((a, b) => a - b);
  return keys.map((key) => {
    const agg = byPair.get(key)!;
    return { user_id: Math.floor(key / 1e9), movie_id: key % 1e9, rating: agg.rating, minutes: agg.minutes };
  });
}

/** Node `normalize_minutes`: minutes / the movie's longest observed watch, rated pairs only. */
export function normalizeMinutes(interactions: readonly Interaction[]): RatingRow[] {
  const runtime = new Map<number, number>();
  for (const r of interactions) {
    const minutes = Number(r.minutes);
    const movie = Number(r.movie_id);
    if (minutes > (runtime.get(movie) ?? 0)) runtime.set(movie, minutes);
  }
  const out: RatingRow[] = [];
  for (const r of interactions) {
    const rating = Number(r.rating);
    if (!(rating >= 1 && rating <= 5)) continue;
    const full = runtime.get(Number(r.movie_id)) ?? 0;
    const watched = full > 0 ? Number(r.minutes) / full : 0;
    out.push({
      user_id: Number(r.user_id),
      movie_id: Number(r.movie_id),
      rating,
      watched: Math.round(watched * 1e4) / 1e4,
    });
  }
  return out;
}
