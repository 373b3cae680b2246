// A search reads one param without flattening all of a run's params (cli/search/view.ts flatParam):
// it must give exactly what the MLflow mirror's flattenParams gives for every key, on seeded random
// nested params with the awkward cases (a dotted key beside the same path, empty maps, arrays,
// null, prototype names), and nothing for keys flattening does not produce.
import { describe, expect, it } from "vitest";
import { flatParam, SearchView } from "../../cli/search/view.js";
import { flattenParams, paramString } from "../../tracking/mlflow/batcher.js";
import type { RunRecord } from "../../runs/record.js";

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

const NAMES = ["a", "b", "a.b", "b.a", "c", "constructor", "x.y.z", "lr"];

function params(rnd: () => number, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const n = Math.floor(rnd() * 4) + (depth === 0 ? 1 : 0);
  for (let i = 0; i < n; i++) {
    const k = NAMES[Math.floor(rnd() * NAMES.length)];
    const pick = rnd();
    if (pick < 0.35 && depth < 3) out[k] = params(rnd, depth + 1);
    else if (pick < 0.5) out[k] = pick < 0.42 ? {} : [1, "two"];
    else if (pick < 0.6) out[k] = null;
    else out[k] = pick < 0.8 ? Math.round(rnd() * 1000) / 100 : `v${i}`;
  }
  return out;
}

describe("flatParam", () => {
  it("agrees with flattenParams on every key of 2,000 random nested params", () => {
    const rnd = random(7);
    let keys = 0;
    for (let i = 0; i < 2000; i++) {
      const p = params(rnd);
      const flat = flattenParams(p, { flatten: true, recursive: true, sep: "." });
      for (const [k, v] of Object.entries(flat)) {
        expect(paramString(flatParam(p, k)), JSON.stringify({ p, k })).toBe(v);
        keys++;
      }
      for (const k of ["a.b.c.d", "nope", "a.", ".a", "toString", "__proto__"]) {
        if (!Object.hasOwn(flat, k)) expect(flatParam(p, k), JSON.stringify({ p, k })).toBeUndefined();
      }
    }
    expect(keys).toBeGreaterThan(4000);
  });

  it("SearchView.param falls back to what nodes logged, and matches SearchView.params", () => {
    const record = {
      params: { model: { factors: 8 }, "model.factors": 16, empty: {} },
      logged_params: { extra: "x", "model.factors": "logged" },
    } as unknown as RunRecord;
    const v = new SearchView(record);
    expect([v.param("model.factors"), v.param("extra"), v.param("empty"), v.param("model")]).toEqual([
      "16",
      "x",
      "{}",
      null,
    ]);
    for (const k of ["model.factors", "extra", "empty", "model", "constructor"]) {
      expect(v.param(k), k).toBe(Object.hasOwn(v.params, k) ? v.params[k] : null);
    }
  });
});
