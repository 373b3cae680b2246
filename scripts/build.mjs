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
import { readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
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
const INLINED_PACKAGES = new Set(["commander"]);

/** Keeps non-inlined sources as imports of their dist/ twins (every output sits in dist/cli-bundle/). */
const splitPlugin = {
  name: "mlc-cli-split",
  setup(b) {
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

const bundled = await build({
  entryPoints: { main: "cli/main.ts" },
  outdir: BUNDLE,
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
sweepStaleChunks(new Set(Object.keys(bundled.metafile.outputs).map((f) => resolve(f))));
writeHelp();

/** Removes chunks of earlier builds (only old ones: a CLI started before this build may still load them). */
function sweepStaleChunks(current) {
  const hour = Date.now() - 3600_000;
  for (const f of readdirSync(BUNDLE)) {
    const p = resolve(BUNDLE, f);
    if (f.startsWith("chunk-") && !current.has(p) && !current.has(p.replace(/\.map$/, "")) && statSync(p).mtimeMs < hour) rmSync(p, { force: true });
  }
}

/** Captures what the real program prints for --help, --version and no arguments (non-TTY, width 80). */
function writeHelp() {
  const env = { ...process.env };
  delete env.COLUMNS;
  delete env.NODE_OPTIONS;
  const run = (args) => spawnSync(process.execPath, [join(BUNDLE, "main.js"), ...args], { env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const help = run(["--help"]);
  const version = run(["--version"]);
  const bare = run([]);
  if (help.status !== 0 || version.status !== 0 || !help.stdout || !version.stdout) throw new Error(`build: mlc --help/--version failed: ${help.stderr}${version.stderr}`);
  const out = {
    version: version.stdout,
    help: help.stdout,
    bare: { stdout: bare.stdout, stderr: bare.stderr, status: bare.status },
  };
  writeFileSync(join(BUNDLE, "help.json"), JSON.stringify(out, null, 2) + "\n");
}
