// Memory values kept in the cache must come back as they were made. A class instance would come back
// from v8 as a bare object without its methods, so it is not kept: its up-to-date producer reruns
// whenever a consumer runs, and `mlc status` says why.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mlc } from "../helpers/cli.js";
import { cleanupIncProjects, executed, incProject } from "./project.js";

afterAll(cleanupIncProjects);

const PIPELINE = `version: 1
nodes:
  - { name: fit, func: ./src/model.mjs#fit, inputs: [raw], outputs: model }
  - { name: predict, func: ./src/model.mjs#predict, inputs: [model, "params:x"], outputs: prediction }
`;

const MODEL = `class Line {
  constructor(slope) { this.slope = slope; }
  predict(x) { return this.slope * x; }
}
export const fit = (raw) => new Line(raw.length);
export const predict = (model, x) => model.predict(x);
`;

function modelProject(): string {
  const root = incProject();
  writeFileSync(join(root, "pipeline.yml"), PIPELINE);
  writeFileSync(
    join(root, "conf/base/catalog.yml"),
    [
      "raw: { type: json, filepath: data/raw.json }",
      "prediction: { type: json, filepath: data/prediction.json }\n",
    ].join("\n"),
  );
  writeFileSync(join(root, "conf/base/parameters.yml"), "x: 2\n");
  writeFileSync(join(root, "src/model.mjs"), MODEL);
  return root;
}

// Sequential only: the parallel executor refuses a class instance between nodes (MLC5005).
describe("kept memory values", () => {
  it("a class instance is not kept: its producer reruns for a consumer that runs, which gets a real instance", () => {
    const root = modelProject();
    const first = mlc(root, "run");
    expect(first.code, first.all).toBe(0);
    const r = mlc(root, "status", "--json", "--params", "x=5");
    const reasons = Object.fromEntries(
      (JSON.parse(r.stdout) as { nodes: { name: string; reason: string }[] }).nodes.map((n) => [n.name, n.reason]),
    );
    expect(reasons).toEqual({
      fit: "output not kept (model: it holds an instance of Line (its methods would be lost))",
      predict: "parameter changed (params:x: 2 -> 5)",
    });
    const out = mlc(root, "run", "--params", "x=5");
    expect(out.code, out.all).toBe(0);
    expect(executed(root)).toEqual(["fit", "predict"]);
    expect(readFileSync(join(root, "data/prediction.json"), "utf8").trim()).toBe("15");
  });
});
