// Matrix expansion: cartesian product order, member names, sanitising.
import { describe, expect, it } from "vitest";
import { matrixMembers, sanitizeMatrixValue } from "../../compiler/matrix.js";

describe("matrixMembers", () => {
  it("takes the cartesian product in key order, first key varying slowest", () => {
    const m = matrixMembers({ factors: [8, 32], lr: [0.1, 0.01] });
    expect(m.map((x) => x.suffix)).toEqual(["@8-0.1", "@8-0.01", "@32-0.1", "@32-0.01"]);
    expect(m[1].vars).toEqual({ factors: 8, lr: 0.01 });
  });

  it("keeps the key order as written, not sorted", () => {
    expect(matrixMembers({ z: ["a"], a: ["b"] })[0].suffix).toBe("@a-b");
  });

  it("treats a scalar as one value and an empty list as no members", () => {
    expect(matrixMembers({ k: 3 as unknown as unknown[] }).map((x) => x.suffix)).toEqual(["@3"]);
    expect(matrixMembers({ k: [1, 2], none: [] })).toEqual([]);
  });

  it("sanitises values to the node-name charset", () => {
    expect(sanitizeMatrixValue("a b/c")).toBe("a_b_c");
    expect(sanitizeMatrixValue(true)).toBe("true");
    expect(sanitizeMatrixValue("")).toBe("_");
    expect(matrixMembers({ model: ["xgb:v1", "lin reg"] }).map((x) => x.suffix)).toEqual(["@xgb_v1", "@lin_reg"]);
  });
});
