// expandPipeline on real YAML files in a temp folder: node normalisation, interpolation, matrix,
// named pipelines; plus the pure helpers (func paths, durations).
import { describe, expect, it } from "vitest";
import { normalizeFunc, parseTimeout } from "../../compiler/expand-node.js";
import { expandFiles } from "./algebra-helpers.js";

describe("expandPipeline: nodes", () => {
  it("flattens IO by mode, sorts tags, parses timeouts and keeps the source path", () => {
    const { nodes, diagnostics } = expandFiles({
      "pipeline.yml": `nodes:
  - name: a
    func: ./src/a.ts#run
    inputs: { x: raw, y: params:k }
    outputs: [o1, o2]
    tags: [z, a, z]
    retries: 2
    timeout: 10m
  - name: b
    func: some-pkg
    inputs: o1
    tags: solo
    namespace: grp
    timeout: 1500
`,
    });
    expect(diagnostics).toEqual([]);
    expect(nodes[0]).toEqual({
      name: "a",
      baseName: "a",
      func: "src/a.ts#run",
      inputs: ["raw", "params:k"],
      inputMode: "map",
      inputKeys: ["x", "y"],
      outputs: ["o1", "o2"],
      outputMode: "list",
      tags: ["a", "z"],
      namespace: null,
      retries: 2,
      timeoutMs: 600_000,
      source: { file: "pipeline.yml", path: ["nodes", 0] },
    });
    expect(nodes[1]).toMatchObject({
      name: "grp.b",
      baseName: "grp.b",
      func: "some-pkg#default",
      inputMode: "single",
      outputs: [],
      outputMode: "none",
      tags: ["solo"],
      namespace: "grp",
      retries: 0,
      timeoutMs: 1500,
    });
  });

  it("interpolates globals, runtime params and matrix values in every string", () => {
    const { nodes, diagnostics } = expandFiles(
      {
        "pipeline.yml": `nodes:
  - name: "train_{{ globals.suffix }}"
    func: "./src/{{ runtime.mod }}.ts#fit"
    matrix: { k: [1, 2], opt: [adam] }
    inputs: ["data_{{ globals.suffix }}", "params:grid.k{{ matrix.k }}"]
    outputs: { model: "model_{{ matrix.k }}_{{ matrix.opt }}" }
    tags: ["t{{ matrix.k }}"]
`,
      },
      { mod: "models" },
    );
    expect(diagnostics).toEqual([]);
    expect(nodes.map((n) => [n.name, n.baseName, n.func, n.inputs, n.outputs, n.tags])).toEqual([
      ["train_v2@1-adam", "train_v2", "src/models.ts#fit", ["data_v2", "params:grid.k1"], ["model_1_adam"], ["t1"]],
      ["train_v2@2-adam", "train_v2", "src/models.ts#fit", ["data_v2", "params:grid.k2"], ["model_2_adam"], ["t2"]],
    ]);
    expect(nodes[1].source).toEqual({ file: "pipeline.yml", path: ["nodes", 0] });
  });

  it("reports an undefined variable once per string (MLC3004) at its position", () => {
    const { diagnostics } = expandFiles({
      "pipeline.yml": `nodes:
  - name: a
    func: ./x.ts
    matrix: { k: [1, 2] }
    inputs: "{{ globals.missing }}_{{ matrix.k }}"
`,
    });
    expect(diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([["MLC3004", 5, 13]]);
  });

  it("returns named pipelines with their source; a string filter becomes a list", () => {
    const { pipelines } = expandFiles({
      "pipeline.yml": `nodes:
  - { name: a, func: ./x.ts }
pipelines:
  de: { tags: de, nodes: [a] }
  sub: { pipeline: de, from_inputs: [raw] }
`,
    });
    expect(pipelines).toEqual({
      de: { tags: ["de"], nodes: ["a"], source: { file: "pipeline.yml", path: ["pipelines", "de"] } },
      sub: { pipeline: "de", from_inputs: ["raw"], source: { file: "pipeline.yml", path: ["pipelines", "sub"] } },
    });
  });
});

describe("normalizeFunc", () => {
  it.each([
    ["./src/x.ts#f", "pipeline.yml", "src/x.ts#f"],
    ["./src/x.ts#f", "pipelines/a.yml", "pipelines/src/x.ts#f"],
    ["../src/x.ts#f", "pipelines/a.yml", "src/x.ts#f"],
    ["./src/x.ts", "pipeline.yml", "src/x.ts#default"],
    ["./src/x.ts#", "pipeline.yml", "src/x.ts#default"],
    ["src/x.ts#f", "pipelines/a.yml", "pipelines/src/x.ts#f"],
    ["some-pkg#f", "pipelines/a.yml", "some-pkg#f"],
    ["@scope/pkg/sub#f", "pipelines/a.yml", "@scope/pkg/sub#f"],
    ["some-pkg", "pipeline.yml", "some-pkg#default"],
    ["/root/proj/src/y.js#g", "pipeline.yml", "src/y.js#g"],
  ])("%s in %s -> %s", (func, file, want) => {
    expect(normalizeFunc(func, file, "/root/proj")).toBe(want);
  });
});

describe("parseTimeout", () => {
  it.each([
    ["10m", 600_000],
    ["30s", 30_000],
    ["500ms", 500],
    ["1h", 3_600_000],
    ["1.5s", 1500],
    [" 2 s ", 2000],
    [250, 250],
    ["abc", null],
    [-1, null],
    [0, null],
    [undefined, null],
    ["10 minutes", null],
  ] as [unknown, number | null][])("%j -> %j", (v, want) => {
    expect(parseTimeout(v)).toBe(want);
  });
});
