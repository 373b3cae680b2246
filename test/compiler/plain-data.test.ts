// The one deep merge (config layering, --params over parameters in resolve, `mlc run --resume`'s
// runtime parameters): maps merge, everything else replaces, and a "__proto__" key stays data.
import { describe, expect, it } from "vitest";
import { CompileContext } from "../../compiler/diagnostics.js";
import { deepMerge } from "../../compiler/plain-data.js";
import { resolve } from "../../compiler/resolve.js";
import { config } from "./helpers.js";

/** What `--params __proto__.polluted=1` and YAML's `__proto__:` key give: an own "__proto__" property. */
const hostile = () =>
  JSON.parse('{"__proto__": {"polluted": 1}, "a": {"__proto__": {"deep": 2}}}') as Record<string, unknown>;

function expectPlain(o: Record<string, unknown>): void {
  expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
  expect(Object.getOwnPropertyDescriptor(o, "__proto__")?.value).toEqual({ polluted: 1 });
  expect(Object.getPrototypeOf(o.a)).toBe(Object.prototype);
  expect((o as { polluted?: unknown }).polluted).toBeUndefined();
  expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
}

describe("deepMerge", () => {
  it("merges maps, replaces lists and scalars, leaves both inputs untouched", () => {
    const base = { m: { lr: 0.1, opt: { name: "adam", beta: 0.9 } }, list: [1, 2], s: "x" };
    const over = { m: { opt: { beta: 0.5 } }, list: [3], s: { now: "map" } };
    expect(deepMerge(base, over)).toEqual({
      m: { lr: 0.1, opt: { name: "adam", beta: 0.5 } },
      list: [3],
      s: { now: "map" },
    });
    expect(base.m.opt.beta).toBe(0.9);
  });

  it("keeps __proto__ keys as plain data on either side, at any depth", () => {
    expectPlain(deepMerge({}, hostile()));
    expectPlain(deepMerge(hostile(), { a: { b: 1 } }));
    expect(Object.getOwnPropertyDescriptor(deepMerge(hostile(), hostile()).a as object, "__proto__")?.value).toEqual({
      deep: 2,
    });
  });

  it("merges 10,000 levels deep without overflowing the stack", () => {
    const deep = (n: number, leaf: unknown) => {
      let o: Record<string, unknown> = { leaf };
      for (let i = 0; i < n; i++) o = { k: o };
      return o;
    };
    let cur = deepMerge(deep(10_000, 1), deep(10_000, 2)) as Record<string, unknown>;
    for (let i = 0; i < 10_000; i++) cur = cur.k as Record<string, unknown>;
    expect(cur).toEqual({ leaf: 2 });
  });

  it("is what resolve uses for --params over parameters.yml: __proto__ cannot pollute the parameters", async () => {
    const ctx = new CompileContext("/tmp");
    const out = await resolve([], {}, config({}, { a: { b: 1 } }), { root: "/tmp", runtimeParams: hostile() }, ctx);
    expectPlain(out.parameters as Record<string, unknown>);
    expect((out.parameters.a as Record<string, unknown>).b).toBe(1);
  });
});
