// Shared by the expand/include tests: a real project in a temp folder, expanded.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { afterAll } from "vitest";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CompileContext } from "../../compiler/diagnostics.js";
import { expandPipeline } from "../../compiler/expand.js";
import { loadYaml } from "../../compiler/load.js";
import { locate } from "../../compiler/locate.js";
import type { ProjectConfig } from "../../compiler/types.js";

const CONFIG: ProjectConfig = {
  catalog: {},
  catalogSources: {},
  parameters: {},
  globals: { suffix: "v2", n: 3 },
  credentials: {},
  mlflow: null,
  files: [],
};

// Temp projects made here are removed when the importing test file ends.
const made: string[] = [];
afterAll(() => made.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Writes `files` into a new temp project and expands its pipeline.yml (globals: suffix=v2, n=3). */
export function expandFiles(files: Record<string, string>, runtime: Record<string, unknown> = {}, into?: string) {
  const root = into ?? mkdtempSync(join(tmpdir(), "mlc-expand-"));
  if (!into) made.push(root);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, ".."), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  const ctx = new CompileContext(root);
  const doc = loadYaml(join(root, "pipeline.yml"), ctx)!;
  const out = expandPipeline(doc, CONFIG, ctx, runtime);
  return { ...out, ctx, root, diagnostics: ctx.finalize(locate) };
}
