// A run with every node up to date starts no worker (issue 15's no-op target): the parallel
// executor's pool starts with the first node that runs. Node writes one CPU profile per thread
// (`--cpu-prof`), which counts the threads the process started.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mlcWith } from "../helpers/cli.js";
import { cleanupIncProjects, executed, incProject } from "./project.js";

const dirs: string[] = [];
afterAll(() => {
  cleanupIncProjects();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs `mlc run --executor parallel` with a CPU profile per thread; returns how many threads ran JS. */
function threadsOfRun(root: string, ...args: string[]): number {
  const prof = mkdtempSync(join(tmpdir(), "mlc-prof-"));
  dirs.push(prof);
  const r = mlcWith(
    { nodeArgs: ["--cpu-prof", "--cpu-prof-dir", prof] },
    root,
    "run",
    "--executor",
    "parallel",
    "--max-workers",
    "2",
    ...args,
  );
  expect(r.code, r.all).toBe(0);
  return readdirSync(prof).filter((f) => f.endsWith(".cpuprofile")).length;
}

describe("a no-op run", () => {
  it("under the parallel executor starts no worker thread; a run with work starts its pool", () => {
    const root = incProject();
    expect(threadsOfRun(root)).toBe(3); // the main thread and two workers
    expect(threadsOfRun(root, "--nodes", "prep,shape,report")).toBe(1);
    expect(executed(root)).toEqual([]);
  });
});
