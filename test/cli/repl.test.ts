// `mlc repl` and the public `openProject` API, as `kedro ipython` and a pipeline unit test use them.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openProject } from "../../index.js";
import { spawnMlcInteractive } from "../helpers/cli.js";
import { project } from "./hostile.js";

describe("openProject", () => {
  it("gives the catalog, params and pipelines, and runPipeline runs on in-memory inputs only", async () => {
    const root = project();
    const p = await openProject(root);
    expect(await p.catalog.load("raw")).toEqual([1, 2, 3]);
    expect(p.params).toMatchObject({ k: 2 });
    expect(p.pipelines.__default__).toEqual(["a", "b"]);
    expect(await p.runPipeline({ raw: [10, 20] })).toEqual({ mid: [20, 40], out: 60 });
    // Only the selected node, fed directly; no file written, no run recorded.
    expect(await p.runPipeline({ mid: [1, 1] }, { nodes: ["b"] })).toEqual({ out: 2 });
    expect(existsSync(join(root, "data/out.json"))).toBe(false);
    expect(existsSync(join(root, ".mlc/runs"))).toBe(false);
    await expect(p.runPipeline({})).rejects.toMatchObject({
      code: "MLC6001",
      message: expect.stringContaining('"raw"'),
    });
  });

  it("run() is a recorded run, and an invalid project is one coded error", async () => {
    const root = project();
    const outcome = await (await openProject(root)).run();
    expect(outcome.record?.status).toBe("success");
    expect(JSON.parse(readFileSync(join(root, "data/out.json"), "utf8"))).toBe(12);
    const bad = project({
      "pipeline.yml": "version: 1\nnodes:\n  - name: a\n    func: ./src/n.mjs#nope\n    outputs: x\n",
    });
    await expect(openProject(bad)).rejects.toMatchObject({ code: "MLC3006" });
  });
});

describe("mlc repl", () => {
  it("evaluates against the project's catalog, params and TypeScript modules", async () => {
    const root = project({ "src/util.ts": "export const triple = (x: number): number => x * 3;\n" });
    const child = spawnMlcInteractive(root, ["repl"]);
    let out = "";
    let waiting: (() => void) | null = null;
    child.stdout.on("data", (c) => {
      out += c;
      if (out.endsWith("mlc> ")) waiting?.();
    });
    const prompt = () => new Promise<void>((res) => (waiting = res));
    const closed = new Promise<number | null>((res) => child.on("close", res));
    await prompt();
    // One line at a time, each after the previous answer's prompt, as a user types them.
    for (const line of [
      'JSON.stringify(await catalog.load("raw"))',
      "params.k * 10",
      '(await importModule("src/util.ts")).triple(7)',
      "JSON.stringify(await runPipeline({ raw: [5] }))",
      // A recorded run from the prompt (Node's REPL refuses the uncaughtException trap a run sets).
      '"status=" + (await run()).record.status',
    ]) {
      child.stdin.write(line + "\n");
      await prompt();
    }
    child.stdin.end(".exit\n");
    expect(await closed).toBe(0);
    expect(out).toContain("'[1,2,3]'");
    expect(out).toContain("20");
    expect(out).toContain("21");
    expect(out).toContain(`'{"mid":[10],"out":10}'`);
    expect(out).toContain("'status=success'");
    expect(JSON.parse(readFileSync(join(root, "data/out.json"), "utf8"))).toBe(12);
  });
});
