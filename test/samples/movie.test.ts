// The movie sample's ML code, tested directly (no runner): generator, cleaning, baseline, MF.
import { describe, expect, it } from "vitest";
import { generateStream } from "../../samples/movie-recommendation/src/generate.js";
import { aggregateRatings, normalizeMinutes, processKafka } from "../../samples/movie-recommendation/src/processing.js";
import { fitBaseline, rmse, toArrays, trainMF, trainTestSplit } from "../../samples/movie-recommendation/src/mf.js";

const SMALL = { events: 20_000 };
const MODEL = { factors: 16, epochs: 150, learning_rate: 0.01, decay: 0.99, regularization: 0.05 };

function modelInput(events = SMALL.events) {
  const { events: parsed } = processKafka(generateStream({ events }));
  return normalizeMinutes(aggregateRatings(parsed));
}

describe("generate_stream", () => {
  it("is deterministic for a seed and changes with the seed", () => {
    const a = generateStream({ events: 2000, seed: 7 });
    expect(generateStream({ events: 2000, seed: 7 })).toBe(a);
    expect(generateStream({ events: 2000, seed: 8 })).not.toBe(a);
  });

  it("writes exactly `events` lines in the Kafka log format", () => {
    const lines = generateStream({ events: 5000 }).trimEnd().split("\n");
    expect(lines).toHaveLength(5000);
    const watch = lines.filter((l) => /^\d{4}-\d\d-\d\dT[\d:.]+Z,\d+,GET \/data\/m\/\d+\/\d+\.mpg$/.test(l));
    const rate = lines.filter((l) => /^\d{4}-\d\d-\d\dT[\d:.]+Z,\d+,GET \/rate\/\d+=[1-5]$/.test(l));
    expect(watch.length).toBeGreaterThan(2500);
    expect(rate.length).toBeGreaterThan(500);
    expect(watch.length + rate.length).toBeLessThan(5000); // some lines are malformed
  });
});

describe("process_kafka", () => {
  it("drops malformed lines and duplicate deliveries, and counts them", () => {
    const t = "2026-01-01T00:00:00.000Z";
    const raw = [
      `${t},1001,GET /data/m/5/10.mpg`,
      `${t},1001,GET /data/m/5/10.mpg`, // duplicate delivery
      `${t},1001,GET /rate/5=4`,
      `${t},1001,GET /rate/5=9`, // out of range
      `${t},user1,GET /rate/5=3`, // bad user id
      `2026-13-45T00:00:00.000Z,1002,GET /rate/5=3`, // bad date
      `${t},1002,POST /rate/5=3`,
      `${t},1002,GET /data/m/`, // truncated
      "",
      `${t},1002,GET /data/m/6/-3.mpg`,
    ].join("\n");
    const { events, quality } = processKafka(raw + "\n");
    expect(quality).toEqual({
      lines_total: 10,
      lines_malformed: 7,
      lines_duplicate: 1,
      watch_events: 1,
      rating_events: 1,
    });
    expect([...events.user]).toEqual([1001, 1001]);
    expect([...events.kind]).toEqual([0, 1]);
    expect([...events.value]).toEqual([10, 4]);
  });

  it("finds the generator's malformed (~1%) and duplicate (~3%) lines", () => {
    const { quality } = processKafka(generateStream({ events: 20_000 }));
    expect(quality.lines_malformed / 20_000).toBeGreaterThan(0.005);
    expect(quality.lines_malformed / 20_000).toBeLessThan(0.02);
    expect(quality.lines_duplicate / 20_000).toBeGreaterThan(0.02);
    expect(quality.lines_duplicate / 20_000).toBeLessThan(0.04);
  });
});

describe("aggregate_ratings and normalize_minutes", () => {
  it("keeps the latest rating and the furthest minute per (user, movie)", () => {
    const t = (s: number) => `2026-01-01T00:00:0${s}.000Z`;
    const raw = [
      `${t(1)},7,GET /data/m/3/20.mpg`,
      `${t(2)},7,GET /data/m/3/90.mpg`,
      `${t(3)},7,GET /rate/3=2`,
      `${t(4)},7,GET /rate/3=5`,
      `${t(5)},8,GET /data/m/3/45.mpg`,
      `${t(6)},8,GET /data/m/4/10.mpg`,
    ].join("\n");
    const inter = aggregateRatings(processKafka(raw).events);
    expect(inter).toEqual([
      { user_id: 7, movie_id: 3, rating: 5, minutes: 90 },
      { user_id: 8, movie_id: 3, rating: 0, minutes: 45 },
      { user_id: 8, movie_id: 4, rating: 0, minutes: 10 },
    ]);
    expect(normalizeMinutes(inter)).toEqual([{ user_id: 7, movie_id: 3, rating: 5, watched: 1 }]);
  });
});

describe("train_and_evaluate maths", () => {
  const rows = modelInput();

  it("matrix factorisation beats the bias baseline by a clear margin", () => {
    const { train, test } = trainTestSplit(toArrays(rows), 0.2, 42);
    const base = rmse(fitBaseline(train), test);
    const mf = rmse(trainMF(train, MODEL, 42), test);
    expect(rows.length).toBeGreaterThan(2000);
    expect(mf).toBeLessThan(base * 0.97);
  });

  it("gives identical results for the same random_state and different ones for another", () => {
    const run = (seed: number) => {
      const { train, test } = trainTestSplit(toArrays(rows), 0.2, seed);
      return rmse(trainMF(train, { ...MODEL, epochs: 20 }, seed), test);
    };
    const a = run(42);
    expect(run(42)).toBe(a);
    expect(run(43)).not.toBe(a);
  });

  it("splits by test_size", () => {
    const { train, test } = trainTestSplit(toArrays(rows), 0.25, 1);
    expect(test.rating.length).toBe(Math.round(rows.length * 0.25));
    expect(train.rating.length + test.rating.length).toBe(rows.length);
  });
});
