// `--params` as Kedro users write it: dotted names, YAML scalars, and YAML flow lists and maps.
import { describe, expect, it } from "vitest";
import { parseParams } from "../../cli/project.js";
import { mlc } from "../helpers/cli.js";
import { expectNoTrace, lastRun, project } from "./hostile.js";

describe("--params", () => {
  it("takes YAML flow lists and maps next to scalars, split only on top-level commas", async () => {
    expect(await parseParams("features=[a,b],model={k: 3, tags: [x, y]},seed=1,name='p,q',title=it's")).toEqual({
      features: ["a", "b"],
      model: { k: 3, tags: ["x", "y"] },
      seed: 1,
      name: "p,q",
      title: "it's",
    });
    // A colon in a plain value is still the string it reads as, not a map.
    expect(await parseParams("url=http://h:1/x,a.b=true")).toEqual({ url: "http://h:1/x", a: { b: true } });
  });

  it("a malformed flow value is a usage error naming the key", async () => {
    await expect(parseParams("features=[a,b")).rejects.toThrow(/--params: "features": \[a,b is not a YAML flow list/);
    const r = mlc(project(), "run", "--params", "features=[a,{b]");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--params: "features"');
    expectNoTrace(r.all);
  });

  it("a run records the list it was given", () => {
    const root = project();
    const r = mlc(root, "run", "--params", "features=[a,b],k=2");
    expect(r.code, r.all).toBe(0);
    const run = lastRun(root) as unknown as { params: Record<string, unknown> };
    expect(run.params).toMatchObject({ features: ["a", "b"], k: 2 });
  });
});
