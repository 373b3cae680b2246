// Keeps the user's own stack frames: drops Node internals, node_modules and mlc's own files, so a
// failing node shows where in THEIR code it broke. Frames inside the cached bundles of .ts modules
// (.mlc/cache/modules/*.mjs) are mapped back to the source file through the bundle's inline source
// map, read only when an error is formatted (Node's global source-map support would make every
// module load pay for its map).
import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { basename, dirname, isAbsolute, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(dirname(fileURLToPath(import.meta.url)));
/** The package root, whether running from sources or from dist/. */
const pkgRoot = basename(here) === "dist" ? dirname(here) : here;
const INTERNAL_DIRS = ["dist", "executors", "compiler", "catalog", "tracking", "cli", "schema", "bin"].map(
  (d) => pkgRoot + sep + d + sep,
);
const INTERNAL_FILES = ["index.ts", "track.ts"].map((f) => pkgRoot + sep + f);
const BUNDLE_DIR = `${sep}.mlc${sep}cache${sep}modules${sep}`;

/** True when a stack frame line points into Node, a dependency or mlc itself. */
export function isInternalFrame(line: string): boolean {
  if (/\(node:|\bat node:|node:internal|<anonymous>\)?$|\(index \d+\)$/.test(line)) return true;
  const path = line.replace(/file:\/\//g, "");
  if (path.includes(`${sep}node_modules${sep}`)) return true;
  return INTERNAL_DIRS.some((d) => path.includes(d)) || INTERNAL_FILES.some((f) => path.includes(f + ":"));
}

/** The "at ..." lines of `stack` that belong to user code, bundle positions mapped to sources ("" when none). */
export function userStack(stack: string): string {
  return stack
    .split("\n")
    .filter((l) => /^\s+at /.test(l) && !isInternalFrame(l))
    .map((l) => mapBundleFrame(l.replace(/file:\/\//g, "")))
    .join("\n");
}

const maps = new Map<string, SourceMap | null>();

/** Rewrites `path.mjs:L:C` of a cached bundle to the original `src/x.ts:L:C`, when its map knows. */
export function mapBundleFrame(line: string): string {
  return line.replace(/([^\s()]+\.mjs):(\d+):(\d+)/, (whole, file: string, l: string, c: string) => {
    if (!file.includes(BUNDLE_DIR)) return whole;
    const map = sourceMapOf(file);
    const entry = map?.findEntry(Number(l) - 1, Number(c) - 1) as
      { originalSource?: string; originalLine?: number; originalColumn?: number } | undefined;
    if (!entry?.originalSource || entry.originalLine === undefined) return whole;
    const src = entry.originalSource.startsWith("file://") ? fileURLToPath(entry.originalSource) : entry.originalSource;
    const abs = isAbsolute(src) ? src : resolve(dirname(file), src);
    return `${abs}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
}

function sourceMapOf(file: string): SourceMap | null {
  if (maps.has(file)) return maps.get(file)!;
  let map: SourceMap | null = null;
  try {
    const text = readFileSync(file, "utf8");
    const m = /\/\/# sourceMappingURL=data:application\/json(?:;charset=[\w-]+)?;base64,([A-Za-z0-9+/=]+)\s*$/.exec(
      text,
    );
    if (m) map = new SourceMap(JSON.parse(Buffer.from(m[1], "base64").toString("utf8")));
  } catch {
    map = null;
  }
  maps.set(file, map);
  return map;
}
