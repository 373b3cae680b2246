// Placeholder names that are also Object.prototype members fill like any other name.
import { describe, expect, it } from "vitest";
import { matchFactory, rankFactories } from "../../compiler/factories.js";

describe("dataset factory placeholder names", () => {
  it("fills {toString}, {constructor} and {__proto__} with the matched text", () => {
    const catalog = {
      "{toString}_x": { type: "csv", filepath: "data/{toString}.csv" },
      "{constructor}-{__proto__}.y": { type: "json", filepath: "data/{constructor}/{__proto__}.json" },
    };
    const ranked = rankFactories(Object.keys(catalog));
    expect(matchFactory("abc_x", ranked, catalog)?.config).toEqual({ type: "csv", filepath: "data/abc.csv" });
    expect(matchFactory("a-b.y", ranked, catalog)?.config).toEqual({ type: "json", filepath: "data/a/b.json" });
    expect(matchFactory("nothing", ranked, catalog)).toBeNull();
  });

  it("a flat entry filled for many names: repeated and formatted placeholders, unknown ones, escapes, scalars kept", () => {
    const catalog = {
      "{a}_{b}": {
        type: "csv",
        filepath: "data/{a}/{b}/{a}.csv",
        layer: "{b:x}",
        versioned: true,
        n: 3,
        z: null,
        note: "{c} {a}",
        base_dir: "../{a}/{c}",
        out_path: "{a}/../../x",
      },
      "{p}.nested": { type: "json", load_args: { path: "{p}" } },
    };
    const ranked = rankFactories(Object.keys(catalog));
    // Expected values are what the per-string fill gave before entries were compiled once; the
    // loop checks that later calls (from the compiled entry) give fresh, equal results.
    for (let i = 0; i < 3; i++) {
      const m = matchFactory("x1_y", ranked, catalog)!;
      expect(m.config).toEqual({
        type: "csv",
        filepath: "data/x1/y/x1.csv",
        layer: "y",
        versioned: true,
        n: 3,
        z: null,
        note: "{c} x1",
        base_dir: "../x1/{c}",
        out_path: "x1/../../x",
      });
      expect(Object.keys(m.config)).toEqual(Object.keys(catalog["{a}_{b}"]));
      expect(m.unknown).toEqual(["{c}"]);
      expect(m.escaping).toEqual([]);
      m.unknown.push("changed by a caller");
      expect(matchFactory("../.._y", ranked, catalog)!.escaping).toEqual(["data/../../y/../...csv"]);
      expect(matchFactory("/abs_y", ranked, catalog)!.escaping).toEqual(["/abs/../../x"]);
      expect(matchFactory("q.nested", ranked, catalog)?.config).toEqual({ type: "json", load_args: { path: "q" } });
    }
  });
});
