// Partial runs that cannot work (issue 19 item 1): a selection whose memory inputs have no producer
// in the run is MLC4007 before any node runs, under `run` and `run --dry-run`, naming each input and
// its producer and suggesting the nearest command that works; that command then runs.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupProjects, fixtureProject } from "../executors/project.js";
import { mlc } from "../helpers/cli.js";

afterAll(cleanupProjects);

/** The `failing` fixture (a -memory m-> b -json p-> c -memory q-> d; e) with c fixed. */
function project(): string {
  const root = fixtureProject("failing");
  writeFileSync(join(root, "data", "switch_c.json"), '{"broken": false}');
  return root;
}

describe("partial runs that cannot work", () => {
  it("--from-nodes b (memory input m, producer a unselected): MLC4007 naming m and a, no run started, the suggestion runs", () => {
    const root = project();
    for (const extra of [[], ["--dry-run"], ["--dry-run", "--json"]]) {
      const r = mlc(root, "run", "--from-nodes", "b", ...extra);
      expect(r.code, r.all).toBe(1);
      expect(r.stderr).toContain('error MLC4007 the selection needs memory dataset "m" (produced by "a")');
      expect(r.stderr).toContain("run its producer too: mlc run --from-nodes a\n");
      expect(r.stdout).toBe("");
    }
    expect(existsSync(join(root, ".mlc", "runs"))).toBe(false);
    const ok = mlc(root, "run", "--from-nodes", "a");
    expect(ok.code, ok.all).toBe(0);
  });

  it("keeps the other flags and falls back to --nodes when no --from-nodes can work", () => {
    const root = project();
    const r = mlc(root, "run", "--nodes", "b,c", "--params", "x=1");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/run its producer too: (mlc run --params x=1 --nodes a,b,c)\n/);
    const cmd = /run its producer too: mlc run (.*)\n/.exec(r.stderr)![1].split(" ");
    expect(mlc(root, "run", ...cmd).code).toBe(0);
  });

  it("a persisted input of an unselected producer is fine: --from-nodes c runs", () => {
    const root = project();
    expect(mlc(root, "run", "--nodes", "a,b").code).toBe(0);
    const r = mlc(root, "run", "--from-nodes", "c", "--dry-run");
    expect(r.code, r.all).toBe(0);
    expect(r.stdout).toContain("Loaded from the catalog: p");
  });
});
