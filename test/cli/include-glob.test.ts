// `include:` with a glob: each matching file is included and becomes a named pipeline under its
// file name, as Kedro's find_pipelines() registers each pipeline package.
import { describe, expect, it } from "vitest";
import { mlc } from "../helpers/cli.js";
import { diagnostics, project } from "./hostile.js";

const FILES = {
  "pipeline.yml": "version: 1\ninclude:\n  - pipeline: pipelines/*.yml\n",
  "pipelines/data_processing.yml":
    "version: 1\nnodes:\n  - name: a\n    func: ../src/n.mjs#double\n    inputs: [raw, params:k]\n    outputs: mid\n",
  "pipelines/reporting.yml":
    "version: 1\nnodes:\n  - name: b\n    func: ../src/n.mjs#sum\n    inputs: mid\n    outputs: out\n",
};

describe("include: a glob", () => {
  it("includes every match in name order, each a named pipeline under its file name", () => {
    const root = project(FILES);
    const all = mlc(root, "ls", "--json");
    expect(all.code, all.all).toBe(0);
    expect(JSON.parse(all.stdout).nodes.map((n: { name: string }) => n.name)).toEqual(["a", "b"]);
    const one = mlc(root, "ls", "--json", "--pipeline", "reporting");
    expect(JSON.parse(one.stdout).nodes.map((n: { name: string }) => n.name)).toEqual(["b"]);
    expect(mlc(root, "run", "--pipeline", "data_processing").code).toBe(0);
  });

  it("a pipelines: entry of the same name keeps its own definition; a glob matching nothing is MLC3007", () => {
    const root = project({
      ...FILES,
      "pipeline.yml": FILES["pipeline.yml"] + "pipelines:\n  reporting: { nodes: [a] }\n",
    });
    const r = mlc(root, "ls", "--json", "--pipeline", "reporting");
    expect(JSON.parse(r.stdout).nodes.map((n: { name: string }) => n.name)).toEqual(["a"]);
    const none = project({ "pipeline.yml": "version: 1\ninclude:\n  - pipeline: nope/*.yml\n" });
    const { diags } = diagnostics(none);
    expect(diags).toContainEqual(
      expect.objectContaining({
        code: "MLC3007",
        file: "pipeline.yml",
        line: 3,
        message: 'include "nope/*.yml": no file matches',
      }),
    );
  });
});
