// Incremental runs end to end through the built CLI (SPEC section 9), under both executors: each
// cause `mlc status` gives, each decision, early cutoff, --force, crash recovery, cache gc.
import { appendFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mlc, mlcWith } from "../helpers/cli.js";
import { cleanupIncProjects, executed, incProject, setParam, statuses } from "./project.js";

afterAll(cleanupIncProjects);

type StatusJson = { nodes: { name: string; up_to_date: boolean; upstream: boolean; reason: string }[] };

function status(root: string, ...args: string[]): Record<string, string> {
  const r = mlc(root, "status", "--json", ...args);
  expect(r.code, r.all).toBe(0);
  return Object.fromEntries((JSON.parse(r.stdout) as StatusJson).nodes.map((n) => [n.name, n.reason]));
}

const ALL = ["m1", "m2", "noisy", "prep", "report", "shape"];

describe.each(["sequential", "parallel"])("incremental runs (%s)", (executor) => {
  let last = "";
  // --explain: a failing count shows why each node ran.
  const run = (root: string, ...args: string[]) => {
    const r = mlc(root, "run", "--explain", "--executor", executor, ...args);
    expect(r.code, r.all).toBe(0);
    last = r.stdout;
    return r;
  };
  const expectRan = (root: string, names: string[]) => expect(executed(root), last).toEqual(names);

  it("runs everything once, then only the cache: false node; a selection runs nothing and says so", () => {
    const root = incProject();
    expect(status(root).prep).toBe("never run");
    run(root);
    expectRan(root, ALL);
    const noise = readFileSync(join(root, "data/noise.json"), "utf8");
    run(root);
    expectRan(root, ["noisy"]);
    expect(statuses(root).prep).toBe("cached");
    expect(readFileSync(join(root, "data/noise.json"), "utf8")).not.toBe(noise);
    const s = status(root);
    expect(s.noisy).toBe("always runs");
    expect(s.report).toBe("up to date");
    const r = run(root, "--nodes", "prep,shape,report");
    expectRan(root, []);
    expect(r.stdout).toContain("Nothing to run: all 3 nodes are up to date (cached).");
  });

  it("a helper module edit (TS or plain JS) reruns the nodes whose bundle includes it, not the others", () => {
    const root = incProject();
    run(root);
    appendFileSync(join(root, "src/helper.ts"), "export const unused = 1;\n");
    const s = status(root);
    expect(s.prep).toBe("code changed (src/helper.ts)");
    expect(s.report).toBe("code changed (src/helper.ts)");
    expect(s.m1).toBe("up to date");
    run(root);
    expectRan(root, ["noisy", "prep", "report", "shape"]);
    appendFileSync(join(root, "src/chain-helper.mjs"), "export const unused = 2;\n");
    expect(status(root).m1).toBe("code changed (src/chain-helper.mjs)");
    run(root);
    expectRan(root, ["m1", "m2", "noisy"]);
  });

  it("a parameter change with identical output reruns only that node; a whitespace-only change reruns downstream", () => {
    const root = incProject();
    run(root);
    setParam(root, "mode", "PLAIN");
    const s = status(root);
    expect(s.shape).toBe('parameter changed (params:mode: "plain" -> "PLAIN")');
    expect(s.report).toBe("input changed (shaped, upstream: shape runs)");
    run(root);
    expectRan(root, ["noisy", "shape"]);
    setParam(root, "mode", "pad");
    run(root);
    expectRan(root, ["noisy", "report", "shape"]);
    expect(JSON.parse(readFileSync(join(root, "data/report.json"), "utf8"))).toEqual({ chars: 9 });
  });

  it("a deleted output reruns its producer; an output edited by hand too, and its consumers stay cached", () => {
    const root = incProject();
    run(root);
    rmSync(join(root, "data/report.json"));
    expect(status(root).report).toBe("output missing or modified (report)");
    run(root);
    expectRan(root, ["noisy", "report"]);
    writeFileSync(join(root, "data/scaled.json"), "[0]\n");
    expect(status(root).prep).toBe("output missing or modified (scaled)");
    run(root);
    expectRan(root, ["noisy", "prep"]);
    expect(JSON.parse(readFileSync(join(root, "data/scaled.json"), "utf8"))).toEqual([2, 4, 6]);
  });

  it("in a memory chain only the node whose parameter changed reruns, with the kept upstream value", () => {
    const root = incProject();
    run(root);
    setParam(root, "k", "100");
    expect(status(root).m2).toBe("parameter changed (params:k: 10 -> 100)");
    run(root);
    expectRan(root, ["m2", "noisy"]);
    expect(statuses(root).m1).toBe("cached");
    expect(JSON.parse(readFileSync(join(root, "data/chain_out.json"), "utf8"))).toBe(900);
    // A kept value is read only when a consumer runs: a run with m2 up to date never reads m1's.
    const values = join(root, ".mlc/cache/values");
    for (const f of readdirSync(values)) writeFileSync(join(values, f), "not a v8 value");
    run(root);
    expectRan(root, ["noisy"]);
  });

  it("--force runs all selected nodes; --force-nodes runs those and their dependents", () => {
    const root = incProject();
    run(root);
    run(root, "--force");
    expectRan(root, ALL);
    run(root, "--force-nodes", "shape");
    expectRan(root, ["noisy", "report", "shape"]);
    expect(status(root).shape).toBe("up to date");
  });

  it("after a crash mid-run what completed stays cached and the rest runs", () => {
    const root = incProject();
    const crashed = mlcWith({ env: { CRASH_IN: "report" } }, root, "run", "--executor", executor);
    expect(crashed.code).not.toBe(0);
    const s = status(root);
    expect(s.prep).toBe("up to date");
    expect(s.shape).toBe("up to date");
    expect(s.report).toBe("never run");
    run(root);
    expect(executed(root)).toContain("report");
    expect(executed(root)).not.toContain("prep");
    expect(executed(root)).not.toContain("shape");
  });
});

describe("cache state written in place", () => {
  it("a torn node state reruns its node, and a torn hash memo is hashed again: never a wrong decision", () => {
    const root = incProject();
    mlc(root, "run");
    const cache = join(root, ".mlc/cache");
    const files = (d: string) => readdirSync(join(cache, d)).map((f) => join(cache, d, f));
    const prepState = files("nodes").find((f) => readFileSync(f, "utf8").includes('"node":"prep"'))!;
    // What a crash or a second writer leaves: the start of the file, or old bytes after new ones.
    writeFileSync(prepState, readFileSync(prepState, "utf8").slice(0, 40));
    for (const memo of files("hashes")) writeFileSync(memo, readFileSync(memo, "utf8") + '"]');
    const s = status(root);
    expect(s.prep).toBe("never run");
    expect(s.shape).toBe("input changed (scaled, upstream: prep runs)");
    expect(mlc(root, "run").code).toBe(0);
    // prep's output comes out the same, so its readers stay cached (early cutoff).
    expect(executed(root)).toEqual(["noisy", "prep"]);
    expect(status(root).prep).toBe("up to date");
    for (const memo of files("hashes")) expect(() => JSON.parse(readFileSync(memo, "utf8"))).not.toThrow();
  });
});

describe("cache settings and commands", () => {
  it("mlc.yml `cache: false` makes every node always run unless the node says cache: true", () => {
    const root = incProject();
    writeFileSync(join(root, "mlc.yml"), "cache: false\n");
    const p = join(root, "pipeline.yml");
    writeFileSync(p, readFileSync(p, "utf8").replace("outputs: scaled }", "outputs: scaled, cache: true }"));
    mlc(root, "run");
    mlc(root, "run");
    expect(executed(root)).toEqual(ALL.filter((n) => n !== "prep"));
    expect(status(root).shape).toBe("always runs");
  });

  it("run --explain prints the causes before running; status prints a totals line", () => {
    const root = incProject();
    mlc(root, "run");
    setParam(root, "scale", "3");
    const st = mlc(root, "status");
    expect(st.stdout).toMatch(/^prep +parameter changed \(params:scale: 2 -> 3\)$/m);
    expect(st.stdout).toContain("4 of 6 nodes would run (2 only because of an upstream change).");
    const r = mlc(root, "run", "--explain");
    expect(r.code, r.all).toBe(0);
    expect(r.stdout.indexOf("parameter changed")).toBeLessThan(r.stdout.indexOf("Run "));
    expect(executed(root)).toEqual(["noisy", "prep", "report", "shape"]);
  });

  it("mlc viz overlays the cached nodes of the last run", () => {
    const root = incProject();
    mlc(root, "run");
    mlc(root, "run");
    const out = join(root, "viz.html");
    const r = mlc(root, "viz", "--out", out, "--no-open");
    expect(r.code, r.all).toBe(0);
    const html = readFileSync(out, "utf8");
    expect(html).toContain('"prep":{"status":"cached"');
    expect(html).toContain('"noisy":{"status":"completed"');
  });

  it("--force-nodes with an unknown node is a usage error naming the close one", () => {
    const root = incProject();
    const r = mlc(root, "run", "--force-nodes", "shap");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--force-nodes: "shap" is not a selected node (did you mean "shape"?)');
  });

  it("cache gc drops the state no current node and no run record refers to, and keeps the live ones", () => {
    const root = incProject();
    mlc(root, "run");
    const p = join(root, "pipeline.yml");
    writeFileSync(p, readFileSync(p, "utf8").replace(/^ {2}- \{ name: m[12],.*\n/gm, ""));
    rmSync(join(root, "data/chain_out.json"));
    const memos = () => readdirSync(join(root, ".mlc/cache/hashes")).length;
    const states = () => readdirSync(join(root, ".mlc/cache/nodes")).length;
    const before = memos();
    const gc = mlc(root, "cache", "gc");
    expect(gc.code, gc.all).toBe(0);
    expect(gc.stdout).toMatch(/^Removed [1-9]\d* cache files? from \.mlc\/cache\/\.$/m);
    expect(memos()).toBe(before - 1);
    expect(status(root).report).toBe("up to date");
    // m1 and m2 left the pipeline, but the run record that executed them still names them.
    expect(states()).toBe(ALL.length);
    rmSync(join(root, ".mlc/runs"), { recursive: true });
    expect(mlc(root, "cache", "gc").code).toBe(0);
    expect(states()).toBe(ALL.length - 2);
    expect(readdirSync(join(root, ".mlc/cache/values"))).toEqual([]); // m1's kept value went with it
    expect(status(root).report).toBe("up to date");
  });
});
