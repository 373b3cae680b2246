import { describe, expect, it } from "vitest";
import { buildGraph } from "../../compiler/build-graph.js";
import { CompileContext } from "../../compiler/diagnostics.js";
import { findCycles, kahnLayers, topoOrder } from "../../compiler/toposort.js";
import type { ResolvedNode, ResolvedPipeline } from "../../compiler/types.js";
import { chain, node } from "./helpers.js";

function build(nodes: ResolvedNode[]) {
  const ctx = new CompileContext("/p");
  const datasets: ResolvedPipeline["datasets"] = {};
  const all = new Set(nodes.flatMap((n) => [...n.inputs, ...n.outputs]).filter((d) => !d.startsWith("params:")));
  const ds = Object.fromEntries(
    [...all].map((d) => [d, { name: d, config: { type: "memory" }, entry: null, source: null }]),
  );
  Object.assign(datasets, ds);
  const graph = buildGraph({ name: "t", nodes, datasets, parameters: {}, pipelines: {} }, ctx);
  return { graph, reports: ctx.reports };
}

describe("buildGraph", () => {
  it("sorts nodes, datasets, params, edges and layers", () => {
    const { graph, reports } = build([
      node("z", ["params:b", "a_out"], ["z_out"], 0),
      node("a", ["params:a"], ["a_out"], 1),
      node("m", ["a_out"], ["m_out"], 2),
    ]);
    expect(reports).toEqual([]);
    expect(graph.nodes.map((n) => n.name)).toEqual(["a", "m", "z"]);
    expect(graph.datasets.map((d) => d.name)).toEqual(["a_out", "m_out", "z_out"]);
    expect(graph.params).toEqual(["params:a", "params:b"]);
    expect(graph.edges).toEqual([
      { from: "a", to: "m", dataset: "a_out" },
      { from: "a", to: "z", dataset: "a_out" },
    ]);
    expect(graph.layers).toEqual([["a"], ["m", "z"]]);
  });

  it("two datasets between the same nodes: edges ordered by dataset; duplicates listed once", () => {
    const { graph } = build([
      node("a", [], ["y", "x", "w"], 0),
      node("b", ["y", "x", "y"], ["o"], 1),
      node("c", ["w"], ["p"], 2),
    ]);
    expect(graph.edges).toEqual([
      { from: "a", to: "b", dataset: "x" },
      { from: "a", to: "b", dataset: "y" },
      { from: "a", to: "c", dataset: "w" },
    ]);
    expect(graph.layers).toEqual([["a"], ["b", "c"]]);
  });

  it("MLC4001 lists the cycle in edge order, starting at its smallest name", () => {
    const { reports } = build([
      node("c", ["b_out"], ["c_out"], 0),
      node("a", ["c_out"], ["a_out"], 1),
      node("b", ["a_out"], ["b_out"], 2),
      node("x", ["c_out"], ["x_out"], 3),
    ]);
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({
      code: "MLC4001",
      message: "cycle: a -> b -> c -> a",
      at: { path: ["nodes", 1, "name"] },
    });
  });

  it("reports each of two disjoint cycles once", () => {
    const { reports } = build([
      node("a", ["b1"], ["a1"]),
      node("b", ["a1"], ["b1"]),
      node("p", ["q1"], ["p1"]),
      node("q", ["p1"], ["q1"]),
    ]);
    expect(reports.map((r) => r.message).sort()).toEqual(["cycle: a -> b -> a", "cycle: p -> q -> p"]);
  });

  it("MLC4002, MLC4003, MLC4004 at the offending item", () => {
    const { reports } = build([
      node("a", [], ["x"], 0),
      node("b", [], ["y", "x"], 1),
      node("a", [], ["w"], 2),
      node("s", ["s1"], ["s1"], 3),
    ]);
    const by = Object.fromEntries(reports.map((r) => [r.code, r.at?.path]));
    expect(by.MLC4002).toEqual(["nodes", 1, "outputs", 1]);
    expect(by.MLC4003).toEqual(["nodes", 2, "name"]);
    expect(by.MLC4004).toEqual(["nodes", 3, "outputs", 0]);
  });

  it("compiles a 100,000-deep chain without recursion", () => {
    const { graph, reports } = build(chain(100_000));
    expect(reports).toEqual([]);
    expect(graph.layers).toHaveLength(100_000);
    expect(graph.edges).toHaveLength(99_999);
  });

  it("finds a 100,000-node cycle iteratively", () => {
    const nodes = chain(100_000);
    nodes[0] = node("n0", ["d99999"], ["d0"], 0);
    const { reports } = build(nodes);
    expect(reports).toHaveLength(1);
    expect(
      reports[0].message.startsWith("cycle: n0 -> n1 -> n10 ->") || reports[0].message.startsWith("cycle: n0 -> n1 ->"),
    ).toBe(true);
    expect(reports[0].message.split(" -> ")).toHaveLength(100_001);
  });
});

describe("toposort", () => {
  const g = { names: ["d", "c", "b", "a"], succ: [[], [0], [0], []] };
  it("layers by generation, sorted", () => {
    expect(kahnLayers(g)).toEqual({ layers: [["a", "b", "c"], ["d"]], leftover: [] });
  });
  it("topological order breaks ties by name", () => {
    expect(topoOrder({ names: ["z", "y", "a"], succ: [[], [2], []] })).toEqual(["y", "a", "z"]);
  });
  it("cycle search ignores nodes downstream of a cycle", () => {
    const cyc = { names: ["a", "b", "tail"], succ: [[1], [0, 2], []] };
    const { leftover } = kahnLayers(cyc);
    expect(findCycles(cyc, leftover)).toEqual([["a", "b"]]);
  });
});
