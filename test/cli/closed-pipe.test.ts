// Output to a closed pipe (`mlc ls | head`) is a normal end: no stack trace, the command's work is
// done (a run completes and is recorded as it would be), and the exit code is 141 as for `git log |
// head` (128 + SIGPIPE). Real pipes: the test closes the child's stdout after its first bytes.
import { afterAll, describe, expect, it } from "vitest";
import { cleanup, ended, onlyRun, startMlc, stuckProject } from "./stuck-project.js";

afterAll(cleanup);

const MANY = Array.from(
  { length: 3000 },
  (_, i) => `  - { name: n${i}, func: ./src/n.mjs#after, inputs: d${i}, outputs: d${i + 1} }\n`,
)
  .join("")
  .replace("inputs: d0", "inputs: parameters");

/**
 * Runs `mlc ...args` with its stdout closed before it writes (as `mlc ls | true`), so its first
 * write fails. Closing after the first bytes, as `head` does, races: whatever still fits into the
 * pipe's buffer is written without an error, and then exit 0 is right.
 */
async function headOne(root: string, args: string[]) {
  const child = startMlc(root, args);
  child.stdout.destroy();
  return ended(child);
}

const noTrace = (s: string) => expect(s).not.toMatch(/EPIPE|^\s+at /m);

describe("closed pipes", () => {
  const big = stuckProject(MANY);
  for (const args of [
    ["ls"],
    ["ls", "--json"],
    ["catalog", "ls"],
    ["compile", "--stdout", "json"],
    ["compile", "--stdout", "mermaid"],
  ]) {
    it(`mlc ${args.join(" ")} | head ends quietly with 141`, async () => {
      const r = await headOne(big, [...args, "--project", big]);
      noTrace(r.stderr);
      expect(r.code).toBe(141);
    });
  }

  for (const executor of ["sequential", "parallel"]) {
    it(`mlc run --executor ${executor} | head: the run completes and is recorded success`, async () => {
      const root = stuckProject(
        "  - { name: talk, func: ./src/n.mjs#chatty, outputs: t }\n  - { name: next, func: ./src/n.mjs#after, inputs: t, outputs: u }\n",
      );
      const r = await headOne(root, ["run", "--executor", executor]);
      noTrace(r.stderr);
      expect([0, 141]).toContain(r.code);
      const rec = onlyRun(root);
      expect(rec.status).toBe("success");
      expect(rec.nodes.map((n) => n.status)).toEqual(["completed", "completed"]);
    });
  }

  it("mlc runs ls | head ends quietly", async () => {
    const root = stuckProject("  - { name: next, func: ./src/n.mjs#after, inputs: parameters, outputs: u }\n");
    for (let i = 0; i < 2; i++) expect((await ended(startMlc(root, ["run"]))).code).toBe(0);
    const r = await headOne(root, ["runs", "ls"]);
    noTrace(r.stderr);
    expect([0, 141]).toContain(r.code);
  });
});
