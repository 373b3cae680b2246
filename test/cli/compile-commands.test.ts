// `mlc compile`, `mlc ls`, `mlc catalog ls` through the real CLI (spawned `node bin/mlc.js`;
// `npm run build` first): files written, --check, --stdout, topological ls, catalog without
// secrets, exit codes 0/1/2.
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupFixtures, copyFixture, FIXTURES } from "../compiler/fixtures.js";
import { mlc } from "../helpers/cli.js";

afterAll(cleanupFixtures);

const REPO = join(import.meta.dirname, "../..");

beforeAll(() => {
  if (!existsSync(join(REPO, "dist/cli/main.js")))
    throw new Error("dist/ is missing: run `npm run build` before the CLI tests");
});

describe("mlc compile", () => {
  it("writes build/graph.json and build/pipeline.mmd equal to the goldens; --check is then clean", () => {
    const root = copyFixture("basic");
    const r = mlc(root, "compile");
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(root, "build/graph.json"), "utf8")).toBe(
      readFileSync(join(FIXTURES, "basic/graph.json"), "utf8"),
    );
    expect(readFileSync(join(root, "build/pipeline.mmd"), "utf8")).toBe(
      readFileSync(join(FIXTURES, "basic/pipeline.mmd"), "utf8"),
    );
    expect(readdirSync(join(root, "build")).sort()).toEqual(["graph.json", "pipeline.mmd"]); // no temp files left
    expect(mlc(root, "compile", "--check").code).toBe(0);
  });

  it("--check exits 1 and names the stale or missing file", () => {
    const root = copyFixture("basic");
    expect(mlc(root, "compile", "--out", "out").code).toBe(0);
    appendFileSync(join(root, "out/pipeline.mmd"), "%% edited\n");
    const r = mlc(root, "compile", "--out", "out", "--check");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("out/pipeline.mmd");
    expect(r.stderr).not.toContain("out/graph.json");
    expect(mlc(root, "compile", "--check").code).toBe(1); // build/ never written
  });

  it("--stdout prints instead of writing; an invalid project exits 1 with located diagnostics", () => {
    const root = copyFixture("basic");
    const r = mlc(root, "compile", "--stdout", "mermaid");
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("flowchart LR\n")).toBe(true);
    expect(existsSync(join(root, "build"))).toBe(false);
    const bad = copyFixture("mlc4001-cycle");
    const b = mlc(bad, "compile");
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/pipeline\.yml:10:11 error MLC4001 cycle: a -> b -> c -> a/);
  });

  it("usage mistakes exit 2", () => {
    const root = copyFixture("basic");
    expect(mlc(root, "compile", "--project", "no/such/dir").code).toBe(2);
    expect(mlc(root, "compile", "--stdout", "xml").code).toBe(2);
  });
});

describe("mlc ls", () => {
  it("--json lists nodes in topological order, ties broken by name", () => {
    const root = copyFixture("basic");
    const r = mlc(root, "ls", "--json");
    expect(r.code, r.stderr).toBe(0);
    const { nodes } = JSON.parse(r.stdout);
    expect(nodes.map((n: { name: string }) => n.name)).toEqual(["process", "split", "training.train", "report"]);
    expect(nodes[1]).toEqual({
      name: "split",
      func: "src/nodes.ts#split",
      inputs: ["events_features", "params:split.test_size"],
      outputs: ["train_set", "test_set"],
      tags: ["data_engineering"],
      namespace: null,
    });
  });
  it("honours selection flags and prints a table", () => {
    const root = copyFixture("basic");
    const r = mlc(root, "ls", "--tags", "reporting");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^NODE\s+INPUTS\s+OUTPUTS\s+TAGS$/);
    expect(r.stdout).toContain("report");
    expect(r.stdout).not.toContain("split");
  });
});

describe("mlc catalog ls", () => {
  it("--json shows resolved type, path, layer and matched entry; credentials by name only", () => {
    const root = copyFixture("basic");
    mkdirSync(join(root, "conf/local"), { recursive: true });
    writeFileSync(join(root, "conf/local/credentials.yml"), "warehouse:\n  password: hunter2-secret\n");
    appendFileSync(
      join(root, "conf/base/catalog.yml"),
      "extra_table:\n  type: json\n  filepath: data/x.json\n  credentials: warehouse\n",
    );
    const r = mlc(root, "catalog", "ls", "--json");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).not.toContain("hunter2");
    const { datasets } = JSON.parse(r.stdout);
    const by = Object.fromEntries(datasets.map((d: { name: string }) => [d.name, d]));
    expect(by.events_features).toMatchObject({
      type: "parquet",
      filepath: "data/04_feature/events.parquet",
      layer: "feature",
      entry: "{name}_features",
      factory: true,
      persistent: true,
    });
    expect(by.model).toMatchObject({ type: "mlflow.artifact", filepath: "data/06_models/model.bin", versioned: true });
    expect(by.train_set).toMatchObject({ type: "memory", entry: null, persistent: false });
    expect(r.stderr).toContain("MLC8001"); // extra_table is unused
  });
});
