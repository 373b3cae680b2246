// Issue 19 item 10: the package that `npm pack` makes installs and runs on its own. The tarball is
// installed into an empty temp folder outside this checkout (third-party dependencies from the npm
// registry); a project made from it with `npx mlc new demo --starter iris` installs and runs.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../..");
let tmp = "";

/** A command as a user types it: no MLC_* variable, tracking server or module path from this test process. */
function sh(cwd: string, cmd: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: "true", NO_COLOR: "1" };
  for (const k of Object.keys(env)) if (/^(MLC_|MLFLOW_|NODE_PATH$|npm_)/.test(k)) delete env[k];
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 300_000, maxBuffer: 1 << 26 });
  return { code: r.status, all: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ""}` };
}

function ok(cwd: string, cmd: string, ...args: string[]): string {
  const r = sh(cwd, cmd, args);
  expect(r.code, `${cmd} ${args.join(" ")} in ${cwd}:\n${r.all}`).toBe(0);
  return r.all;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "mlc-pack-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("npm pack", () => {
  it("gives a tarball that installs into an empty folder and runs a new iris project", () => {
    // dist/ is built by `npm test` before the suite; the tarball packs that build.
    ok(REPO, "npm", "pack", "--ignore-scripts", "--pack-destination", tmp);
    const tgz = readdirSync(tmp).find((f) => /^mlc-pipelines-.*\.tgz$/.test(f));
    expect(tgz).toBeDefined();
    const entries = ok(tmp, "tar", "tzf", tgz!).split("\n").filter(Boolean);
    expect(entries.filter((e) => /^package\/(test|bench|scripts|node_modules|\.venv)/.test(e))).toEqual([]);
    for (const need of ["bin/mlc.js", "dist/cli-bundle/main.js", "templates/starters/iris/starter.json"])
      expect(entries).toContain(`package/${need}`);
    expect(entries).toContain("package/samples/iris/data/01_raw/iris.csv");

    const app = join(tmp, "app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), '{ "name": "app", "private": true }\n');
    ok(app, "npm", "install", "--no-audit", "--no-fund", `../${tgz}`);
    expect(ok(app, "npx", "mlc", "new", "demo", "--starter", "iris")).toContain("Created demo from the iris starter");

    const demo = join(app, "demo");
    const dep = (
      JSON.parse(readFileSync(join(demo, "package.json"), "utf8")) as { dependencies: Record<string, string> }
    ).dependencies["mlc-pipelines"];
    expect(dep).toBe(`file:${join(tmp, tgz!)}`); // the tarball it came from, not a release that is not published
    ok(demo, "npm", "install", "--no-audit", "--no-fund");
    const installed = realpathSync(join(demo, "node_modules", "mlc-pipelines"));
    expect(installed.startsWith(REPO)).toBe(false);
    const run = ok(demo, "npx", "mlc", "run");
    expect(run).toMatch(/accuracy on 30 held-out flowers: \d+(\.\d+)?%/);
    expect(run).toMatch(/Run \S+ success in .*: 3 completed/);
  }, 900_000);
});
