// Modular pipelines: Kedro's pipeline() remapping rules (ported from the behaviour its
// test_modular_pipeline.py checks) on remapNodes, and include: files on disk via expandPipeline.
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CompileContext } from "../../compiler/diagnostics.js";
import { remapNodes, type RemapSpec } from "../../compiler/namespace.js";
import type { ResolvedNode } from "../../compiler/types.js";
import { expandFiles } from "./algebra-helpers.js";

type IO = string | string[] | Record<string, string> | null;

function node(name: string, inputs: IO, outputs: IO, extra: Partial<ResolvedNode> = {}): ResolvedNode {
  const flat = (v: IO) =>
    v === null
      ? { names: [], mode: "none" as const }
      : typeof v === "string"
        ? { names: [v], mode: "single" as const }
        : Array.isArray(v)
          ? { names: v, mode: "list" as const }
          : { names: Object.values(v), mode: "map" as const, keys: Object.keys(v) };
  const i = flat(inputs);
  const o = flat(outputs);
  return {
    name,
    baseName: name,
    func: "src/x.ts#f",
    inputs: i.names,
    inputMode: i.mode,
    ...(i.keys ? { inputKeys: i.keys } : {}),
    outputs: o.names,
    outputMode: o.mode,
    ...(o.keys ? { outputKeys: o.keys } : {}),
    tags: [],
    namespace: null,
    retries: 0,
    timeoutMs: null,
    source: { file: "sub.yml", path: ["nodes", 0] },
    ...extra,
  };
}

const AT = { file: "pipeline.yml", path: ["include", 0] };

function remap(nodes: ResolvedNode[], spec: Partial<RemapSpec>) {
  const ctx = new CompileContext("/p");
  const out = remapNodes(nodes, { namespace: null, tags: [], ...spec }, AT, 'include "./sub.yml"', ctx);
  const io = Object.fromEntries(out.map((n) => [n.name, [n.inputs, n.outputs]]));
  return { out, io, reports: ctx.reports };
}

const three = [
  node("node1", "A", "B"),
  node("node2", ["C", "D"], ["E", "F"]),
  node("node3", { input1: "H", input2: "J" }, { K: "L" }),
];

describe("remapNodes (Kedro pipeline() rules)", () => {
  it("renames mapped datasets in string, list and map IO (transform_dataset_names)", () => {
    const r = remap(three, {
      inputs: { A: "A_new", D: "D_new", H: "H_new" },
      outputs: { B: "B_new", E: "E_new", L: "L_new" },
    });
    expect(r.reports).toEqual([]);
    expect(r.io).toEqual({
      node1: [["A_new"], ["B_new"]],
      node2: [
        ["C", "D_new"],
        ["E_new", "F"],
      ],
      node3: [["H_new", "J"], ["L_new"]],
    });
    expect(r.out[2].inputKeys).toEqual(["input1", "input2"]);
  });

  it("prefixes every dataset and node name with the namespace (prefix_dataset_names)", () => {
    const r = remap(three, { namespace: "PREFIX" });
    expect(r.io).toEqual({
      "PREFIX.node1": [["PREFIX.A"], ["PREFIX.B"]],
      "PREFIX.node2": [
        ["PREFIX.C", "PREFIX.D"],
        ["PREFIX.E", "PREFIX.F"],
      ],
      "PREFIX.node3": [["PREFIX.H", "PREFIX.J"], ["PREFIX.L"]],
    });
    expect(r.out.map((n) => n.namespace)).toEqual(["PREFIX", "PREFIX", "PREFIX"]);
  });

  it("explicit mappings win over the prefix (prefixing_and_renaming)", () => {
    const r = remap([node("n", ["C", "D"], ["E", "F"])], {
      namespace: "PREFIX",
      inputs: { C: "C_new" },
      outputs: { E: "E_new" },
    });
    expect(r.io["PREFIX.n"]).toEqual([
      ["C_new", "PREFIX.D"],
      ["E_new", "PREFIX.F"],
    ]);
  });

  it.each([
    ["A", "D"],
    [["A"], ["D"]],
    [{ A: "A" }, { D: "D" }],
  ])("names given as %j / %j stay unprefixed (prefix_exclude_free_inputs)", (inputs, outputs) => {
    const r = remap([node("node1", "A", "B"), node("node2", "B", "C"), node("node3", "C", "D")], {
      namespace: "PREFIX",
      inputs,
      outputs,
    });
    expect(r.reports).toEqual([]);
    expect(r.io).toEqual({
      "PREFIX.node1": [["A"], ["PREFIX.B"]],
      "PREFIX.node2": [["PREFIX.B"], ["PREFIX.C"]],
      "PREFIX.node3": [["PREFIX.C"], ["D"]],
    });
  });

  it("prefixes params:x but never `parameters` (transform_params_prefix_and_parameters)", () => {
    const r = remap(
      [
        node("node1", "parameters", "out1"),
        node("node2", ["params:C", "D"], ["F"]),
        node("node3", { a: "params:H", b: "parameters" }, { K: "L" }),
      ],
      { namespace: "PREFIX" },
    );
    expect(r.io).toEqual({
      "PREFIX.node1": [["parameters"], ["PREFIX.out1"]],
      "PREFIX.node2": [["params:PREFIX.C", "PREFIX.D"], ["PREFIX.F"]],
      "PREFIX.node3": [["params:PREFIX.H", "parameters"], ["PREFIX.L"]],
    });
  });

  it("renames an exposed intermediate output for its producer and its consumers (expose_intermediate_output)", () => {
    const nodes = [
      node("node1", "A", "B"),
      node("node2", "B", "C"),
      node("node3", "C", "D"),
      node("node4", ["D", "params:x"], "X"),
    ];
    const r = remap(nodes, { namespace: "ACTUAL", outputs: { B: "B_new" } });
    expect(r.io).toEqual({
      "ACTUAL.node1": [["ACTUAL.A"], ["B_new"]],
      "ACTUAL.node2": [["B_new"], ["ACTUAL.C"]],
      "ACTUAL.node3": [["ACTUAL.C"], ["ACTUAL.D"]],
      "ACTUAL.node4": [["ACTUAL.D", "params:ACTUAL.x"], ["ACTUAL.X"]],
    });
  });

  it.each([["x"], [["x"]], [["params:x"]], [{ x: "x" }], [{ "params:x": "params:x" }]])(
    "parameters %j keep params:x unprefixed",
    (parameters) => {
      const r = remap([node("node1", ["A", "params:x", "params:y"], "AA")], {
        namespace: "PREFIX",
        outputs: { AA: "B" },
        parameters,
      });
      expect(r.reports).toEqual([]);
      expect(r.io["PREFIX.node1"]).toEqual([["PREFIX.A", "params:x", "params:PREFIX.y"], ["B"]]);
    },
  );

  it("maps parameters with a map (parameters_updated_with_dict)", () => {
    const nodes = [
      node("node1", ["A", "params:x"], "AA"),
      node("node2", ["AA", "params:y"], "B"),
      node("node3", ["B", "params:x"], "BB"),
    ];
    const r = remap(nodes, { namespace: "ACTUAL", outputs: { B: "B_new" }, parameters: { x: "X" } });
    expect(r.io).toEqual({
      "ACTUAL.node1": [["ACTUAL.A", "params:X"], ["ACTUAL.AA"]],
      "ACTUAL.node2": [["ACTUAL.AA", "params:ACTUAL.y"], ["B_new"]],
      "ACTUAL.node3": [["B_new", "params:X"], ["ACTUAL.BB"]],
    });
  });

  it("nests namespaces outer-first and adds include tags to every node", () => {
    const inner = remap(
      [node("fit", "data", "model", { namespace: "own", name: "own.fit", baseName: "own.fit", tags: ["t"] })],
      { namespace: "b" },
    ).out;
    const r = remap(inner, { namespace: "a", tags: ["outer", "a-tag"] });
    expect(r.out[0]).toMatchObject({
      name: "a.b.own.fit",
      baseName: "a.b.own.fit",
      namespace: "a.b.own",
      inputs: ["a.b.data"],
      outputs: ["a.b.model"],
      tags: ["a-tag", "outer", "t"],
    });
  });

  describe("errors (MLC3007, each at its mapping entry, rejected mappings not applied)", () => {
    const pipe = [node("node1", ["A", "params:alpha"], "AA"), node("node2", ["AA", "parameters"], "BB")];
    const codes = (r: ReturnType<typeof remap>) =>
      r.reports.map((x) => [x.code, x.at?.path.join("/"), x.message.replace('include "./sub.yml": ', "")]);

    it("a parameter under inputs or outputs", () => {
      const r = remap(pipe, {
        inputs: { "params:alpha": "params:beta", parameters: "yaml_ds" },
        outputs: ["parameters"],
      });
      expect(codes(r)).toEqual([
        ["MLC3007", "include/0/inputs/params:alpha", '"params:alpha" is a parameter, not a dataset'],
        ["MLC3007", "include/0/inputs/parameters", '"parameters" is a parameter, not a dataset'],
        ["MLC3007", "include/0/outputs/0", '"parameters" is a parameter, not a dataset'],
      ]);
      expect(r.io.node1[0]).toEqual(["A", "params:alpha"]);
    });

    it("an input that is not free, an output that nothing produces", () => {
      const r = remap(pipe, { inputs: { AA: "CC" }, outputs: "A" });
      expect(codes(r)).toEqual([
        [
          "MLC3007",
          "include/0/inputs/AA",
          'input "AA" is produced by node "node1" inside the included pipeline; only free inputs can be mapped',
        ],
        ["MLC3007", "include/0/outputs", 'output "A" is not produced by any node of the included pipeline'],
      ]);
      expect(r.io.node2[0]).toEqual(["AA", "parameters"]);
    });

    it("unknown datasets and parameters, with suggestions (missing_dataset_name, non_existent_parameters_mapped)", () => {
      const r = remap(pipe, {
        inputs: { A: "A_new", ZZZ: "C" },
        outputs: { BB: "B_new", AAA: "D" },
        parameters: { alpah: "gamma", beta: "x" },
      });
      expect(codes(r)).toEqual([
        ["MLC3007", "include/0/inputs/ZZZ", 'input "ZZZ" is not a dataset of the included pipeline'],
        [
          "MLC3007",
          "include/0/outputs/AAA",
          'output "AAA" is not a dataset of the included pipeline (did you mean "AA"?)',
        ],
        [
          "MLC3007",
          "include/0/parameters/alpah",
          'parameter "alpah" is not used by the included pipeline (did you mean "alpha"?)',
        ],
        ["MLC3007", "include/0/parameters/beta", 'parameter "beta" is not used by the included pipeline'],
      ]);
      expect(r.reports[0].at).toMatchObject({ key: true });
      expect(r.io.node1).toEqual([["A_new", "params:alpha"], ["AA"]]);
    });
  });
});

describe("include: files", () => {
  it("resolves paths relative to each including file and nests namespaces", () => {
    const { nodes, diagnostics } = expandFiles({
      "pipeline.yml":
        "nodes:\n  - { name: top, func: ./src/t.ts#f, outputs: raw }\ninclude:\n  - pipeline: ./pipes/outer.yml\n    namespace: a\n    inputs: { src: raw }\n    tags: [mod]\n",
      "pipes/outer.yml":
        "nodes:\n  - { name: prep, func: ./local.ts#p, inputs: src, outputs: prepped }\ninclude:\n  - { pipeline: ./deep/inner.yml, namespace: b, inputs: { x: prepped } }\n",
      "pipes/deep/inner.yml":
        "nodes:\n  - { name: fit, func: ../../src/fit.ts#fit, inputs: [x, params:lr], outputs: model }\n",
    });
    expect(diagnostics).toEqual([]);
    expect(nodes.map((n) => [n.name, n.namespace, n.func, n.inputs, n.outputs, n.tags, n.source.file])).toEqual([
      ["top", null, "src/t.ts#f", [], ["raw"], [], "pipeline.yml"],
      ["a.prep", "a", "pipes/local.ts#p", ["raw"], ["a.prepped"], ["mod"], "pipes/outer.yml"],
      [
        "a.b.fit",
        "a.b",
        "src/fit.ts#fit",
        ["a.prepped", "params:a.b.lr"],
        ["a.b.model"],
        ["mod"],
        "pipes/deep/inner.yml",
      ],
    ]);
  });

  it("reports a three-file include cycle once, at the entry that closes it", () => {
    const { diagnostics } = expandFiles({
      "pipeline.yml": "include:\n  - pipeline: ./a.yml\n",
      "a.yml": "nodes: []\ninclude:\n  - pipeline: ./b.yml\n",
      "b.yml": "nodes: []\ninclude:\n  - pipeline: ./c.yml\n",
      "c.yml": "nodes: []\ninclude:\n  - pipeline: ./a.yml\n",
    });
    expect(diagnostics.map((d) => [d.code, d.file, d.line, d.column, d.message])).toEqual([
      ["MLC3007", "c.yml", 3, 15, 'include "./a.yml": include cycle a.yml -> b.yml -> c.yml -> a.yml'],
    ]);
  });

  it("includes one file many times (a diamond of includes is not a cycle)", () => {
    const { nodes, diagnostics } = expandFiles({
      "pipeline.yml":
        "include:\n  - { pipeline: ./mid.yml, namespace: l }\n  - { pipeline: ./mid.yml, namespace: r }\n",
      "mid.yml": "include:\n  - { pipeline: ./leaf.yml, namespace: x }\n  - { pipeline: ./leaf.yml, namespace: y }\n",
      "leaf.yml": "nodes:\n  - { name: n, func: ./f.ts, inputs: i, outputs: o }\n",
    });
    expect(diagnostics).toEqual([]);
    expect(nodes.map((n) => n.name)).toEqual(["l.x.n", "l.y.n", "r.x.n", "r.y.n"]);
  });

  it("stops at an included file that fails its schema (reported by the validator)", () => {
    const { nodes, diagnostics } = expandFiles({
      "pipeline.yml": "nodes:\n  - { name: a, func: ./f.ts }\ninclude:\n  - pipeline: ./bad.yml\n",
      "bad.yml": "nodes:\n  - { name: b, func: ./f.ts, bogus: 1 }\n",
    });
    expect(nodes.map((n) => n.name)).toEqual(["a"]);
    expect(diagnostics.map((d) => [d.code, d.file, d.line])).toEqual([["MLC2001", "bad.yml", 2]]);
  });

  it("sees through a symlinked folder that loops back (an error, never endless nesting)", () => {
    const files = {
      "pipeline.yml":
        "nodes:\n  - { name: a, func: ./f.ts }\ninclude:\n  - { pipeline: ./loop/pipeline.yml, namespace: x }\n",
    };
    // expandFiles writes and expands at once, so build the symlink through a second run on the same root.
    const first = expandFiles(files);
    symlinkSync(first.root, join(first.root, "loop"), "dir");
    const again = expandFiles({ ...files }, {}, first.root);
    expect(again.diagnostics.map((d) => [d.code, d.line, d.message])).toEqual([
      ["MLC3007", 4, 'include "./loop/pipeline.yml": include cycle pipeline.yml -> pipeline.yml'],
    ]);
  });

  it("stops following includes nested deeper than the limit", () => {
    const files: Record<string, string> = { "pipeline.yml": "include:\n  - pipeline: ./f1.yml\n" };
    for (let i = 1; i <= 70; i++)
      files[`f${i}.yml`] = `nodes:\n  - { name: n${i}, func: ./f.ts }\ninclude:\n  - pipeline: ./f${i + 1}.yml\n`;
    files["f71.yml"] = "nodes: []\n";
    const { nodes, diagnostics } = expandFiles(files);
    expect(diagnostics.map((d) => [d.code, d.file, d.message])).toEqual([
      ["MLC3007", "f64.yml", 'include "./f65.yml": includes nested more than 64 levels deep'],
    ]);
    expect(nodes).toHaveLength(64);
  });

  it("interpolates globals in include entries (path, mapping values)", () => {
    const { nodes, diagnostics } = expandFiles({
      "pipeline.yml":
        'include:\n  - pipeline: "./{{ globals.suffix }}.yml"\n    namespace: m\n    outputs: { o: "out_{{ globals.n }}" }\n',
      "v2.yml": "nodes:\n  - { name: n, func: ./f.ts, outputs: o }\n",
    });
    expect(diagnostics).toEqual([]);
    expect(nodes.map((n) => [n.name, n.outputs])).toEqual([["m.n", ["out_3"]]]);
  });
});
