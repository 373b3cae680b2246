// One root cause, one error: a file that does not parse is reported once, without the false
// "no catalog entry", "unknown parameter" or "unused" diagnostics its missing content would cause.
import { describe, expect, it } from "vitest";
import { diagnostics, project } from "./hostile.js";

const brief = (root: string) => {
  const { code, diags } = diagnostics(root);
  return { code, diags: diags.map((d) => `${d.file}:${d.line} ${d.code}`) };
};

describe("a file that does not parse", () => {
  it("catalog.yml: only its syntax error, no MLC3001 for the entries it holds", () => {
    const root = project({
      "conf/base/catalog.yml": "raw:\n  type: json\n   filepath: data/raw.json\nout:\n  type: json\n",
    });
    expect(brief(root)).toEqual({ code: 1, diags: ["conf/base/catalog.yml:3 MLC1001"] });
  });

  it("parameters.yml: only its syntax error, no MLC3002 for the parameters nodes read", () => {
    const root = project({ "conf/base/parameters.yml": "k: 2\n  j: [\n" });
    expect(brief(root)).toEqual({
      code: 1,
      diags: [expect.stringMatching(/^conf\/base\/parameters.yml:\d+ MLC1001$/)],
    });
  });

  it("an included pipeline: only its syntax error, no MLC3007 with a path hint and no unused warnings", () => {
    const root = project({
      "pipeline.yml": "version: 1\ninclude:\n  - pipeline: ./sub.yml\n    namespace: s\n",
      "sub.yml": "version: 1\nnodes:\n  - name: a\n     func: ./src/n.mjs#sum\n    inputs: raw\n    outputs: out\n",
      "conf/base/parameters.yml": "s:\n  k: 1\n",
    });
    expect(brief(root)).toEqual({ code: 1, diags: ["sub.yml:4 MLC1001"] });
  });

  it("a missing included pipeline still gets MLC3007 with the path hint", () => {
    const root = project({ "pipeline.yml": "version: 1\ninclude:\n  - pipeline: ./nope.yml\n" });
    const { diags } = diagnostics(root);
    expect(diags.find((d) => d.code === "MLC3007")).toMatchObject({
      file: "pipeline.yml",
      hint: "paths in include: are relative to the file that includes them",
    });
  });
});
