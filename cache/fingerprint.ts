// The code part of a node's cache key: the content version of every local file esbuild put into
// the function's bundle (an edit to a helper module counts) and the lockfile version of every
// package the bundle imports. The distributed worker computes the same fingerprint to refuse jobs
// made from other code (MLC5006).
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { moduleSources } from "../modules/module-sources.js";
import { parseRef } from "../modules/load-module.js";
import { contentVersion, digest } from "./hash.js";

/** Source files (project-relative) and packages, each with its version; `hash` digests both. */
export interface CodeFingerprint {
  readonly files: Readonly<Record<string, string>>;
  readonly packages: Readonly<Record<string, string>>;
  readonly hash: string;
}

const lockfiles = new Map<string, Record<string, { version?: string }>>();

/** Installed package versions from the project's package-lock.json (or mlc's, for a project without one). */
function lockedPackages(root: string): Record<string, { version?: string }> {
  let pkgs = lockfiles.get(root);
  if (!pkgs) {
    try {
      pkgs = (JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8")) as { packages?: typeof pkgs }).packages;
    } catch {
      pkgs = undefined;
    }
    lockfiles.set(root, (pkgs ??= {}));
  }
  return pkgs;
}

/** The fingerprint of the code behind a func ref ("src/x.ts#fn", "pkg#fn"). */
export async function codeFingerprint(ref: string, root: string): Promise<CodeFingerprint> {
  const { files, packages } = await moduleSources(parseRef(ref).module, root);
  const fileVersions: Record<string, string> = {};
  for (const f of files) fileVersions[relative(root, f).split("\\").join("/")] = (await contentVersion(root, f)) ?? "";
  const locked = lockedPackages(root);
  const pkgVersions: Record<string, string> = {};
  for (const p of packages) pkgVersions[p] = locked[`node_modules/${p}`]?.version ?? "unlocked";
  return {
    files: fileVersions,
    packages: pkgVersions,
    hash: digest(JSON.stringify([fileVersions, pkgVersions])),
  };
}
