// Loads user modules (node functions, custom dataset types, hooks) for the compiler and the runtime.
//
// TypeScript (.ts .mts .cts .tsx) is bundled by esbuild WITHOUT a type-check into
// `<root>/.mlc/cache/modules/<hash>.mjs`, next to a manifest of the bundle's input files with their
// mtime and size; an unchanged module costs a few stat() calls and no esbuild at all (esbuild is
// imported only on a cache miss). .js/.mjs/.cjs are imported as they are; a package ref is resolved
// from the project root with Node's own ESM resolution.
//
// Consequences of bundling users should know (the README repeats them):
// - bare imports (`lodash`) stay imports and resolve from the project root's node_modules (the
//   cache lives inside the project); `mlc-pipelines` falls back to the running mlc when the project
//   has no install of its own (plain .js/.mjs node files do not get that fallback);
// - relative imports of other TS/JS files are inlined at bundle time, so two entry files importing
//   one helper each get their own copy of its module state;
// - `import.meta.url` inside a bundled file is the cached bundle's URL under .mlc/cache/modules,
//   not the source file's: resolve data files against the project root instead.
// Stack traces map back to the .ts sources through an inline source map when source maps are on
// (`process.setSourceMapsEnabled(true)` or `node --enable-source-maps`).
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { mkdirSync, promises as fsp, statSync } from "node:fs";
import { extname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { writeFileAtomic } from "../catalog/atomic.js";
import { MlcError } from "../compiler/diagnostics.js";
import { suggest } from "../compiler/suggest.js";
import { externalPackages, statInputs } from "./metafile.js";

export const TS_EXT = new Set([".ts", ".mts", ".cts", ".tsx"]);
const JS_EXT = new Set([".js", ".mjs", ".cjs", ".jsx"]);
/** Bumped when bundling options change, so old cache entries are not reused. */
export const CACHE_FORMAT = "2";

/** Counters for tests and benches: how many times esbuild actually ran in this process. */
export const moduleStats = { esbuildCalls: 0, diskHits: 0 };

const loaded = new Map<string, Promise<Record<string, unknown>>>();

/** Forgets this process's module map (tests use it to prove the on-disk cache is hit). */
export function clearModuleCache(): void {
  loaded.clear();
}

/** Where bundled user modules live inside a project. */
export function moduleCacheDir(root: string): string {
  return join(root, ".mlc", "cache", "modules");
}

/**
 * Imports a module named by `spec`: a project-relative or absolute file path, or a package name.
 * Throws MlcError MLC3006 when it cannot be found, does not compile or fails to import.
 */
export async function importUserModule(spec: string, root: string): Promise<Record<string, unknown>> {
  const absRoot = resolve(root);
  const file = filePathOf(spec, absRoot);
  const key = file ?? `pkg:${absRoot}:${spec}`;
  let p = loaded.get(key);
  if (!p) {
    p = file ? importFile(file, absRoot) : importPackage(spec, absRoot);
    loaded.set(key, p);
    p.catch(() => loaded.delete(key));
  }
  return p;
}

/** Splits "path/to/x.ts#name" into module and export ("default" when no '#'). */
export function parseRef(ref: string): { module: string; exportName: string } {
  const i = ref.lastIndexOf("#");
  if (i < 0) return { module: ref, exportName: "default" };
  return { module: ref.slice(0, i), exportName: ref.slice(i + 1) || "default" };
}

/** Loads one export named by `ref` ("x.ts#name", "pkg#name", "#default" = default export). */
export async function loadExport(ref: string, root: string): Promise<unknown> {
  const { module, exportName } = parseRef(ref);
  const mod = await importUserModule(module, root);
  if (!(exportName in mod) || (exportName === "default" && mod.default === undefined)) {
    const names = Object.keys(mod).filter((k) => k !== "__esModule");
    const close = suggest(exportName, names);
    const hint = close.length ? `did you mean ${close.map((c) => `"${c}"`).join(", ")}?` : undefined;
    const avail = names.length ? `it exports: ${names.sort().join(", ")}` : "it has no exports";
    throw new MlcError("MLC3006", `export "${exportName}" not found in ${module} (${avail})`, {
      file: module,
      ...(hint ? { hint } : {}),
    });
  }
  return mod[exportName];
}

/** Like loadExport, but the export must be a function (node functions, dataset factories, classes). */
export async function loadFunction(ref: string, root: string): Promise<(...args: unknown[]) => unknown> {
  const value = await loadExport(ref, root);
  if (typeof value !== "function") {
    const { module, exportName } = parseRef(ref);
    throw new MlcError(
      "MLC3006",
      `export "${exportName}" of ${module} is not a function (got ${describeValue(value)})`,
      {
        file: module,
      },
    );
  }
  return value as (...args: unknown[]) => unknown;
}

function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : typeof v;
}

/** An absolute file path when `spec` names a file (explicitly relative, absolute, or existing); else null. */
export function filePathOf(spec: string, root: string): string | null {
  if (spec.startsWith("file://")) return fileURLToPath(spec);
  if (isAbsolute(spec)) return spec;
  if (spec.startsWith("./") || spec.startsWith("../") || spec === "." || spec === "..") return resolve(root, spec);
  const ext = extname(spec);
  const candidate = resolve(root, spec);
  // "src/x.ts" without "./" is project-relative when that file exists; otherwise a package name.
  if ((TS_EXT.has(ext) || JS_EXT.has(ext)) && statSync(candidate, { throwIfNoEntry: false })?.isFile())
    return candidate;
  return null;
}

async function importFile(file: string, root: string): Promise<Record<string, unknown>> {
  const st = statSync(file, { throwIfNoEntry: false });
  const shown = displayPath(file, root);
  if (!st) throw new MlcError("MLC3006", `module not found: ${shown}`, { file: shown });
  if (!st.isFile()) throw new MlcError("MLC3006", `module is not a file: ${shown}`, { file: shown });
  const url = TS_EXT.has(extname(file)) ? pathToFileURL(await bundleCached(file, root)).href : pathToFileURL(file).href;
  return importUrl(url, shown);
}

async function importPackage(spec: string, root: string): Promise<Record<string, unknown>> {
  // A one-line shim inside the project makes Node resolve `spec` as the project itself would
  // (ESM conditions, exports maps, node_modules from the root up), which createRequire cannot.
  const dir = moduleCacheDir(root);
  const shim = join(dir, `pkg-${hash(spec).slice(0, 16)}.mjs`);
  const text = `export default () => import(${JSON.stringify(spec)});\n`;
  if ((await fsp.readFile(shim, "utf8").catch(() => null)) !== text) {
    mkdirSync(dir, { recursive: true });
    await writeFileAtomic(shim, text);
  }
  try {
    const load = (await import(pathToFileURL(shim).href)).default as () => Promise<Record<string, unknown>>;
    return await watchImport(spec, load);
  } catch (err) {
    throw importError(err, spec);
  }
}

async function importUrl(url: string, shown: string): Promise<Record<string, unknown>> {
  try {
    return await watchImport(shown, () => import(url) as Promise<Record<string, unknown>>);
  } catch (err) {
    throw importError(err, shown);
  }
}

/**
 * A module whose top-level await never settles leaves nothing for the event loop to do: Node would
 * end mlc silently with exit 0 ("mlc run" having run nothing). While an import is pending, an
 * empty event loop reports it as MLC3006 and exits 1 instead. One that never settles while its own
 * timers or sockets keep the loop alive would hang mlc: past MLC_MODULE_LOAD_TIMEOUT_MS (default
 * 30 s) the import is MLC3006 too.
 */
async function watchImport<T>(shown: string, load: () => Promise<T>): Promise<T> {
  const stuck = () => {
    process.stderr.write(`error MLC3006 module ${shown} never finished loading: its top-level await never settles\n`);
    process.exit(1);
  };
  process.on("beforeExit", stuck);
  const ms = Number(process.env.MLC_MODULE_LOAD_TIMEOUT_MS) || 30_000;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new MlcError(
            "MLC3006",
            `module ${shown} did not finish loading within ${ms / 1000} s: does its top-level await wait for something that never comes?`,
            { file: shown },
          ),
        ),
      ms,
    );
    timer.unref();
  });
  try {
    return await Promise.race([load(), late]);
  } finally {
    clearTimeout(timer);
    process.off("beforeExit", stuck);
  }
}

function importError(err: unknown, shown: string): MlcError {
  if (err instanceof MlcError) return err;
  const e = err as { code?: string; message?: string };
  const what = e.code === "ERR_MODULE_NOT_FOUND" ? "module not found" : "cannot import module";
  return new MlcError("MLC3006", `${what}: ${shown}: ${e.message ?? String(err)}`, { file: shown });
}

function displayPath(file: string, root: string): string {
  const rel = relative(root, file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split("\\").join("/") : file;
}

export function hash(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}

export interface Manifest {
  readonly format: string;
  readonly entry: string;
  readonly out: string;
  /** [path relative to root, mtimeMs, size] of every file esbuild read. */
  readonly inputs: readonly (readonly [string, number, number])[];
  /** Bare imports left external (package names), sorted: the cache key's package part. */
  readonly packages: readonly string[];
}

/** Returns the cached bundle for `file`, building it when any input changed. */
async function bundleCached(file: string, root: string): Promise<string> {
  const dir = moduleCacheDir(root);
  const manifestPath = join(dir, `${hash(CACHE_FORMAT + "\0" + file).slice(0, 24)}.json`);
  const hit = await readValidManifest(manifestPath, file, root, dir);
  if (hit) {
    moduleStats.diskHits++;
    return hit;
  }
  return build(file, root, dir, manifestPath);
}

export async function readValidManifest(
  manifestPath: string,
  file: string,
  root: string,
  dir: string,
): Promise<string | null> {
  let m: Manifest;
  try {
    m = JSON.parse(await fsp.readFile(manifestPath, "utf8")) as Manifest;
  } catch {
    return null;
  }
  if (m.format !== CACHE_FORMAT || m.entry !== file || !Array.isArray(m.inputs)) return null;
  for (const [rel, mtime, size] of m.inputs) {
    const st = statSync(resolve(root, rel), { throwIfNoEntry: false });
    if (!st || st.mtimeMs !== mtime || st.size !== size) return null;
  }
  const out = join(dir, m.out);
  return statSync(out, { throwIfNoEntry: false })?.isFile() ? out : null;
}

export async function build(file: string, root: string, dir: string, manifestPath: string): Promise<string> {
  const esbuild = await import("esbuild");
  moduleStats.esbuildCalls++;
  let result: import("esbuild").BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      entryPoints: [file],
      absWorkingDir: root,
      bundle: true,
      format: "esm",
      platform: "node",
      target: "node20",
      packages: "external",
      write: false,
      metafile: true,
      sourcemap: "inline",
      sourcesContent: false,
      logLevel: "silent",
      // The real file name is only known after the build; the folder is what source maps need.
      outfile: join(dir, "bundle.mjs"),
      plugins: [ownPackagePlugin(root)],
      // Bundled ESM has no `require`; give CommonJS-style calls one rooted at the project.
      banner: {
        js: `import { createRequire as __mlcCreateRequire } from "node:module"; const require = __mlcCreateRequire(${JSON.stringify(pathToFileURL(file).href)});`,
      },
    });
  } catch (err) {
    throw buildError(err, file, root);
  }
  const inputs = statInputs(result.metafile, root);
  const packages = externalPackages(result.metafile);
  const code = result.outputFiles[0].contents;
  const outName = `${hash(file + "\0" + JSON.stringify(inputs) + "\0" + hash(Buffer.from(code).toString("latin1"))).slice(0, 24)}.mjs`;
  mkdirSync(dir, { recursive: true });
  // Worker threads may build the same module at once: both write identical bytes via rename.
  await writeFileAtomic(join(dir, outName), code);
  const manifest: Manifest = { format: CACHE_FORMAT, entry: file, out: outName, inputs, packages };
  await writeFileAtomic(manifestPath, JSON.stringify(manifest));
  await sweep(dir).catch(() => {});
  return join(dir, outName);
}

const SWEEP_AGE_MS = 60 * 60 * 1000;

/**
 * Deletes bundles no manifest points to any more (and temp files of crashed writes), once they are
 * an hour old: another process may still be about to import a bundle that was just replaced.
 * Runs only after a rebuild, so an unchanged project never pays for it.
 */
async function sweep(dir: string): Promise<void> {
  const names = await fsp.readdir(dir);
  const live = new Set<string>();
  for (const n of names.filter((n) => n.endsWith(".json"))) {
    const m = JSON.parse(await fsp.readFile(join(dir, n), "utf8").catch(() => "{}")) as Partial<Manifest>;
    if (typeof m.out === "string") live.add(m.out);
  }
  const now = Date.now();
  for (const n of names) {
    const stale = (n.endsWith(".mjs") && !n.startsWith("pkg-") && !live.has(n)) || n.includes(".tmp-");
    if (!stale) continue;
    const st = statSync(join(dir, n), { throwIfNoEntry: false });
    if (st && now - st.mtimeMs > SWEEP_AGE_MS) await fsp.rm(join(dir, n), { force: true });
  }
}

/**
 * `import ... from "mlc-pipelines"` stays a bare import when the project can resolve it (its own
 * install); otherwise it points at the mlc running now (a global or npx install), so node code
 * can log metrics without a local install.
 */
function ownPackagePlugin(root: string): import("esbuild").Plugin {
  return {
    name: "mlc-own-package",
    setup(b) {
      b.onResolve({ filter: /^mlc-pipelines(\/|$)/ }, (args) => {
        if (resolvesFrom(join(root, "package.json"), args.path)) return { path: args.path, external: true };
        const own = resolvesFrom(fileURLToPath(import.meta.url), args.path);
        return { path: own ? pathToFileURL(own).href : args.path, external: true };
      });
    },
  };
}

function resolvesFrom(from: string, spec: string): string | null {
  try {
    return createRequire(from).resolve(spec);
  } catch {
    return null;
  }
}

export function buildError(err: unknown, file: string, root: string): MlcError {
  const errors = (
    err as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }
  ).errors;
  const first = errors?.[0];
  if (!first)
    return new MlcError("MLC3006", `cannot compile ${displayPath(file, root)}: ${String(err)}`, {
      file: displayPath(file, root),
    });
  const loc = first.location;
  const at = loc ? displayPath(resolve(root, loc.file), root) : displayPath(file, root);
  const pos = loc ? `${at}:${loc.line}:${loc.column + 1}` : at;
  const kind = /Could not resolve/.test(first.text) ? "module not found" : "syntax error";
  return new MlcError("MLC3006", `${kind} in ${pos}: ${first.text}`, {
    file: at,
    ...(loc ? { line: loc.line, column: loc.column + 1 } : {}),
  });
}
