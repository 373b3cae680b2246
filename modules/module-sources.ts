// The local source files and imported packages of a user module: the code part of a node's
// cache key. TypeScript modules reuse the bundle cache's manifest; plain JS is imported as it is,
// so esbuild runs only to list its imports (cached the same way, on mtime and size).
import { mkdirSync, promises as fsp, statSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import { writeFileAtomic } from "../catalog/atomic.js";
import {
  build,
  buildError,
  CACHE_FORMAT,
  filePathOf,
  hash,
  moduleCacheDir,
  readValidManifest,
  TS_EXT,
  type Manifest,
} from "./load-module.js";
import { externalPackages, packageName, statInputs } from "./metafile.js";

/** What a module's code is made of: its local source files (absolute) and the packages it imports. */
export interface ModuleSources {
  readonly files: readonly string[];
  readonly packages: readonly string[];
}

/** The local files and imported packages of the module named by `spec` (the cache key's code part). */
export async function moduleSources(spec: string, root: string): Promise<ModuleSources> {
  const absRoot = resolve(root);
  const file = filePathOf(spec, absRoot);
  if (!file) return { files: [], packages: [packageName(spec)] };
  const dir = moduleCacheDir(absRoot);
  if (!TS_EXT.has(extname(file))) return jsSources(file, absRoot, dir);
  const manifestPath = join(dir, `${hash(CACHE_FORMAT + "\0" + file).slice(0, 24)}.json`);
  if (!(await readValidManifest(manifestPath, file, absRoot, dir))) await build(file, absRoot, dir, manifestPath);
  const m = JSON.parse(await fsp.readFile(manifestPath, "utf8")) as Manifest;
  return { files: m.inputs.map(([rel]) => resolve(absRoot, rel)), packages: m.packages };
}

/** A plain JS module is imported as it is, but its local imports count too: esbuild lists them (cached like bundles). */
async function jsSources(file: string, root: string, dir: string): Promise<ModuleSources> {
  const manifestPath = join(dir, `src-${hash(CACHE_FORMAT + "\0" + file).slice(0, 24)}.json`);
  const valid = (m: Manifest | null) =>
    m?.format === CACHE_FORMAT &&
    m.entry === file &&
    m.inputs.every(([rel, mtime, size]) => {
      const st = statSync(resolve(root, rel), { throwIfNoEntry: false });
      return st?.mtimeMs === mtime && st.size === size;
    });
  let m = JSON.parse(await fsp.readFile(manifestPath, "utf8").catch(() => "null")) as Manifest | null;
  if (!valid(m)) {
    const esbuild = await import("esbuild");
    const result = await esbuild
      .build({
        entryPoints: [file],
        absWorkingDir: root,
        bundle: true,
        write: false,
        metafile: true,
        format: "esm",
        platform: "node",
        packages: "external",
        logLevel: "silent",
      })
      .catch((err: unknown) => {
        throw buildError(err, file, root);
      });
    m = {
      format: CACHE_FORMAT,
      entry: file,
      out: "",
      inputs: statInputs(result.metafile, root),
      packages: externalPackages(result.metafile),
    };
    mkdirSync(dir, { recursive: true });
    await writeFileAtomic(manifestPath, JSON.stringify(m));
  }
  return { files: m!.inputs.map(([rel]) => resolve(root, rel)), packages: m!.packages };
}
