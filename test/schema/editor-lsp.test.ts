// The schemas as an editor uses them: Red Hat's yaml-language-server 1.25 (VS Code's YAML
// extension) over LSP. Catalog `type:` values complete (top-level and inner `dataset:` entries),
// custom types are not flagged. (test/compiler/schema.test.ts checks every property has a description.)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_TYPES } from "../../compiler/dataset-types.js";
import { startYamlLsp, type YamlLsp } from "../helpers/yaml-lsp.js";

const REPO = resolve(import.meta.dirname, "../..");
const CATALOG_SCHEMA = join(REPO, "schema/catalog.schema.json");
const dir = mkdtempSync(join(tmpdir(), "mlc-lsp-"));
const modeline = `# yaml-language-server: $schema=${CATALOG_SCHEMA}\n`;
let lsp: YamlLsp;

beforeAll(async () => {
  lsp = await startYamlLsp(dir);
}, 30_000);
afterAll(async () => {
  await lsp?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens `body` (after the modeline) and completes at the end of its line `line` (0-based, body lines). */
async function completeAt(name: string, body: string, line: number): Promise<string[]> {
  const file = join(dir, name);
  const text = modeline + body;
  writeFileSync(file, text);
  await lsp.open(file, text);
  const lines = body.split("\n");
  const items = await lsp.completion(file, line + 1, lines[line].length);
  return items.map((i) => i.label).sort();
}

describe("yaml-language-server 1.25 on conf/*/catalog.yml", () => {
  it("lists exactly the built-in types in the schema's enum (a new type goes there too)", () => {
    const schema = JSON.parse(readFileSync(CATALOG_SCHEMA, "utf8"));
    const [builtins] = schema.$defs.datasetType.anyOf;
    expect(builtins.enum).toEqual([...BUILTIN_TYPES]);
    expect(builtins.enumDescriptions).toHaveLength(BUILTIN_TYPES.length);
  });

  it("offers every built-in dataset type after `type: `", async () => {
    const got = await completeAt("catalog.yml", "companies:\n  type: \n  filepath: data/companies.csv\n", 1);
    expect(got).toEqual(expect.arrayContaining([...BUILTIN_TYPES]));
  });

  it("offers them on an inner `dataset:` entry too", async () => {
    const body = "parts:\n  type: partitioned\n  path: data/parts\n  dataset:\n    type: \n";
    expect(await completeAt("inner.yml", body, 4)).toEqual(expect.arrayContaining([...BUILTIN_TYPES]));
    const art = "model_art:\n  type: mlflow.artifact\n  dataset:\n    type: \n    filepath: data/m.json\n";
    expect(await completeAt("inner2.yml", art, 3)).toEqual(expect.arrayContaining([...BUILTIN_TYPES]));
  });

  it("does not flag custom types, and still flags an unknown key", async () => {
    const file = join(dir, "custom.yml");
    const text =
      modeline +
      "warehouse:\n  type: ./src/datasets.ts#WarehouseTable\n  table: scores\n" +
      "parts:\n  type: partitioned\n  path: p\n  dataset:\n    type: ./src/ds.ts#Thing\n" +
      "plain:\n  type: csv\n  filepath: a.csv\n  filepth: b.csv\n";
    await lsp.open(file, text);
    const diags = await lsp.diagnostics(file);
    expect(diags.map((d) => d.range.start.line)).toEqual([12]); // only `filepth`
  });

  it("hover on `type` describes it", async () => {
    const file = join(dir, "hover.yml");
    const text = modeline + "companies:\n  type: csv\n  filepath: data/companies.csv\n";
    await lsp.open(file, text);
    const hover = await lsp.hover(file, 2, 3);
    expect(hover).toMatch(/^dataset type: /m);
    for (const t of BUILTIN_TYPES) expect(hover).toContain("`" + t + "`");
  });
});
