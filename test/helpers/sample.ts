// Private copies of the samples in temp folders, as a fresh checkout has them (the repository
// stays clean), whose `mlc-pipelines` import resolves to this repository.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "../..");
const dirs: string[] = [];

/** Removes every copy made so far (call from afterAll). */
export function removeSampleCopies(): void {
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
}

/**
 * A private copy of samples/<name> whose `mlc-pipelines` import resolves to this repository, as
 * a fresh checkout has it: without what a run of the sample here generated (the files git
 * ignores there: the README's main command leaves data, models and reports in samples/).
 */
export function copySample(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mlc-sample-${name}-`));
  dirs.push(dir);
  const from = join(REPO, "samples", name);
  const listed = spawnSync(
    "git",
    ["ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "--", from],
    { cwd: REPO, encoding: "utf8" },
  );
  const generated = new Set(
    (listed.stdout ?? "")
      .split("\n")
      .filter(Boolean)
      .map((p) => resolve(REPO, p)),
  );
  cpSync(from, dir, {
    recursive: true,
    filter: (src) => !generated.has(src) && !/[\\/](\.mlc|build|node_modules)$/.test(src),
  });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "mlc-pipelines"), "dir");
  return dir;
}
