// Golden fixtures: every folder under test/fixtures/compile is a project. Valid ones hold
// graph.json + pipeline.mmd (+ warnings.json when they warn); failing ones (named mlcNNNN-...)
// hold diagnostics.json with {code, file, line, column} of every diagnostic. UPDATE_GOLDEN=1
// rewrites the goldens.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../compiler/diagnostics.js";
import { emitJson } from "../../compiler/emit/json.js";
import { emitMermaid } from "../../compiler/emit/mermaid.js";
import { cleanupFixtures, compileFixture, FIXTURES } from "./fixtures.js";

afterAll(cleanupFixtures);

const UPDATE = process.env.UPDATE_GOLDEN === "1";

const brief = (ds: readonly Diagnostic[]) =>
  ds.map((d) => ({ code: d.code, file: d.file, line: d.line, column: d.column }));

function golden(dir: string, file: string, actual: string): void {
  const path = join(dir, file);
  if (UPDATE || !existsSync(path)) {
    if (!UPDATE) throw new Error(`missing golden ${path} (run with UPDATE_GOLDEN=1)`);
    writeFileSync(path, actual);
    return;
  }
  expect(actual).toBe(readFileSync(path, "utf8"));
}

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

describe("compile fixtures", () => {
  it("has valid and failing cases for every resolve/graph code", () => {
    const failing = cases.filter((c) => existsSync(join(FIXTURES, c, "diagnostics.json")) || c.startsWith("mlc"));
    for (const code of ["3001", "3002", "3003", "3005", "3006", "3008", "4001", "4002", "4003", "4004"]) {
      expect(failing.some((c) => c.startsWith(`mlc${code}`))).toBe(true);
    }
    expect(cases.length - failing.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of cases) {
    it(name, async () => {
      const dir = join(FIXTURES, name);
      const { project, diagnostics } = await compileFixture(name);
      const errors = diagnostics.filter((d) => d.severity === "error");
      if (name.startsWith("mlc")) {
        expect(errors.length).toBeGreaterThan(0);
        expect(project).toBeNull();
        golden(dir, "diagnostics.json", JSON.stringify(brief(diagnostics), null, 2) + "\n");
        const code = "MLC" + name.slice(3, 7);
        expect(diagnostics.some((d) => d.code === code)).toBe(true);
        return;
      }
      expect(errors).toEqual([]);
      expect(project).not.toBeNull();
      golden(dir, "graph.json", emitJson(project!.graph));
      golden(dir, "pipeline.mmd", emitMermaid(project!.graph));
      if (diagnostics.length || existsSync(join(dir, "warnings.json")))
        golden(dir, "warnings.json", JSON.stringify(brief(diagnostics), null, 2) + "\n");
    });
  }
});
