// Interpolation of string scalars: typed whole-string lookups, mixed strings, Nunjucks for the
// rest, MLC3004 at the string's own path for undefined variables and bad templates.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CompileContext } from "../../compiler/diagnostics.js";
import { interpolateTree, renderString, renderValue } from "../../compiler/interpolate.js";

const vars = {
  globals: { root: "data", epochs: 10, flag: true, list: [1, 2], nested: { a: { b: "deep" } } },
  runtime: { lr: 0.5 },
};
const at = { file: "conf/base/catalog.yml", path: ["x", "filepath"] };

describe("renderValue / renderString", () => {
  it("leaves plain strings alone", () => {
    const ctx = new CompileContext("/");
    expect(renderString("data/01_raw/x.csv", vars, at, ctx)).toBe("data/01_raw/x.csv");
    expect(renderString("{name}_features", vars, at, ctx)).toBe("{name}_features");
    expect(ctx.reports).toEqual([]);
  });

  it("keeps the type of a whole-string lookup (as OmegaConf does)", () => {
    const ctx = new CompileContext("/");
    expect(renderValue("{{ globals.epochs }}", vars, at, ctx)).toBe(10);
    expect(renderValue("{{globals.flag}}", vars, at, ctx)).toBe(true);
    expect(renderValue("{{ globals.list }}", vars, at, ctx)).toEqual([1, 2]);
    expect(renderString("{{ globals.epochs }}", vars, at, ctx)).toBe("10");
  });

  it("renders mixed strings, nested lookups and Nunjucks expressions", () => {
    const ctx = new CompileContext("/");
    expect(renderString("{{ globals.root }}/{{ globals.nested.a.b }}.csv", vars, at, ctx)).toBe("data/deep.csv");
    expect(renderString("{{ globals.root | upper }}", vars, at, ctx)).toBe("DATA");
    expect(renderString("{% if globals.flag %}on{% else %}off{% endif %}", vars, at, ctx)).toBe("on");
    expect(renderString("{{ runtime.lr * 2 }}", vars, at, ctx)).toBe("1");
    expect(ctx.reports).toEqual([]);
  });

  it("reports an undefined variable as MLC3004 at the string, with a suggestion, and returns the input", () => {
    const ctx = new CompileContext("/");
    expect(renderString("{{ globals.rot }}/x", vars, at, ctx)).toBe("{{ globals.rot }}/x");
    expect(renderValue("{{ globals.epoch }}", vars, at, ctx)).toBe("{{ globals.epoch }}");
    expect(renderString("{{ globals.nope | upper }}", vars, at, ctx)).toBe("{{ globals.nope | upper }}");
    expect(ctx.reports).toHaveLength(3);
    expect(ctx.reports.every((r) => r.code === "MLC3004" && r.at === at)).toBe(true);
    expect(ctx.reports[0].message).toContain('"globals.root"');
    expect(ctx.reports[1].message).toContain('"globals.epochs"');
  });

  it("reports a bad template (syntax, unknown filter) as MLC3004", () => {
    const ctx = new CompileContext("/");
    renderString("{{ globals.root | nosuchfilter }}", vars, at, ctx);
    renderString("{% if %}", vars, at, ctx);
    expect(ctx.reports.map((r) => r.code)).toEqual(["MLC3004", "MLC3004"]);
  });

  it("lets templates that handle undefined values render", () => {
    const ctx = new CompileContext("/");
    expect(renderString('{{ globals.nope | default("x") }}', vars, at, ctx)).toBe("x");
    expect(renderString("{% if globals.nope %}a{% else %}b{% endif %}", vars, at, ctx)).toBe("b");
    expect(renderString('{{ "a" if globals.nope is defined else "b" }}', vars, at, ctx)).toBe("b");
    expect(ctx.reports).toEqual([]);
  });

  it("hints where env and runtime are available", () => {
    const ctx = new CompileContext("/");
    renderString("{{ env.HOME }}", vars, at, ctx);
    renderString("{{ runtime.x }}", { globals: {} }, at, ctx);
    expect(ctx.reports[0].hint).toMatch(/credentials\.yml and mlflow\.yml/);
    expect(ctx.reports[1].hint).toMatch(/globals\.yml/);
  });
});

describe("interpolateTree", () => {
  it("deep-copies and renders every string, reporting at the exact path", () => {
    const ctx = new CompileContext("/");
    const src = {
      a: { b: ["{{ globals.root }}", 3, null, { c: "{{ globals.missing }}" }] },
      n: "{{ globals.epochs }}",
    };
    const out = interpolateTree(src, vars, "f.yml", ["base"], ctx) as typeof src;
    expect(out).toEqual({ a: { b: ["data", 3, null, { c: "{{ globals.missing }}" }] }, n: 10 });
    expect(out.a).not.toBe(src.a);
    expect(ctx.reports).toHaveLength(1);
    expect(ctx.reports[0].at).toEqual({ file: "f.yml", path: ["base", "a", "b", 3, "c"] });
  });

  it("is depth-safe (iterative) on a 100,000-deep value", () => {
    let deep: unknown = "{{ globals.root }}";
    for (let i = 0; i < 100_000; i++) deep = { k: deep };
    const ctx = new CompileContext("/");
    let out = interpolateTree(deep, vars, "f.yml", [], ctx) as Record<string, unknown>;
    for (let i = 0; i < 100_000; i++) out = out.k as Record<string, unknown>;
    expect(out).toBe("data");
  });

  it("treats a __proto__ key as plain data", () => {
    const src = JSON.parse('{"__proto__": {"polluted": "{{ globals.root }}"}}');
    const out = interpolateTree(src, vars, "f.yml", [], new CompileContext("/")) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toEqual({ polluted: "data" });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("lazy Nunjucks", () => {
  it("is not loaded for plain strings and simple lookups, only for real templates (built dist)", () => {
    const root = join(__dirname, "..", "..");
    const script = `
      import { createRequire } from "node:module";
      const { renderString } = await import("./dist/compiler/interpolate.js");
      const { CompileContext } = await import("./dist/compiler/diagnostics.js");
      const ctx = new CompileContext("/");
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes("nunjucks"));
      renderString("plain", {}, { file: "f", path: [] }, ctx);
      renderString("{{ g.x }}/y", { g: { x: 1 } }, { file: "f", path: [] }, ctx);
      const before = loaded();
      renderString("{{ g.x | string }}", { g: { x: 1 } }, { file: "f", path: [] }, ctx);
      console.log(JSON.stringify([before, loaded()]));`;
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
    expect(JSON.parse(out)).toEqual([false, true]);
  });
});
