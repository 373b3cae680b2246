// Memory values kept in the cache must come back as they were made. A class instance would come back
// from v8 as a bare object without its methods, so it is not kept: its up-to-date producer reruns
// whenever a consumer runs, and `mlc status` says why.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mlc } from "../helpers/cli.js";
import { cleanupIncProjects, executed, incProject, setParam } from "./project.js";

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

  it("a kept value that is not the bytes its producer saved (cut short, or changed) fails its reader, naming the fix", () => {
    const root = incProject();
    expect(mlc(root, "run").code).toBe(0);
    const values = join(root, ".mlc/cache/values");
    const [file] = readdirSync(values).map((f) => join(values, f)); // m1's value, the only one kept
    const good = readFileSync(file);
    const changed = Buffer.from(good);
    changed[changed.length - 1] ^= 0xff;
    let k = 10;
    for (const bytes of [good.subarray(0, good.length - 2), changed]) {
      writeFileSync(file, bytes);
      setParam(root, "k", String((k *= 10)));
      const r = mlc(root, "run");
      expect(r.code).not.toBe(0);
      expect(r.all).toContain("MLC6001");
      expect(r.all).toContain('the kept value of "mem_a" is damaged');
      expect(r.all).toContain("mlc run --force-nodes m1");
      expect(r.all).not.toMatch(/\n\s+at /); // no stack trace
      expect(readFileSync(join(root, "data/chain_out.json"), "utf8").trim()).toBe("90"); // never a wrong value
    }
    expect(mlc(root, "run", "--force-nodes", "m1").code).toBe(0);
    expect(readFileSync(join(root, "data/chain_out.json"), "utf8").trim()).toBe("9000");
    expect(mlc(root, "run").code).toBe(0);
    expect(executed(root)).toEqual(["noisy"]);
  });
});
