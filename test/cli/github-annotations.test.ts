// `mlc validate --format github` names each file as GitHub reads annotation paths: relative to the
// repository root (GITHUB_WORKSPACE, or the current folder when that is unset), so a project in a
// subfolder gets its annotations on the right file.
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mlcWith } from "../helpers/cli.js";

const ROOT = resolve(import.meta.dirname, "../..");
const repo = mkdtempSync(join(tmpdir(), "mlc-gh-"));
const proj = join(repo, "ml", "proj");
mkdirSync(proj, { recursive: true });
cpSync(join(ROOT, "test/fixtures/validate/missing-key"), proj, { recursive: true });
afterAll(() => rmSync(repo, { recursive: true, force: true }));

const files = (stdout: string) => [...stdout.matchAll(/^::error file=([^,]+),line=\d+/gm)].map((m) => m[1]);
const validate = (cwd: string, env: Record<string, string | undefined>, ...args: string[]) =>
  mlcWith({ env, timeout: 30_000 }, cwd, "validate", "--format", "github", ...args);

describe("mlc validate --format github in a repository whose project is in ml/proj/", () => {
  it("names files relative to GITHUB_WORKSPACE, wherever mlc runs", () => {
    for (const cwd of [proj, join(repo, "ml")]) {
      const r = validate(cwd, { GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: repo }, "--project", proj);
      expect(r.code).toBe(1);
      const got = files(r.stdout);
      expect(got.length).toBeGreaterThanOrEqual(5);
      expect(new Set(got)).toEqual(new Set(["ml/proj/pipeline.yml", "ml/proj/conf/base/catalog.yml"]));
    }
  });

  it("names files relative to the current folder when GITHUB_WORKSPACE is unset", () => {
    const r = validate(repo, { GITHUB_WORKSPACE: undefined }, "--project", "ml/proj");
    expect(new Set(files(r.stdout))).toEqual(new Set(["ml/proj/pipeline.yml", "ml/proj/conf/base/catalog.yml"]));
    const inside = validate(proj, { GITHUB_WORKSPACE: undefined });
    expect(new Set(files(inside.stdout))).toEqual(new Set(["pipeline.yml", "conf/base/catalog.yml"]));
  });

  it("keeps text and json output relative to the project", () => {
    const r = mlcWith({ env: { GITHUB_WORKSPACE: repo } }, repo, "validate", "--project", proj, "--format", "json");
    const diags = JSON.parse(r.stdout).diagnostics as { file: string }[];
    expect(diags.map((d) => d.file)).toContain("pipeline.yml");
  });
});
