// Builds runnable JS into dist/: esbuild transpiles every source file one to one (no bundling),
// so worker entries, the library entry points and lazy CLI imports stay separate files. Type
// checking is `npm run typecheck`. dist/vendor/yaml.cjs is the `yaml` package as one file (see
// below). Then two start-up speed-ups for the `mlc` command:
// - dist/cli-bundle/: the CLI entry bundled with the validate/compile commands and the compiler
//   (one file per lazy chunk instead of ~50 small modules; commander inlined, other packages
//   external). Every other command stays an external import of its 1:1 dist/ file, and
//   cli/exit.js is shared, so `instanceof UsageError` holds across both.
// - dist/cli-bundle/help.json: the exact output of `mlc --help`, `mlc --version` and bare `mlc`,
//   captured from the real commander program, which bin/mlc.js prints without loading it.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join, relative, resolve, sep } from "node:path";
import { build } from "esbuild";

const roots = [
  "index.ts",
  "track.ts",
  "schema",
  "compiler",
  "modules",
  "catalog",
  "executors",
  "cache",
  "hooks",
  "runs",
  "tracking",
  "cli",
];
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
// The `yaml` package (diagnostic positions, compiler/locate.ts) as one file: required as its ~70
// CommonJS files it loads several times slower, which every run that prints a diagnostic pays.
await build({
  entryPoints: { yaml: createRequire(import.meta.url).resolve("yaml") },
  outdir: "dist/vendor",
  outExtension: { ".js": ".cjs" },
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  logLevel: "warning",
});

const ROOT = resolve(".");
const BUNDLE = "dist/cli-bundle";
/** Sources inlined into the CLI bundle (paths relative to the repository). */
const INLINED = [
  /^cli\/main\.ts$/,
  /^cli\/commands\/(validate|compile|print-diagnostics)\.ts$/,
  /^cli\/(format|project)\.ts$/,
  /^compiler\//,
  /^modules\//,
  /^schema\//,
  /^catalog\/atomic\.ts$/,
];
/** Packages inlined into the CLI bundle; every other package stays a runtime import. */
const INLINED_PACKAGES = new Set(["commander", "@commander-js/extra-typings"]);

/** Keeps non-inlined sources as imports of their dist/ twins (every output sits in dist/cli-bundle/). */
const splitPlugin = {
  name: "mlc-cli-split",
  setup(b) {
    // Built-ins through require(): an ES import of node:fs or node:crypto builds a module facade
    // that reads every export, loading fs streams and WebCrypto that the CLI never uses.
    b.onResolve({ filter: /^node:/ }, (a) =>
      a.kind === "import-statement" && a.namespace === "file"
        ? { path: a.path, namespace: "mlc-builtin" }
        : { path: a.path, external: true },
    );
    b.onLoad({ filter: /.*/, namespace: "mlc-builtin" }, (a) => ({
      contents: `module.exports = require(${JSON.stringify(a.path)});`,
      loader: "js",
    }));
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
  banner: {
    js: `import { createRequire as __mlcCreateRequire } from "node:module"; const require = __mlcCreateRequire(import.meta.url);`,
  },
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
  const run = (args) =>
    spawnSync(process.execPath, [main, ...args], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const help = run(["--help"]);
  const version = run(["--version"]);
  const bare = run([]);
  if (help.status !== 0 || version.status !== 0 || !help.stdout || !version.stdout)
    throw new Error(`build: the CLI bundle does not run: ${help.stderr}${version.stderr}`);
  const out = {
    version: version.stdout,
    help: help.stdout,
    bare: { stdout: bare.stdout, stderr: bare.stderr, status: bare.status },
  };
  return JSON.stringify(out, null, 2) + "\n";
}
