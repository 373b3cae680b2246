// The parameter shapes validate checks node inputs against (MLC3008), read from real functions.
import { describe, expect, it } from "vitest";
import { arityProblem, paramShape } from "../../modules/function-params.js";

/* eslint-disable @typescript-eslint/no-unused-vars */
describe("paramShape", () => {
  it.each([
    ["plain", function (a: number, b: number) {}, { required: 2, optional: 0, rest: false }],
    ["defaults", function (a: number, b = 1, c = 2) {}, { required: 1, optional: 2, rest: false }],
    ["plain after default", function (a = 1, b: number) {}, { required: 2, optional: 0, rest: false }],
    ["rest", (a: number, ...xs: number[]) => 0, { required: 1, optional: 0, rest: true }],
    ["one bare arrow param", (a: number) => a, { required: 1, optional: 0, rest: false }],
    ["destructured", ({ a }: { a: number }, [b]: number[]) => a + b, { required: 2, optional: 0, rest: false }],
    ["async", async function (a: number) {}, { required: 1, optional: 0, rest: false }],
    ["method", { m(a: number, b = 2) {} }.m, { required: 1, optional: 1, rest: false }],
    ["none", () => 1, { required: 0, optional: 0, rest: false }],
  ])("reads %s", (_label, fn, shape) => {
    expect(paramShape(fn as (...a: never[]) => unknown)).toEqual(shape);
  });

  it("gives up on functions without readable source", () => {
    expect(paramShape(Math.max)).toBeNull();
    expect(paramShape(function (a: number) {}.bind(null))).toBeNull();
  });
});

describe("arityProblem", () => {
  const shape = { required: 1, optional: 1, rest: false };
  it("accepts counts between required and all parameters", () => {
    expect(arityProblem(1, shape)).toBeNull();
    expect(arityProblem(2, shape)).toBeNull();
  });
  it("names both bounds when a count falls outside", () => {
    expect(arityProblem(0, shape)).toBe("needs 1 to 2 parameters but the node passes 0");
    expect(arityProblem(3, shape)).toBe("takes 1 to 2 parameters but the node passes 3");
    expect(arityProblem(9, { required: 1, optional: 0, rest: true })).toBeNull();
  });
});
