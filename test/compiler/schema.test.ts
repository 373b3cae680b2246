// Schema validation: every fixture under test/fixtures/validate/<case>/ compiles to the expected
// diagnostics (codes and positions, not prose), and the committed precompiled validators match
// the .schema.json files they were generated from.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileProject } from "../../compiler/compile.js";
import { CompileContext } from "../../compiler/diagnostics.js";
import { locate } from "../../compiler/locate.js";
import { validateDocument } from "../../schema/validate.js";
// @ts-expect-error: plain .mjs generator without type declarations
import { generateAll } from "../../scripts/gen-schemas.mjs";

const ROOT = join(__dirname, "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures", "validate");
const MINE = /^MLC(1|2)\d\d\d$|^MLC3004$/; // codes produced by the front half of the compiler

describe("validate fixtures", () => {
  for (const name of readdirSync(FIXTURES).sort()) {
    it(name, async () => {
      const dir = join(FIXTURES, name);
      const expected = JSON.parse(readFileSync(join(dir, "diagnostics.json"), "utf8")) as {
        code: string;
        file: string;
        line: number;
        column: number;
      }[];
      const { diagnostics } = await compileProject({ root: dir, env: "local", checkFuncs: false });
      const got = diagnostics
        .filter((d) => MINE.test(d.code))
        .map((d) => ({ code: d.code, file: d.file, line: d.line, column: d.column }));
      expect(got).toEqual(expected);
      if (expected.length === 0) expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    });
  }
});

describe("validateDocument", () => {
  const doc = (data: unknown, text = "") => ({ file: "x.yml", absPath: "/x.yml", text, data });

  it("reports every error, not only the first", () => {
    const ctx = new CompileContext("/");
    const ok = validateDocument(doc({ nodes: [{ name: "a" }, { func: "f", bogus: 1 }], extra: 1 }), "pipeline", ctx);
    expect(ok).toBe(false);
    expect(ctx.reports.map((r) => r.code).sort()).toEqual(["MLC2001", "MLC2001", "MLC2002", "MLC2002"]);
  });

  it("places an unknown key at the key and suggests the closest allowed key", () => {
    const text = "nodes:\n  - name: a\n    func: f\n    tag: [x]\n";
    const ctx = new CompileContext("/");
    const d = doc({ nodes: [{ name: "a", func: "f", tag: ["x"] }] }, text);
    ctx.docs.set("x.yml", d);
    validateDocument(d, "pipeline", ctx);
    const [diag] = ctx.finalize(locate);
    expect(diag).toMatchObject({ code: "MLC2001", line: 4, column: 5, endColumn: 8, path: "/nodes/0/tag" });
    expect(diag.message).toContain('did you mean "tags"');
  });

  it("collapses anyOf noise into one missing-key report", () => {
    const ctx = new CompileContext("/");
    validateDocument(doc({ version: 1 }), "pipeline", ctx);
    expect(ctx.reports).toHaveLength(1);
    expect(ctx.reports[0]).toMatchObject({ code: "MLC2002" });
  });

  it("validates a sub-value at basePath and prefixes the paths", () => {
    const ctx = new CompileContext("/");
    validateDocument(doc({ wrapper: { a: { type: 3 } } }), "catalog", ctx, ["wrapper"]);
    expect(ctx.reports[0]).toMatchObject({ code: "MLC2003", at: { path: ["wrapper", "a", "type"] } });
  });

  it("keeps custom dataset types open and built-in types closed", () => {
    const ctx = new CompileContext("/");
    const ok = validateDocument(
      doc({ a: { type: "./ds.ts#X", table: "t" }, b: { type: "csv", filepath: "b.csv", table: "t" }, _anchor: 5 }),
      "catalog",
      ctx,
    );
    expect(ok).toBe(false);
    expect(ctx.reports).toHaveLength(1);
    expect(ctx.reports[0]).toMatchObject({ code: "MLC2001", at: { path: ["b", "table"], key: true } });
  });

  it("closes each built-in type over its own keys", () => {
    const ctx = new CompileContext("/");
    const ok = validateDocument(
      doc({
        m: { type: "mlflow.metric", key: "rmse", step: 2, layer: "model_output" },
        ms: { type: "mlflow.metrics", prefix: "eval.", step: 1 },
        p: { type: "partitioned", path: "data/parts", dataset: "json", filename_suffix: ".json", overwrite: true },
        a: {
          type: "mlflow.artifact",
          artifact_path: "models",
          dataset: { type: "binary", filepath: "m.bin", versioned: true },
        },
        c: { type: "csv", filepath: "c.csv", prefix: "x" },
        mem: { type: "memory", filepath: "x" },
      }),
      "catalog",
      ctx,
    );
    expect(ok).toBe(false);
    expect(ctx.reports.map((r) => [r.code, r.at?.path])).toEqual([
      ["MLC2001", ["c", "prefix"]],
      ["MLC2001", ["mem", "filepath"]],
    ]);
    expect(ctx.reports[1].hint).toBe("allowed keys: type, layer, metadata");
  });

  it("accepts timeouts as ms numbers or unit strings, rejects others", () => {
    for (const [t, valid] of [
      [500, true],
      ["10m", true],
      ["30s", true],
      ["500ms", true],
      ["1h", true],
      ["10 minutes", false],
      [-1, false],
      [true, false],
    ] as const) {
      const ctx = new CompileContext("/");
      expect(validateDocument(doc({ nodes: [{ name: "a", func: "f", timeout: t }] }), "pipeline", ctx)).toBe(valid);
    }
  });

  it("validates mlc.yml hooks", () => {
    const ctx = new CompileContext("/");
    expect(validateDocument(doc({ hooks: ["./hooks.ts"] }), "mlc", ctx)).toBe(true);
    expect(validateDocument(doc({ hooks: "./hooks.ts", other: 1 }), "mlc", ctx)).toBe(false);
    expect(ctx.reports.map((r) => r.code).sort()).toEqual(["MLC2001", "MLC2003"]);
  });
});

describe("schemas", () => {
  const names = readdirSync(join(ROOT, "schema")).filter((f) => f.endsWith(".schema.json"));

  it("precompiled validators in schema/generated are up to date (run: node scripts/gen-schemas.mjs)", () => {
    const fresh = generateAll(ROOT) as Record<string, string>;
    expect(Object.keys(fresh).length).toBeGreaterThan(4);
    for (const [rel, text] of Object.entries(fresh)) expect(readFileSync(join(ROOT, rel), "utf8"), rel).toBe(text);
  });

  it("every property of our schemas has a description (editors show them)", () => {
    for (const f of ["pipeline", "catalog", "parameters", "mlc", "run"]) {
      const schema = JSON.parse(readFileSync(join(ROOT, "schema", `${f}.schema.json`), "utf8"));
      expect(schema.$id).toBe(`https://mlc-pipelines.dev/schema/${f}.schema.json`);
      expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
      const missing: string[] = [];
      const stack: [unknown, string][] = [[schema, "#"]];
      while (stack.length) {
        const [s, at] = stack.pop()!;
        if (!s || typeof s !== "object") continue;
        const o = s as Record<string, unknown>;
        const props = o.properties as Record<string, Record<string, unknown> | boolean> | undefined;
        for (const [k, v] of Object.entries(props ?? {}))
          if (v !== true && !(v as Record<string, unknown>).description) missing.push(`${at}/properties/${k}`);
        for (const [k, v] of Object.entries(o)) if (k !== "if") stack.push([v, `${at}/${k}`]);
      }
      expect(missing, f).toEqual([]);
    }
    expect(names).toContain("pipeline.schema.json");
  });
});
