// Nodes that block the thread, overrun memory or await what never comes, through the real CLI under
// both executors: each ends within a second of its deadline or signal, recorded with its code.
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ended, onlyRun, printed, startMlc, stuckProject } from "./stuck-project.js";

afterAll(cleanup);

const NODES = `  - { name: spin, func: ./src/n.mjs#spin, outputs: x, timeout: 2s, tags: [spin] }
  - { name: spin_later, func: ./src/n.mjs#spinLater, outputs: y, timeout: 1s, tags: [later] }
  - { name: blocked, func: ./src/n.mjs#spin, outputs: z, tags: [blocked] }
  - { name: never, func: ./src/n.mjs#never, outputs: w, tags: [never] }
  - { name: hog, func: ./src/n.mjs#hog, outputs: h, tags: [hog] }
`;
const NO_TRACE = /^\s+at |FATAL ERROR|did it call process\.exit/m;

describe.each(["sequential", "parallel"])("a stuck node under the %s executor", (executor) => {
  for (const [tag, node, timeoutMs] of [
    ["spin", "spin", 2000],
    ["later", "spin_later", 1000],
  ] as const) {
    it(`${node}: a loop that never yields, past its timeout of ${timeoutMs} ms, fails MLC5002 within a second`, async () => {
      const root = stuckProject(NODES);
      const r = await ended(startMlc(root, ["run", "--executor", executor, "--tags", tag]));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`MLC5002 node "${node}" timed out after ${timeoutMs / 1000} s`);
      expect(r.stderr).not.toMatch(NO_TRACE);
      const rec = onlyRun(root);
      expect(rec).toMatchObject({ status: "failed" });
      expect(rec.nodes[0]).toMatchObject({ name: node, status: "failed", error: { code: "MLC5002" } });
      expect(Date.parse(rec.finished_at!) - Date.parse(rec.started_at)).toBeLessThan(timeoutMs + 1000);
    });
  }

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} while a node blocks the thread: interrupted, exit 130, within a second`, async () => {
      const root = stuckProject(NODES);
      const child = startMlc(root, ["run", "--executor", executor, "--tags", "blocked"]);
      const done = ended(child);
      await printed(child, "blocked: started");
      const sentAt = performance.now();
      child.kill(signal);
      const r = await done;
      expect(performance.now() - sentAt).toBeLessThan(1000);
      expect(r.code).toBe(130);
      expect(r.stderr).toContain(`${signal}: stopping`);
      expect(r.stderr).not.toMatch(NO_TRACE);
      const rec = onlyRun(root);
      expect(rec.status).toBe("interrupted");
      expect(rec.finished_at).not.toBeNull();
    });
  }

  it("a node awaiting a promise nothing can settle fails MLC5001 saying so", async () => {
    const root = stuckProject(NODES);
    const r = await ended(startMlc(root, ["run", "--executor", executor, "--tags", "never"]));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('MLC5001 node "never" never finished: it awaits a promise that nothing can settle');
    expect(r.stderr).not.toMatch(NO_TRACE);
    expect(onlyRun(root).nodes[0]).toMatchObject({ status: "failed", error: { code: "MLC5001" } });
  });
});

describe("out of memory under the sequential executor", () => {
  it("a node allocating without bound is stopped before V8 aborts: MLC5003, recorded failed", async () => {
    const root = stuckProject(NODES);
    const r = await ended(startMlc(root, ["run", "--tags", "hog"], { NODE_OPTIONS: "--max-old-space-size=512" }));
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MLC5003 node "hog" ran out of memory \(heap at \d+ of \d+ MB\)/);
    expect(r.stderr).not.toMatch(NO_TRACE);
    expect(onlyRun(root)).toMatchObject({
      status: "failed",
      nodes: [{ name: "hog", status: "failed", error: { code: "MLC5003" } }],
    });
  });
});
