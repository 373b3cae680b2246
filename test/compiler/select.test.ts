// Selection as pure functions on a GraphIR built by hand (no files): Kedro's slicing semantics,
// error reporting, subgraphs, named pipeline resolution and 100,000-deep graphs.
import { describe, expect, it } from "vitest";
import { CompileContext } from "../../compiler/diagnostics.js";
import { resolvePipelines } from "../../compiler/named-pipelines.js";
import { isEmptySelection, selectGraph, selectNodeNames, subgraph } from "../../compiler/select.js";
import type { GraphIR, IREdge, IRNode, SelectionSpec, SourceRef } from "../../compiler/types.js";

type N = { name: string; in?: string[]; out?: string[]; tags?: string[]; ns?: string; base?: string };

/** A GraphIR from node specs: edges through datasets, layers by Kahn (test-local, straightforward). */
function graphOf(specs: N[]): GraphIR {
  const nodes: IRNode[] = specs.map((s) => ({
    name: s.name,
    baseName: s.base ?? s.name,
    func: "src/x.ts#f",
    inputs: s.in ?? [],
    inputMode: "list",
    outputs: s.out ?? [],
    outputMode: "list",
    tags: s.tags ?? [],
    namespace: s.ns ?? null,
    retries: 0,
    timeoutMs: null,
    source: { file: "pipeline.yml", line: 1 },
  }));
  nodes.sort((a, b) => (a.name < b.name ? -1 : 1));
  const producer = new Map<string, string>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n.name);
  const edges: IREdge[] = [];
  for (const n of nodes)
    for (const i of n.inputs) if (producer.has(i)) edges.push({ from: producer.get(i)!, to: n.name, dataset: i });
  const datasets = [
    ...new Set(nodes.flatMap((n) => [...n.inputs, ...n.outputs]).filter((d) => !d.startsWith("params:"))),
  ]
    .sort()
    .map((name) => ({
      name,
      type: "memory",
      persistent: false,
      layer: null,
      filepath: null,
      config: { type: "memory" },
    }));
  const params = [...new Set(nodes.flatMap((n) => n.inputs).filter((d) => d.startsWith("params:")))].sort();
  return {
    irVersion: 1,
    name: "t",
    nodes,
    datasets,
    params,
    edges,
    layers: [],
    pipelines: { __default__: nodes.map((n) => n.name) },
  };
}

// Kedro's complex_pipeline (tests/pipeline/test_pipeline.py), tags foo on node6/node7.
const complex = graphOf([
  { name: "node1", in: ["H", "I", "M"], out: ["N"] },
  { name: "node2", in: ["H"], out: ["I"] },
  { name: "node3", in: ["F"], out: ["G", "M"] },
  { name: "node4", in: ["E"], out: ["F", "H"] },
  { name: "node5", in: ["D"] },
  { name: "node6", in: ["C"], out: ["D"], tags: ["foo"] },
  { name: "node7", in: ["B"], out: ["C", "E"], tags: ["foo"] },
  { name: "node8", in: ["A", "params:x"], out: ["B", "L"] },
  { name: "node9", out: ["A"] },
]);

function sel(g: GraphIR, spec: SelectionSpec, at: SourceRef | null = null) {
  const ctx = new CompileContext("/p");
  return { names: selectNodeNames(g, spec, ctx, at), reports: ctx.reports };
}

describe("selectNodeNames (Kedro semantics)", () => {
  it.each([
    [{ tags: ["foo"] }, ["node6", "node7"]],
    [{ from_nodes: ["node4"] }, ["node1", "node2", "node3", "node4"]],
    [{ to_nodes: ["node4"] }, ["node4", "node7", "node8", "node9"]],
    [{ nodes: ["node4", "node5"] }, ["node4", "node5"]],
    [{ from_inputs: ["F"] }, ["node1", "node3"]],
    [{ to_outputs: ["F"] }, ["node4", "node7", "node8", "node9"]],
    [{ from_inputs: ["params:x"] }, ["node1", "node2", "node3", "node4", "node5", "node6", "node7", "node8"]],
    [{ from_nodes: ["node4"], to_outputs: ["M"] }, ["node3", "node4"]],
    [{ from_nodes: ["node4"], to_outputs: ["M"], nodes: ["node3"] }, ["node3"]],
  ] as [SelectionSpec, string[]][])("%j -> %j", (spec, want) => {
    const r = sel(complex, spec);
    expect(r.reports).toEqual([]);
    expect(r.names).toEqual(want);
  });

  it("reports MLC4005 naming every filter when the intersection is empty", () => {
    const r = sel(complex, { from_nodes: ["node4"], to_outputs: ["M"], nodes: ["node3"], to_nodes: ["node4"] });
    expect(r.names).toBeNull();
    expect(r.reports).toHaveLength(1);
    expect(r.reports[0]).toMatchObject({ code: "MLC4005", at: null });
    for (const flag of ["--from-nodes node4", "--to-nodes node4", "--nodes node3", "--to-outputs M"])
      expect(r.reports[0].message).toContain(flag);
  });

  it("reports only the unknown items, one MLC4006 each, and selects nothing", () => {
    const r = sel(complex, { from_inputs: ["Z", "W", "E", "C"], nodes: ["node1", "nod2"] });
    expect(r.names).toBeNull();
    expect(r.reports.map((x) => x.code)).toEqual(["MLC4006", "MLC4006", "MLC4006"]);
    expect(r.reports.map((x) => x.message)).toEqual([
      '--nodes: unknown node "nod2" (did you mean "node2"?)',
      expect.stringContaining('--from-inputs: unknown dataset "Z"'),
      expect.stringContaining('--from-inputs: unknown dataset "W"'),
    ]);
  });

  it("suggests the namespaced node for a bare name (node1 -> katie.node1)", () => {
    const g = graphOf([
      { name: "katie.node1", in: ["A"], out: ["B"], ns: "katie" },
      { name: "lisa.node2", in: ["B"], out: ["C"], ns: "lisa" },
    ]);
    expect(sel(g, { nodes: ["node1"] }).reports[0].message).toBe(
      '--nodes: unknown node "node1" (did you mean "katie.node1"?)',
    );
  });

  it("matches namespaces by segment: a covers a and a.x but not ab", () => {
    const g = graphOf([
      { name: "a.n1", out: ["x"], ns: "a" },
      { name: "a.x.n2", in: ["x"], out: ["y"], ns: "a.x" },
      { name: "ab.n3", in: ["y"], ns: "ab" },
      { name: "plain", in: ["y"] },
    ]);
    expect(sel(g, { namespaces: ["a"] }).names).toEqual(["a.n1", "a.x.n2"]);
    expect(sel(g, { namespaces: ["a.x"] }).names).toEqual(["a.x.n2"]);
    expect(sel(g, { namespaces: ["ab"] }).names).toEqual(["ab.n3"]);
    expect(sel(g, { namespaces: ["a.n1"] }).reports[0].code).toBe("MLC4006");
  });

  it("selects all matrix members by their base name, and one member by its full name", () => {
    const g = graphOf([
      { name: "prep", out: ["d"] },
      { name: "train@8", base: "train", in: ["d"], out: ["m8"] },
      { name: "train@32", base: "train", in: ["d"], out: ["m32"] },
      { name: "pick", in: ["m8"], out: ["best"] },
    ]);
    expect(sel(g, { nodes: ["train"] }).names).toEqual(["train@32", "train@8"]);
    expect(sel(g, { from_nodes: ["train"] }).names).toEqual(["pick", "train@32", "train@8"]);
    expect(sel(g, { to_nodes: ["pick"] }).names).toEqual(["pick", "prep", "train@8"]);
    expect(sel(g, { nodes: ["train@8"] }).names).toEqual(["train@8"]);
  });

  it("applies filters inside a named pipeline (Kedro pipelines[name].filter)", () => {
    const g = { ...complex, pipelines: { ...complex.pipelines, ends: ["node9", "node1"] } };
    expect(sel(g, { pipeline: "ends", from_nodes: ["node9"] }).names).toEqual(["node9"]);
    const r = sel(g, { pipeline: "ends", nodes: ["node4"] });
    expect(r.reports[0].message).toBe('--nodes: node "node4" is not part of pipeline "ends"');
    expect(sel(g, { pipeline: "end" }).reports[0].message).toBe(
      '--pipeline: unknown pipeline "end" (did you mean "ends"?)',
    );
  });

  it("locates problems of a named pipeline at the list item it wrote, or at the string", () => {
    const ctx = new CompileContext("/p");
    ctx.docs.set("pipeline.yml", {
      file: "pipeline.yml",
      absPath: "/p/pipeline.yml",
      text: "",
      data: { pipelines: { p: { nodes: ["node1", "nope"], tags: "bar" } } },
    });
    const at: SourceRef = { file: "pipeline.yml", path: ["pipelines", "p"] };
    expect(selectNodeNames(complex, { nodes: ["node1", "nope"], tags: ["bar"] }, ctx, at)).toBeNull();
    expect(ctx.reports.map((r) => [r.at?.path, r.message])).toEqual([
      [["pipelines", "p", "tags"], 'pipeline "p": tags: unknown tag "bar"'],
      [["pipelines", "p", "nodes", 1], 'pipeline "p": nodes: unknown node "nope"'],
    ]);
  });
});

describe("selectGraph", () => {
  it("returns the same graph for an empty selection", () => {
    const ctx = new CompileContext("/p");
    expect(selectGraph(complex, {}, ctx)).toBe(complex);
    expect(isEmptySelection({ nodes: [] })).toBe(true);
  });

  it("restricts datasets, params and edges to the selection and recomputes layers", () => {
    const ctx = new CompileContext("/p");
    const g = selectGraph(complex, { to_nodes: ["node7"] }, ctx);
    expect(g.nodes.map((n) => n.name)).toEqual(["node7", "node8", "node9"]);
    expect(g.datasets.map((d) => d.name)).toEqual(["A", "B", "C", "E", "L"]);
    expect(g.params).toEqual(["params:x"]);
    expect(g.edges.map((e) => `${e.from}>${e.to}`)).toEqual(["node8>node7", "node9>node8"]);
    expect(g.layers).toEqual([["node9"], ["node8"], ["node7"]]);
  });

  it.each([
    [{ tags: ["foo"] }],
    [{ to_nodes: ["node1"] }],
    [{ from_inputs: ["A"], to_outputs: ["N", "D"] }],
    [{ nodes: ["node9", "node5"] }],
  ] as [SelectionSpec][])("builds the same subgraph from positions as from names: %j", (spec) => {
    const ctx = new CompileContext("/p");
    const names = selectNodeNames(complex, spec, ctx)!;
    expect(selectGraph(complex, spec, ctx)).toEqual(subgraph(complex, new Set(names)));
    expect(ctx.reports).toEqual([]);
  });

  it("uses a user-defined __default__ when nothing is selected", () => {
    const g = { ...complex, pipelines: { __default__: ["node9", "node8"] } };
    expect(selectGraph(g, {}, new CompileContext("/p")).nodes.map((n) => n.name)).toEqual(["node8", "node9"]);
  });

  it("walks a 100,000-node chain in both directions without recursion", () => {
    const n = 100_000;
    const specs: N[] = Array.from({ length: n }, (_, i) => ({
      name: `n${String(i).padStart(6, "0")}`,
      in: i ? [`d${i - 1}`] : [],
      out: [`d${i}`],
    }));
    const g = graphOf(specs);
    const ctx = new CompileContext("/p");
    expect(selectNodeNames(g, { from_nodes: ["n000001"] }, ctx)).toHaveLength(n - 1);
    expect(selectNodeNames(g, { to_outputs: [`d${n - 2}`] }, ctx)).toHaveLength(n - 1);
    const sub = selectGraph(g, { from_nodes: ["n050000"], to_nodes: ["n050009"] }, ctx);
    expect(sub.layers).toHaveLength(10);
    expect(ctx.reports).toEqual([]);
  });
});

describe("resolvePipelines", () => {
  const src = (name: string): SourceRef => ({ file: "pipeline.yml", path: ["pipelines", name] });

  it("resolves references first and sorts keys; __default__ is all nodes", () => {
    const ctx = new CompileContext("/p");
    const out = resolvePipelines(
      complex,
      { z: { pipeline: "a", to_nodes: ["node6"], source: src("z") }, a: { tags: ["foo"], source: src("a") } },
      ctx,
    );
    expect(ctx.reports).toEqual([]);
    expect(Object.keys(out)).toEqual(["__default__", "a", "z"]);
    expect(out.a).toEqual(["node6", "node7"]);
    expect(out.z).toEqual(["node6", "node7"]);
    expect(out.__default__).toHaveLength(9);
  });

  it("starts a definition from all nodes, not from a user-defined __default__", () => {
    const ctx = new CompileContext("/p");
    const out = resolvePipelines(
      complex,
      {
        __default__: { tags: ["foo"], source: src("__default__") },
        all: { from_nodes: ["node9"], source: src("all") },
      },
      ctx,
    );
    expect(out.__default__).toEqual(["node6", "node7"]);
    expect(out.all).toHaveLength(9);
  });

  it("reports a reference cycle once (MLC3007) and never hangs", () => {
    const ctx = new CompileContext("/p");
    const out = resolvePipelines(
      complex,
      {
        a: { pipeline: "b", source: src("a") },
        b: { pipeline: "c", source: src("b") },
        c: { pipeline: "a", source: src("c") },
        d: { pipeline: "a", source: src("d") },
        self: { pipeline: "self", source: src("self") },
      },
      ctx,
    );
    expect(ctx.reports.map((r) => [r.code, r.message])).toEqual([
      ["MLC3007", 'named pipeline "c" refers back to itself: a -> b -> c -> a'],
      ["MLC3007", 'named pipeline "self" refers back to itself: self -> self'],
    ]);
    expect(out.a).toEqual([]);
    expect(out.d).toEqual([]);
  });
});
