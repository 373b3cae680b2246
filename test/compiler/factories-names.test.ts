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
});
