// Keeps the user's own stack frames: drops Node internals, node_modules and mlc's own files, so a
// failing node shows where in THEIR code it broke. Bundled .ts modules map back to their sources
// through inline source maps when source maps are on (`mlc run` turns them on).
import { basename, dirname, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
/** The package root, whether running from sources or from dist/. */
const pkgRoot = basename(here) === "dist" ? dirname(here) : here;
const INTERNAL_DIRS = ["dist", "executors", "compiler", "catalog", "tracking", "cli", "schema", "bin"].map((d) => pkgRoot + sep + d + sep);
const INTERNAL_FILES = ["index.ts", "track.ts"].map((f) => pkgRoot + sep + f);

/** True when a stack frame line points into Node, a dependency or mlc itself. */
export function isInternalFrame(line: string): boolean {
  if (/\(node:|\bat node:|node:internal|<anonymous>\)?$/.test(line)) return true;
  const path = line.replace(/file:\/\//g, "");
  if (path.includes(`${sep}node_modules${sep}`)) return true;
  return INTERNAL_DIRS.some((d) => path.includes(d)) || INTERNAL_FILES.some((f) => path.includes(f + ":"));
}

/** The "at ..." lines of `stack` that belong to user code, one per line ("" when none). */
export function userStack(stack: string): string {
  return stack
    .split("\n")
    .filter((l) => /^\s+at /.test(l) && !isInternalFrame(l))
    .map((l) => l.replace(/file:\/\//g, ""))
    .join("\n");
}
