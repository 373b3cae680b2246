// plan (order, release counts, free inputs) and Kedro's resume suggestion.
import { describe, expect, it } from "vitest";
import { plan } from "../../executors/plan.js";
import { missingInputs, workingSelection } from "../../executors/partial-run.js";
import { quote, resumeCommand, resumeNodes } from "../../executors/resume.js";
import { graph, node } from "./helpers.js";

const json = (f: string) => ({ type: "json", filepath: `data/${f}.json` });

describe("plan", () => {
  it("orders topologically with ties by name, counts memory consumers, lists free inputs", () => {
    const g = graph([node("z", ["raw", "params:k"], ["m"]), node("b", ["m"], ["p"]), node("a", ["m", "p"], ["out"])], {
      raw: json("raw"),
      p: json("p"),
    });
    const p = plan(g);
    expect(p.order).toEqual(["z", "b", "a"]);
    expect(p.releaseCounts).toEqual({ m: 2 });
    expect(p.freeInputs).toEqual(["raw"]);
  });

  it("plans a subset with `only` and counts only planned consumers", () => {
    const g = graph([node("a", [], ["m"]), node("b", ["m"], ["n"]), node("c", ["m", "n"], [])]);
    const p = plan(g, { only: ["a", "b"] });
    expect(p.order).toEqual(["a", "b"]);
    expect(p.releaseCounts).toEqual({ m: 1 });
  });
});

describe("resumeNodes (Kedro's suggestion)", () => {
  // a -(memory m)-> b -(json p)-> c -(memory q)-> d ; e reads raw on its own
  const g = graph(
    [
      node("a", ["raw"], ["m"]),
      node("b", ["m", "params:x"], ["p"]),
      node("c", ["p"], ["q"]),
      node("d", ["q"], ["out"]),
      node("e", ["raw"], ["e_out"]),
    ],
    { raw: json("raw"), p: json("p"), out: json("out"), e_out: json("e_out") },
  );

  it("restarts at a failed node whose inputs are persisted", () => {
    expect(resumeNodes(g, new Set(["a", "b", "e"]))).toEqual(["c"]);
  });

  it("walks up past memory inputs to the nearest persisted ancestors (params never count)", () => {
    expect(resumeNodes(g, new Set(["a", "e"]))).toEqual(["a"]);
  });

  it("includes unfinished independent branches", () => {
    expect(resumeNodes(g, new Set(["a", "b"]))).toEqual(["c", "e"]);
  });

  it("suggests nothing when everything completed", () => {
    expect(resumeNodes(g, new Set(["a", "b", "c", "d", "e"]))).toEqual([]);
  });

  it("reruns a producer of a memory input even when it is downstream of completed nodes", () => {
    expect(resumeNodes(g, new Set(["a", "b", "c", "e"]))).toEqual(["c"]);
  });
});

describe("resumeCommand", () => {
  it("keeps the original selection and flags and replaces from_nodes", () => {
    const cmd = resumeCommand({ pipeline: "training", from_nodes: ["x"], tags: ["t1", "t2"] }, ["c", "e"], {
      project: "my proj",
      env: "prod",
      params: "a.b=1",
    });
    expect(cmd).toBe(
      "mlc run --project 'my proj' --env prod --params a.b=1 --pipeline training --from-nodes c,e --tags t1,t2",
    );
  });
  it("repeats the pipeline file given on the command line, with its --catalog, before the flags", () => {
    const flags = { pipeline: "pipeline-sql.yml", catalog: "my catalog.yml", env: "pg" };
    expect(resumeCommand({}, ["c"], flags)).toBe(
      "mlc run pipeline-sql.yml --catalog 'my catalog.yml' --env pg --from-nodes c",
    );
    expect(resumeCommand({}, ["c"], { catalog: "unused without a file.yml" })).toBe("mlc run --from-nodes c");
  });
  it("quotes what a shell would split", () => {
    expect(quote("a b")).toBe("'a b'");
    expect(quote("it's")).toBe("'it'\\''s'");
    expect(quote("ns.node@8")).toBe("ns.node@8");
  });
});

describe("workingSelection (the nearest selection that can run, issue 19 item 1)", () => {
  // a -(memory m)-> b -(json p)-> c ; a is not tagged t
  const g = graph(
    [node("a", ["raw"], ["m"]), node("b", ["m"], ["p"], { tags: ["t"] }), node("c", ["p"], ["out"], { tags: ["t"] })],
    { raw: json("raw"), p: json("p"), out: json("out") },
  );

  it("moves --from-nodes up to the producer of a memory input", () => {
    expect(workingSelection(g, { from_nodes: ["b"] }, new Set(["b", "c"]))).toEqual({
      selection: { from_nodes: ["a"] },
      nodes: ["a"],
    });
    expect(missingInputs(g, g)).toEqual([]);
  });

  it("falls back to --nodes when the other filters would drop the producer", () => {
    expect(workingSelection(g, { tags: ["t"] }, new Set(["b", "c"]))).toEqual({
      selection: { nodes: ["a", "b", "c"] },
      nodes: ["a", "b", "c"],
    });
  });

  it("keeps a persisted input's producer out", () => {
    expect(workingSelection(g, { tags: ["t"] }, new Set(["c"]))).toEqual({
      selection: { tags: ["t"], from_nodes: ["c"] },
      nodes: ["c"],
    });
  });
});
