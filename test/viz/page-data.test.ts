// The viz page data and HTML without a browser: reshaping the graph, secret masking, the run
// overlay, layer order and the inline-JSON escaping that keeps `</script>` inside data harmless.
import { describe, expect, it } from "vitest";
import { buildPageData, orderLayers, redact, safeConfig, secretStrings } from "../../cli/viz/page-data.js";
import { renderPage, scriptJson } from "../../cli/viz/render.js";
import type { GraphIR } from "../../compiler/types.js";
import type { RunRecord } from "../../runs/record.js";

const graph: GraphIR = {
  irVersion: 1,
  name: "tiny",
  nodes: [
    {
      name: "a",
      baseName: "a",
      func: "src/n.ts#a",
      inputs: ["raw", "params:x.y"],
      inputMode: "list",
      outputs: ["mid"],
      outputMode: "single",
      tags: ["t"],
      namespace: null,
      retries: 0,
      timeoutMs: null,
      source: { file: "pipeline.yml", line: 3 },
    },
    {
      name: "ns.b",
      baseName: "b",
      func: "src/n.ts#b",
      inputs: ["mid"],
      inputMode: "single",
      outputs: ["out"],
      outputMode: "single",
      tags: [],
      namespace: "ns",
      retries: 0,
      timeoutMs: null,
      source: { file: "pipeline.yml", line: 9 },
    },
  ],
  datasets: [
    { name: "mid", type: "memory", persistent: false, layer: null, filepath: null, config: { type: "memory" } },
    {
      name: "out",
      type: "custom",
      persistent: true,
      layer: "reporting",
      filepath: null,
      config: { type: "custom", credentials: "db", api_key: "abc", nested: { password: "p" } },
    },
    {
      name: "raw",
      type: "csv",
      persistent: true,
      layer: "raw",
      filepath: "data/raw.csv",
      config: { type: "csv", filepath: "data/raw.csv" },
    },
  ],
  params: ["params:x.y"],
  edges: [{ from: "a", to: "ns.b", dataset: "mid" }],
  layers: [["a"], ["ns.b"]],
  pipelines: { __default__: ["a", "ns.b"] },
};

describe("buildPageData", () => {
  it("keeps the graph's shape, parameter values and the CLI selection", () => {
    const data = buildPageData({
      graph,
      selected: { ...graph, nodes: [graph.nodes[0]] },
      selectionLabel: "--nodes a",
      parameters: { x: { y: [1, 2] } },
    });
    expect(data.nodes.map((n) => n.name)).toEqual(["a", "ns.b"]);
    expect(data.nodes[0].source).toBe("pipeline.yml:3");
    expect(data.params).toEqual([{ name: "params:x.y", value: "[1,2]" }]);
    expect(data.selection).toEqual({ label: "--nodes a", nodes: ["a"] });
    expect(data.layerOrder).toEqual(["raw", "reporting"]);
    expect(buildPageData({ graph, selected: graph }).selection).toBeNull();
  });

  it("masks secret-looking config keys but keeps the credentials name", () => {
    expect(safeConfig(graph.datasets[1].config)).toEqual({
      type: "custom",
      credentials: "db",
      api_key: "***",
      nested: { password: "***" },
    });
  });

  it("overlays only the run's nodes that exist in the graph, with their errors", () => {
    const run = {
      run_id: "r1",
      status: "failed",
      started_at: "2026-01-01T00:00:00Z",
      finished_at: null,
      pipeline: "__default__",
      command: "mlc run",
      nodes: [
        { name: "a", status: "completed", attempts: 1, duration_ms: 5 },
        {
          name: "ns.b",
          status: "failed",
          attempts: 1,
          duration_ms: 7,
          error: { code: "MLC5001", message: "boom", stack: "at x" },
        },
        { name: "gone", status: "completed", attempts: 1, duration_ms: 1 },
      ],
    } as unknown as RunRecord;
    const data = buildPageData({ graph, run });
    expect(Object.keys(data.run!.nodes)).toEqual(["a", "ns.b"]);
    expect(data.run!.nodes["ns.b"]).toEqual({
      status: "failed",
      attempts: 1,
      duration_ms: 7,
      error: { code: "MLC5001", message: "boom" },
    });
  });

  it("redacts every credentials value wherever it appears", () => {
    const secrets = secretStrings({ db: { user: "admin-user", password: "hunter2-long", port: 5432, x: "ab" } });
    expect(secrets).toEqual(["admin-user", "hunter2-long"]);
    expect(redact({ m: "login admin-user failed", k: ["hunter2-long"] }, secrets)).toEqual({
      m: "login *** failed",
      k: ["***"],
    });
  });

  it("orders layers by where they first appear, Kedro's order breaking ties", () => {
    expect(orderLayers(graph)).toEqual(["raw", "reporting"]);
  });

  // A `reporting` dataset written by the first node (the movie sample's stream_quality) must not
  // put `reporting` left of `primary`: `primary` feeds the other reporting dataset.
  const node = (name: string, inputs: string[], outputs: string[]) => ({
    ...graph.nodes[0],
    name,
    baseName: name,
    inputs,
    outputs,
  });
  const ds = (name: string, layer: string | null) => ({
    name,
    type: "memory",
    persistent: false,
    layer,
    filepath: null,
    config: { type: "memory" },
  });
  const flow = (datasets: ReturnType<typeof ds>[], nodes: ReturnType<typeof node>[]): GraphIR => ({
    ...graph,
    nodes,
    datasets,
    edges: [],
    layers: nodes.map((n) => [n.name]),
    pipelines: { __default__: nodes.map((n) => n.name) },
  });

  it("orders layers by data flow, through unlayered datasets, even when a late layer appears first", () => {
    const g = flow(
      [
        ds("raw_in", "raw"),
        ds("quality", "reporting"),
        ds("tmp", null),
        ds("table", "primary"),
        ds("report", "reporting"),
      ],
      [
        node("clean", ["raw_in"], ["tmp", "quality"]),
        node("build", ["tmp"], ["table"]),
        node("summarise", ["table"], ["report"]),
      ],
    );
    expect(orderLayers(g)).toEqual(["raw", "primary", "reporting"]);
  });

  // Spaceflights: a reporting chart is drawn straight from an intermediate table, early in the flow;
  // it still goes last, as Kedro's layer convention has it, since nothing it holds feeds the others.
  it("follows Kedro's layer order wherever the flow allows, not first appearance", () => {
    const g = flow(
      [
        ds("shuttles", "raw"),
        ds("prep", "intermediate"),
        ds("chart", "reporting"),
        ds("table", "primary"),
        ds("model", "models"),
        ds("metrics", null),
      ],
      [
        node("preprocess", ["shuttles"], ["prep"]),
        node("plot", ["prep"], ["chart"]),
        node("build", ["prep"], ["table"]),
        node("train", ["table"], ["model"]),
        node("evaluate", ["model"], ["metrics"]),
      ],
    );
    expect(orderLayers(g)).toEqual(["raw", "intermediate", "primary", "models", "reporting"]);
  });

  it("draws no layer bands when layers feed each other (no order can hold)", () => {
    const g = flow(
      [ds("a1", "primary"), ds("b1", "feature"), ds("a2", "primary")],
      [node("one", ["a1"], ["b1"]), node("two", ["b1"], ["a2"])],
    );
    expect(orderLayers(g)).toEqual([]);
  });
});

describe("the rendered page", () => {
  it("escapes `<` in the embedded JSON so data cannot close the script element", () => {
    const json = scriptJson({ msg: "</script><script>alert(1)</script>", ls: "\u2028" });
    expect(json).not.toContain("<");
    expect(JSON.parse(json)).toEqual({ msg: "</script><script>alert(1)</script>", ls: "\u2028" });
  });

  it("inlines the layout library, the app and the data: no external script, style or link", async () => {
    const html = await renderPage(buildPageData({ graph }), { mode: "file" });
    expect(html).toContain('<script type="application/json" id="mlc-data">');
    expect(html).toContain("dagre");
    expect(html).toMatch(/connect-src 'none'/);
    expect(html).not.toMatch(/<script[^>]+src=|<link\b|@import|url\(http/i);
    expect(html.match(/<\/script>/g)!.length).toBe(3);
  });
});
