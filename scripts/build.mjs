// Builds runnable JS into dist/: esbuild transpiles every source file one to one (no bundling),
// so worker entries, the library entry points and lazy CLI imports stay separate files. Type
// checking is `npm run typecheck`. Then two start-up speed-ups for the `mlc` command:
// - dist/cli-bundle/: the CLI entry bundled with the validate/compile commands and the compiler
//   (one file per lazy chunk instead of ~50 small modules; commander inlined, other packages
//   external). Every other command stays an external import of its 1:1 dist/ file, and
//   cli/exit.js is shared, so `instanceof UsageError` holds across both.
// - dist/cli-bundle/help.json: the exact output of `mlc --help`, `mlc --version` and bare `mlc`,
//   captured from the real commander program, which bin/mlc.js prints without loading it.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { basename, join, relative, resolve, sep } from "node:path";
import { build } from "esbuild";

const roots = ["index.ts", "track.ts", "schema", "compiler", "catalog", "executors", "tracking", "cli"];
const files = [];
function walk(p) {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isDirectory()) for (const f of readdirSync(p).sort()) walk(join(p, f));
  else if (/\.(ts|mts)$/.test(p) && !p.endsWith(".d.ts")) files.push(p);
}
roots.forEach(walk);
// dist/ is not wiped first: tests of other processes may be reading it while a build runs.
await build({
  entryPoints: files,
  outdir: "dist",
  outbase: ".",
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  logLevel: "warning",
});

const ROOT = resolve(".");
const BUNDLE = "dist/cli-bundle";
/** Sources inlined into the CLI bundle (paths relative to the repository). */
const INLINED = [/^cli\/main\.ts$/, /^cli\/commands\/(validate|compile|print-diagnostics)\.ts$/, /^cli\/(format|project)\.ts$/, /^compiler\//, /^schema\//, /^catalog\/atomic\.ts$/];
/** Packages inlined into the CLI bundle; every other package stays a runtime import. */
const INLINED_PACKAGES = new Set(["commander", "@commander-js/extra-typings"]);

/** Keeps non-inlined sources as imports of their dist/ twins (every output sits in dist/cli-bundle/). */
const splitPlugin = {
  name: "mlc-cli-split",
  setup(b) {
    // Built-ins through require(): an ES import of node:fs or node:crypto builds a module facade
    // that reads every export, loading fs streams and WebCrypto (~4 ms) that the CLI never uses.
    b.onResolve({ filter: /^node:/ }, (a) => (a.kind === "import-statement" && a.namespace === "file" ? { path: a.path, namespace: "mlc-builtin" } : { path: a.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: "mlc-builtin" }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path)});`, loader: "js" }));
    // commander loads child_process at start (~2 ms) only to spawn executable subcommands, which
    // mlc has none of: required on first use instead.
    b.onLoad({ filter: /[\\/]node_modules[\\/]commander[\\/]lib[\\/]command\.js$/ }, (a) => {
      const text = readFileSync(a.path, "utf8");
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) return undefined; // another commander version: leave it alone
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: text.replace(eager, lazy), loader: "js" };
    });
    b.onResolve({ filter: /^[^./]/ }, (a) => {
      const name = a.path.startsWith("@") ? a.path.split("/").slice(0, 2).join("/") : a.path.split("/")[0];
      return INLINED_PACKAGES.has(name) || a.kind === "entry-point" ? undefined : { path: a.path, external: true };
    });
    b.onResolve({ filter: /^\.\.?\// }, (a) => {
      if (a.kind === "entry-point" || a.importer.includes(`${sep}node_modules${sep}`)) return undefined;
      const abs = resolve(a.resolveDir, a.path.replace(/\.js$/, ".ts"));
      const rel = relative(ROOT, abs).split(sep).join("/");
      if (INLINED.some((r) => r.test(rel))) return { path: abs };
      return { path: `../${rel.replace(/\.ts$/, ".js")}`, external: true };
    });
  },
};

// Built in a staging folder at the same depth (its relative imports resolve the same), checked by
// capturing the help text from it, then moved in: chunks first, main.js last, each by rename, so a
// CLI starting meanwhile sees the old bundle or the new one, and a broken bundle is never installed.
const STAGE = `dist/.cli-bundle-${process.pid}`;
rmSync(STAGE, { recursive: true, force: true });
const bundled = await build({
  entryPoints: { main: "cli/main.ts" },
  outdir: STAGE,
  bundle: true,
  splitting: true,
  chunkNames: "chunk-[hash]",
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  metafile: true,
  plugins: [splitPlugin],
  // commander is CommonJS: its require() calls need a real require inside an ES module.
  banner: { js: `import { createRequire as __mlcCreateRequire } from "node:module"; const require = __mlcCreateRequire(import.meta.url);` },
  logLevel: "warning",
});
try {
  const help = captureHelp(join(STAGE, "main.js"));
  mkdirSync(BUNDLE, { recursive: true });
  const outputs = Object.keys(bundled.metafile.outputs).map((f) => basename(f));
  const last = (f) => (f.startsWith("main.js") ? 1 : 0);
  for (const f of [...outputs].sort((a, b) => last(a) - last(b))) renameSync(join(STAGE, f), join(BUNDLE, f));
  writeFileSync(join(BUNDLE, "help.json.tmp"), help);
  renameSync(join(BUNDLE, "help.json.tmp"), join(BUNDLE, "help.json"));
  sweepStaleChunks(new Set(outputs));
} finally {
  rmSync(STAGE, { recursive: true, force: true });
}

// dist/tracking/mlflow/tracker.js and delivery.js: the MLflow tracker as two files (its
// tracking/mlflow modules inlined; everything outside stays an import of its dist/ twin). A tracked
// run loads tracker.js on its critical path: one module instead of ~12 costs ~2.8 ms instead of
// 5.4 (measured in-run); delivery.js (the HTTP client, delivery, sync) is imported only when the
// run first sends something, so a short background run never compiles it. The few modules both
// use (outbox, options) exist once in each; nothing crosses between them by instanceof (MlcError
// stays the shared dist/ module). Split chunks measured slower (3.5 ms): one file per side.
//
// The tracker side is then run through V8's code cache: a short tracked run otherwise spends
// most of tracking's cost compiling tracker code it runs once (~2 ms of ~5, measured cold). It is
// built as a CommonJS script, dist/tracking/mlflow/tracker.cjs, which the generated ES module
// dist/tracking/mlflow/tracker.js runs with vm.Script and `tracker-<hash>.cache`: the code cache
// taken after scripts/warm-tracker.mjs ran a background run's path through it, so the functions
// that path calls arrive compiled. Outside modules (compiler/diagnostics.js, ...) are imported by
// the loader and handed to the script's require(): one MlcError class for everyone. A cache V8
// rejects (another Node version or V8 flags) only costs the compiling again.
const TRACKING = resolve("tracking/mlflow");
const DELIVERY = join(TRACKING, "delivery.ts");
const trackerPlugin = (name, outside, builtins) => ({
  name: "mlc-tracker-bundle",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) => {
      builtins?.add(a.path);
      return { path: a.path, external: true };
    });
    b.onResolve({ filter: /^\.\.?\// }, (a) => {
      if (a.kind === "entry-point") return undefined;
      const abs = resolve(a.resolveDir, a.path.replace(/\.js$/, ".ts"));
      // The tracker loads delivery.js as the other bundle, never inlined.
      if (name === "tracker" && abs === DELIVERY) return { path: "./delivery.js", external: true };
      // ... and delivery (sync: a run's journal becomes its outbox) and the journal (a run going
      // live) load the tracker as it is.
      if (name !== "tracker" && abs === join(TRACKING, "tracker.ts")) return { path: "./tracker.js", external: true };
      if (abs.startsWith(TRACKING + sep)) return { path: abs };
      // Same folder depth in dist/ as in the sources: an outside import keeps its specifier.
      outside?.add(a.path);
      return { path: a.path, external: true };
    });
  },
});
const trackerOptions = { bundle: true, platform: "node", target: "node20", logLevel: "warning" };
await build({ ...trackerOptions, entryPoints: { delivery: "tracking/mlflow/delivery.ts" }, outdir: "dist/tracking/mlflow", format: "esm", sourcemap: true, allowOverwrite: true, plugins: [trackerPlugin("delivery")] });
// The journal (tracking/mlflow/journal.ts, what a run under delivery: background runs instead of
// the tracker) is built the same way: journal.cjs, its loader journal.js and its code cache.
await codeCachedScript("tracker", "the MLflow tracker", 'mod.exports.useDeliveryLoader(() => import("./delivery.js"));');
await codeCachedScript("journal", "the MLflow journal of a run under delivery: background", 'mod.exports.useTrackerLoader(() => import("./tracker.js"));');
{
  // Without the builder's MLFLOW_* / MLC_* settings: the warm-up's run is the plain background
  // one (credentials or MLC_MLFLOW_DELIVERY=wait would change its path and its deliverer's name).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(MLFLOW_|MLC_)/.test(k)));
  const warm = spawnSync(process.execPath, ["scripts/warm-tracker.mjs"], { encoding: "utf8", env });
  if (warm.status !== 0) process.stderr.write(`build: no code cache for the MLflow tracker and journal (tracked runs compile them): ${(warm.stderr || warm.stdout).trim().split("\n").slice(-3).join(" | ")}\n`);
}

/**
 * dist/tracking/mlflow/<name>.cjs (tracking/mlflow/<name>.ts and the tracking/mlflow modules it
 * imports, as one CommonJS script) and its generated ES-module loader <name>.js, which runs the
 * script with V8's code cache <name>-<hash>.cache (written by scripts/warm-tracker.mjs).
 * `afterRun` is loader code run once the script ran (it has no import() of its own).
 */
async function codeCachedScript(name, what, afterRun) {
  const outside = new Set();
  const builtins = new Set(["node:url"]); // the banner's
  const entry = `tracking/mlflow/${name}.ts`;
  const cjs = await build({
    ...trackerOptions, entryPoints: [entry], write: false, format: "cjs", plugins: [trackerPlugin(name, outside, builtins)],
    // import.meta.url of the inlined modules: the script's own file (vm.Script passes __filename).
    // Computed on first use: most runs never need it.
    define: { "import.meta.url": "__mlc.url" }, banner: { js: 'const __mlc = { get url() { return require("node:url").pathToFileURL(__filename).href; } };' },
  });
  const esm = await build({ ...trackerOptions, entryPoints: [entry], write: false, format: "esm", outdir: "dist/tracking/mlflow", metafile: true, plugins: [trackerPlugin(name)] });
  const names = Object.values(esm.metafile.outputs).flatMap((o) => o.exports).sort();
  const code = cjs.outputFiles[0].text;
  const hash = createHash("sha256").update(code).digest("hex").slice(0, 16);
  const dir = "dist/tracking/mlflow";
  for (const b of builtins) if (!b.startsWith("node:")) throw new Error(`${name} bundle: import "${b}" is neither node:* nor a dist/ module`);
  // Outside dist/ modules reach the script as the loader's own ES imports (loaded already: one
  // MlcError class for everyone); node builtins through process.getBuiltinModule (Node >= 20.16),
  // which costs a fraction of an ES import (that builds a module facade: ~0.1-0.2 ms each for
  // node:vm and node:module, which a run otherwise never loads) or of a CommonJS require().
  const deps = [...outside].sort();
  const loader = `// Generated by scripts/build.mjs (see there): runs ${name}.cjs, ${what}, with V8's code
// cache ${name}-${hash}.cache, and exports what tracking/mlflow/${name}.ts exports.
${deps.map((d, i) => `import * as dep${i} from ${JSON.stringify(d)};`).join("\n")}
const builtin = process.getBuiltinModule;
const deps = { ${deps.map((d, i) => `${JSON.stringify(d)}: dep${i}`).join(", ")} };
const { readFileSync, renameSync, writeFileSync } = builtin("node:fs");
const crypto = builtin("node:crypto");
const dir = import.meta.dirname;
const file = dir + "/${name}.cjs";
const cacheFile = dir + "/${name}-${hash}.cache";
// The file is the cache's sha256, then the cache: V8 release builds do not verify a code cache,
// and a damaged one would crash the process, so a cache that does not match is not used.
const sha = (b) => (crypto.hash ? Buffer.from(crypto.hash("sha256", b, "hex"), "hex") : crypto.createHash("sha256").update(b).digest());
let cachedData;
let found = false;
try {
  const data = readFileSync(cacheFile);
  found = true;
  if (data.length > 32 && sha(data.subarray(32)).equals(data.subarray(0, 32))) cachedData = data.subarray(32);
} catch {
  // no cache (the build could not make one): compiled as usual
}
// Module.wrap()'s wrapper, as CommonJS runs a file.
const source = "(function (exports, require, module, __filename, __dirname) { " + readFileSync(file, "utf8") + "\\n});";
const vm = builtin("node:vm");
const script = new vm.Script(source, { filename: file, cachedData });
let req = null;
const mod = { exports: {} };
script.runInThisContext()(mod.exports, (id) => deps[id] ?? (id.startsWith("node:") ? builtin(id) : (req ??= builtin("node:module").createRequire(file))(id)), mod, file, dir);
${afterRun}
/** "used", "rejected" (another V8 or V8 flags), "damaged" (not used) or "none". */
export const codeCache = cachedData === undefined ? (found ? "damaged" : "none") : script.cachedDataRejected ? "rejected" : "used";
/** Writes the code cache of what ran so far (scripts/warm-tracker.mjs, at build time). */
export function writeCodeCache() {
  const body = script.createCachedData();
  writeFileSync(cacheFile + ".tmp", Buffer.concat([sha(body), body]));
  renameSync(cacheFile + ".tmp", cacheFile);
}
export const { ${names.join(", ")} } = mod.exports;
`;
  // The script first, then its loader; old caches go (their script is gone).
  writeFileSync(join(dir, `${name}.cjs.tmp`), code);
  renameSync(join(dir, `${name}.cjs.tmp`), join(dir, `${name}.cjs`));
  writeFileSync(join(dir, `${name}.js.tmp`), loader);
  renameSync(join(dir, `${name}.js.tmp`), join(dir, `${name}.js`));
  const old = new RegExp(`^${name}-[0-9a-f]{16}\\.cache$`);
  for (const f of readdirSync(dir)) if (old.test(f) && f !== `${name}-${hash}.cache`) rmSync(join(dir, f), { force: true });
  rmSync(join(dir, `${name}.js.map`), { force: true });
}

/** Removes chunks of earlier builds (only old ones: a CLI started before this build may still load them). */
function sweepStaleChunks(current) {
  const hour = Date.now() - 3600_000;
  for (const f of readdirSync(BUNDLE)) {
    const p = join(BUNDLE, f);
    if (f.startsWith("chunk-") && !current.has(f) && statSync(p).mtimeMs < hour) rmSync(p, { force: true });
  }
}

/** What the real program prints for --help, --version and no arguments (non-TTY, width 80), as JSON. */
function captureHelp(main) {
  const env = { ...process.env };
  delete env.COLUMNS;
  delete env.NODE_OPTIONS;
  const run = (args) => spawnSync(process.execPath, [main, ...args], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const help = run(["--help"]);
  const version = run(["--version"]);
  const bare = run([]);
  if (help.status !== 0 || version.status !== 0 || !help.stdout || !version.stdout) throw new Error(`build: the CLI bundle does not run: ${help.stderr}${version.stderr}`);
  const out = { version: version.stdout, help: help.stdout, bare: { stdout: bare.stdout, stderr: bare.stderr, status: bare.status } };
  return JSON.stringify(out, null, 2) + "\n";
}
