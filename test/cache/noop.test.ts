// A run with every node up to date starts no thread (issue 15's no-op target): the parallel
// executor's pool and the sequential executor's watchdog start with the first node that runs.
// Node writes one CPU profile per thread (`--cpu-prof`), which counts the threads that ran.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mlc, mlcWith } from "../helpers/cli.js";
import { cleanupIncProjects, executed, incProject, setParam } from "./project.js";

const dirs: string[] = [];
afterAll(() => {
  cleanupIncProjects();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs `mlc run ...args` with a CPU profile per thread; returns how many threads ran JS. */
function threadsOfRun(root: string, ...args: string[]): number {
  const prof = mkdtempSync(join(tmpdir(), "mlc-prof-"));
  dirs.push(prof);
  const r = mlcWith({ nodeArgs: ["--cpu-prof", "--cpu-prof-dir", prof] }, root, "run", ...args);
  expect(r.code, r.all).toBe(0);
  return readdirSync(prof).filter((f) => f.endsWith(".cpuprofile")).length;
}

describe("a no-op run", () => {
  it("under the parallel executor starts no worker thread; a run with work starts its pool", () => {
    const root = incProject();
    const parallel = ["--executor", "parallel", "--max-workers", "2"];
    expect(threadsOfRun(root, ...parallel)).toBe(3); // the main thread and two workers
    expect(threadsOfRun(root, ...parallel, "--nodes", "prep,shape,report")).toBe(1);
    expect(executed(root)).toEqual([]);
  });

  it("under the sequential executor starts no watchdog thread; a node that runs starts it", () => {
    const root = incProject();
    expect(threadsOfRun(root)).toBe(2); // the main thread and the watchdog
    expect(threadsOfRun(root, "--nodes", "prep,shape,report")).toBe(1);
    expect(executed(root)).toEqual([]);
    expect(threadsOfRun(root)).toBe(2); // `noisy` (cache: false) runs, watched
    expect(executed(root)).toEqual(["noisy"]);
    setParam(root, "scale", "3"); // every node has run before: prep starts the watchdog when it runs
    expect(threadsOfRun(root, "--nodes", "prep,shape,report")).toBe(2);
    expect(executed(root)).toEqual(["prep", "report", "shape"]);
  });

  it("a watchdog started by the first node that runs still stops a node that never yields", () => {
    const root = incProject();
    const p = join(root, "pipeline.yml");
    writeFileSync(p, readFileSync(p, "utf8").replace("outputs: scaled }", "outputs: scaled, timeout: 1s }"));
    expect(mlc(root, "run").code).toBe(0);
    writeFileSync(
      join(root, "src/helper.ts"),
      "export function times(x: number, s: number): number {\n  for (;;);\n}\n",
    );
    const r = mlc(root, "run", "--nodes", "prep");
    expect(r.code, r.all).toBe(1);
    expect(r.stderr).toContain('MLC5002 node "prep" timed out after 1 s');
  });
});
