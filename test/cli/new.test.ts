// `mlc new`: real files in temp folders, through the built CLI (node bin/mlc.js).
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { dependencySpec } from "../../cli/commands/new.js";
import { mlcWith } from "../helpers/cli.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../..");
let tmp = "";

function mlc(args: string[], cwd: string, env: Record<string, string> = {}) {
  return mlcWith({ env: { MLC_NEW_DEP_SPEC: `file:${REPO}`, ...env }, timeout: 120_000 }, cwd, ...args);
}

/** Offline stand-in for `npm install`: the project's mlc-pipelines dependency is this repository. */
function linkPackage(project: string): void {
  mkdirSync(join(project, "node_modules"), { recursive: true });
  symlinkSync(REPO, join(project, "node_modules", "mlc-pipelines"), "dir");
}

beforeAll(() => {
  if (!existsSync(join(REPO, "dist", "cli", "commands", "new.js")))
    throw new Error("dist/ is missing: run `npm run build` first");
  tmp = mkdtempSync(join(tmpdir(), "mlc-new-"));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("mlc new", () => {
  it("creates a blank project by default with the layout, package.json and next steps", () => {
    const r = mlc(["new", "my-project"], tmp, { MLC_NEW_DEP_SPEC: "" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("cd my-project && npm install && npx mlc run");
    const p = join(tmp, "my-project");
    for (const f of [
      "pipeline.yml",
      "conf/base/catalog.yml",
      "conf/base/parameters.yml",
      "conf/local/credentials.yml",
      "conf/local/.gitkeep",
      "tsconfig.json",
      "README.md",
      "src/nodes.ts",
      ".gitignore",
    ]) {
      expect(existsSync(join(p, f)), f).toBe(true);
    }
    for (const layer of [
      "01_raw",
      "02_intermediate",
      "03_primary",
      "04_feature",
      "05_model_input",
      "06_models",
      "07_model_output",
      "08_reporting",
    ]) {
      expect(existsSync(join(p, "data", layer, ".gitkeep")), layer).toBe(true);
    }
    const pkg = JSON.parse(readFileSync(join(p, "package.json"), "utf8"));
    const version = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version;
    // Run from this checkout (not an installed package): a file: link, so `npm install` works offline.
    expect(pkg).toMatchObject({
      name: "my-project",
      type: "module",
      dependencies: { "mlc-pipelines": `file:${REPO}` },
    });
    expect(dependencySpec("/home/u/app/node_modules/mlc-pipelines", version)).toBe(`^${version}`);
    const gitignore = readFileSync(join(p, ".gitignore"), "utf8").split("\n");
    expect(gitignore).toEqual(expect.arrayContaining([".mlc/", "node_modules/", "conf/local/credentials.yml"]));
    expect(readFileSync(join(p, "pipeline.yml"), "utf8").split("\n")[0]).toBe(
      "# yaml-language-server: $schema=./node_modules/mlc-pipelines/schema/pipeline.schema.json",
    );
    expect(readdirSync(tmp).filter((f) => f.includes("mlc-new"))).toEqual([]); // no temp folder left
  });

  it("refuses a non-empty folder (exit 2) and leaves it untouched", () => {
    const p = join(tmp, "taken");
    mkdirSync(p);
    writeFileSync(join(p, "keep.txt"), "mine");
    const r = mlc(["new", "taken", "--starter", "iris"], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not empty/);
    expect(readdirSync(p)).toEqual(["keep.txt"]);
  });

  it("fills an existing empty folder", () => {
    mkdirSync(join(tmp, "empty"));
    expect(mlc(["new", "empty"], tmp).code).toBe(0);
    expect(existsSync(join(tmp, "empty", "pipeline.yml"))).toBe(true);
  });

  it("reports a path it cannot create with exit 2 and no stack trace", () => {
    writeFileSync(join(tmp, "a-file"), "x");
    const r = mlc(["new", "a-file/sub"], tmp);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^mlc new: cannot create a-file\/sub: E[A-Z]+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([["x$(touch PWNED)y"], ["it's `touch PWNED` $HOME"], ["-dash"]])(
    "prints a next-steps line that is safe to paste for a folder named %s",
    (name) => {
      const cwd = mkdtempSync(join(tmp, "paste-"));
      const r = mlc(["new", "--", name], cwd);
      expect(r.code, r.stderr).toBe(0);
      const line = /^ {2}(cd .*)$/m.exec(r.stdout)![1];
      // Stand-ins for npm and npx record where the pasted line ran them.
      const bin = join(cwd, ".bin");
      mkdirSync(bin);
      for (const tool of ["npm", "npx"]) {
        writeFileSync(join(bin, tool), `#!/bin/sh\npwd >> "${join(cwd, ".ran")}"\n`, { mode: 0o755 });
      }
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
      const sh = spawnSync("sh", ["-c", line], { cwd, encoding: "utf8", env });
      expect(sh.status, sh.stderr).toBe(0);
      expect(existsSync(join(cwd, "PWNED"))).toBe(false);
      expect(existsSync(join(cwd, name, "PWNED"))).toBe(false);
      expect(readFileSync(join(cwd, ".ran"), "utf8")).toBe(`${join(cwd, name)}\n`.repeat(2));
    },
  );

  it("rejects an unknown starter with exit 2", () => {
    const r = mlc(["new", "x", "--starter", "nope"], tmp);
    expect(r.code).toBe(2);
    expect(existsSync(join(tmp, "x"))).toBe(false);
  });

  it("renders iris and movies from samples/ without generated data", () => {
    expect(mlc(["new", "iris-app", "--starter", "iris"], tmp).code).toBe(0);
    expect(readFileSync(join(tmp, "iris-app", "data/01_raw/iris.csv"), "utf8")).toBe(
      readFileSync(join(REPO, "samples/iris/data/01_raw/iris.csv"), "utf8"),
    );
    expect(mlc(["new", "movies-app", "--starter", "movies"], tmp).code).toBe(0);
    const m = join(tmp, "movies-app");
    expect(readFileSync(join(m, "src/mf.ts"), "utf8")).toBe(
      readFileSync(join(REPO, "samples/movie-recommendation/src/mf.ts"), "utf8"),
    );
    expect(existsSync(join(m, ".mlc"))).toBe(false);
    expect(readdirSync(join(m, "data/01_raw"))).toEqual([".gitkeep"]);
    expect(readFileSync(join(m, "conf/base/catalog.yml"), "utf8")).toContain(
      "$schema=../../node_modules/mlc-pipelines/schema/catalog.schema.json",
    );
  });
});

describe.each([
  ["blank", ["--params", "count=5"]],
  ["iris", []],
  ["movies", ["--params", "generator.events=20000,candidates.32.epochs=30,candidates.16.epochs=30"]],
])("the %s starter validates and runs", (starter, runArgs) => {
  it("mlc validate && mlc run", () => {
    const name = `run-${starter}`;
    expect(mlc(["new", name, "--starter", starter], tmp).code).toBe(0);
    const p = join(tmp, name);
    linkPackage(p);
    const v = mlc(["validate"], p);
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const r = mlc(["run", ...runArgs], p, { CI: "true" });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const runs = readdirSync(join(p, ".mlc", "runs"));
    expect(runs).toHaveLength(1);
    const record = JSON.parse(readFileSync(join(p, ".mlc", "runs", runs[0], "run.json"), "utf8"));
    expect(record.status).toBe("success");
  });
});
