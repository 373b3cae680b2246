// The parameter shapes validate checks node inputs against (MLC3008), read from real functions.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { arityProblem, paramList, paramShape, sourceShape } from "../../modules/function-params.js";

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

describe("the parameter list alone gives what the whole function parsed by acorn gives", () => {
  const TRICKY = [
    "function (a, b = `)${(1)}`, c) { return a; }",
    "(a = /\\)[(]/g, b) => a",
    "(a = 4 / 2, b = (1, 2)) => a / b",
    "(a = () => {}, { b = (1), c: [d = [2]] } = {}, ...rest) => 0",
    "(a /* ) */, // )\n b) => 0",
    "async x => x",
    "async (a, b) => { return a; }",
    "x => (y) => x + y",
    "function* g(a, ...r) { yield a; }",
    "async function* h(a = 1) {}",
    "m(a, b = 2) { return a; }",
    "async m(a) {}",
    "*gen(a) {}",
    "get v() { return 1; }",
    "set v(x) {}",
    "[f(1)](a, b) {}",
    "[`k${(2)}`](a) {}",
    '"a b"(x, y = ")") {}',
    "class A { constructor(a) {} }",
    "class extends Object {}",
    "class extends f(1) {}",
    "function max() { [native code] }",
    '(a) => { const s = "("; return ((a)); }',
  ];
  /** The shape of the list alone, as a function with an empty body, parsed whole: no fallback can hide a wrong list. */
  const listShape = (src: string) => {
    const list = paramList(src);
    return list === null ? null : sourceShape(`function ${list} {}`, true);
  };
  it.each(TRICKY)("%s", (src) => {
    const whole = sourceShape(src, true);
    expect(sourceShape(src)).toEqual(whole);
    if (whole !== null) expect(listShape(src)).toEqual(whole);
  });

  it("on every exported function of the samples", async () => {
    const samples = join(__dirname, "..", "..", "samples");
    let n = 0;
    for (const sample of readdirSync(samples)) {
      const dir = join(samples, sample, "src");
      for (const f of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
        for (const fn of Object.values(await import(join(dir, f))).filter((v) => typeof v === "function")) {
          const src = Function.prototype.toString.call(fn);
          const whole = sourceShape(src, true);
          expect(whole, src).not.toBeNull();
          expect(listShape(src), `${sample}/${f}: ${src.slice(0, 80)}`).toEqual(whole);
          n++;
        }
      }
    }
    expect(n).toBeGreaterThan(20);
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
