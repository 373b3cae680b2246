// bin/mlc.js answers `--help`, `-h`, `--version`, `-v` and bare `mlc` from dist/cli-bundle/help.json
// (captured at build time from commander): the output must be byte for byte what commander prints.
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "..", "..");
const env = { ...process.env };
delete env.COLUMNS;

function run(entry: string, args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, entry), ...args], { cwd: REPO, env, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
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
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown option");
    expect(run("bin/mlc.js", ["validate", "--help"]).stdout).toContain("Usage: mlc validate");
  });
});
