// bin/mlc.js answers `--help`, `-h`, `--version`, `-v` and bare `mlc` from dist/cli-bundle/help.json
// (captured at build time from commander): the output must be byte for byte what commander prints.
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { mlcWith } from "../helpers/cli.js";

const REPO = resolve(import.meta.dirname, "..", "..");

/** With COLUMNS unset, as when scripts/build.mjs captured the help text that bin/mlc.js prints. */
function run(entry: string, args: string[]) {
  return mlcWith({ entry, env: { COLUMNS: undefined } }, REPO, ...args);
}

describe("mlc --help / --version fast path (built dist)", () => {
  for (const args of [["--help"], ["-h"], ["--version"], ["-v"], []]) {
    it(`mlc ${args.join(" ") || "(no arguments)"} prints exactly what commander prints`, () => {
      const fast = run("bin/mlc.js", args);
      const real = run("dist/cli-bundle/main.js", args);
      expect(fast).toEqual(real);
      expect(fast.stdout + fast.stderr).toMatch(/Usage: mlc|^\d+\.\d+\.\d+/);
    });
  }

  it("other arguments still reach commander", () => {
    const r = run("bin/mlc.js", ["--no-such-flag"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option");
    expect(run("bin/mlc.js", ["validate", "--help"]).stdout).toContain("Usage: mlc validate");
  });
});
