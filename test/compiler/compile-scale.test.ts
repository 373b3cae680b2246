// The whole compiler (load, validate, expand, resolve, buildGraph, named pipelines, emit) on
// generated pipelines: a 10,000-node DAG and a 100,000-deep chain must compile without a stack
// overflow. Speed is measured in bench/w3-compile.mjs, not here.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error: plain ESM script without types
import { generateProject } from "../../bench/gen-pipeline.mjs";
import { compileProject } from "../../compiler/compile.js";
import { emitJson } from "../../compiler/emit/json.js";
import { emitMermaid } from "../../compiler/emit/mermaid.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function project(nodes: number, shape: "dag" | "chain"): string {
  const dir = mkdtempSync(join(tmpdir(), `mlc-scale-${shape}-`));
  dirs.push(dir);
  generateProject(dir, { nodes, shape });
  return dir;
}

describe("compile at scale", () => {
  it("a 10,000-node DAG compiles, with named pipelines and emitters", async () => {
    const { project: p, diagnostics } = await compileProject({ root: project(10_000, "dag"), env: "local" });
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(p!.graph.nodes).toHaveLength(10_000);
    expect(p!.graph.layers.flat()).toHaveLength(10_000);
    expect(p!.graph.pipelines.features.length).toBeGreaterThan(1000);
    expect(emitJson(p!.graph).length).toBeGreaterThan(1_000_000);
    expect(emitMermaid(p!.graph).startsWith("flowchart LR\n")).toBe(true);
  }, 120_000);

  it("a 100,000-deep chain compiles without a stack overflow", async () => {
    const { project: p, diagnostics } = await compileProject({ root: project(100_000, "chain"), env: "local" });
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(p!.graph.layers).toHaveLength(100_000);
    expect(p!.graph.layers[99_999]).toEqual(["n99999"]);
    expect(emitJson(p!.graph).endsWith("}\n")).toBe(true);
  }, 300_000);

  it("a 5,000-node cycle is reported in full, located at its first node", async () => {
    const root = project(5_000, "chain");
    const { writeFileSync, readFileSync } = await import("node:fs");
    const text = readFileSync(join(root, "pipeline.yml"), "utf8").replace(
      "    inputs: source\n",
      "    inputs: d4999\n",
    );
    writeFileSync(join(root, "pipeline.yml"), text);
    const { project: p, diagnostics } = await compileProject({ root, env: "local" });
    expect(p).toBeNull();
    const cycle = diagnostics.find((d) => d.code === "MLC4001")!;
    expect(cycle.message.split(" -> ")).toHaveLength(5_001);
    expect(cycle).toMatchObject({ file: "pipeline.yml", line: 4 });
  }, 120_000);
});
