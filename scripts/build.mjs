// Builds runnable JS into dist/: esbuild transpiles every source file one to one (no bundling),
// so worker entries and lazy CLI imports stay separate files. Type checking is `npm run typecheck`.
import { build } from "esbuild";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

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
