// `mlc new NAME [--starter movies|iris|spaceflights|blank]`: a new project from templates/starters. The files
// are assembled in a temporary sibling folder and renamed into place at the end, so a failure
// never leaves a half-made project; an existing non-empty folder is never touched.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { quote } from "../../executors/resume.js";
import { EXIT } from "../exit.js";

const STARTERS = ["blank", "iris", "movies", "spaceflights"] as const;
/** Never copied from a sample: generated state and machine-local configuration. */
const SKIP_DIRS = new Set([".mlc", "build", "node_modules", "dist"]);

interface StarterSpec {
  description: string;
  from?: string;
  data?: string[];
}

type Vars = Record<string, string>;
type Render = (text: string, vars: Vars) => string;

/** The folder of this package (holding package.json and templates/), from dist/ or the sources. */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && existsSync(join(dir, "templates", "starters"))) return dir;
    if (dirname(dir) === dir) throw new Error(`templates/starters not found above ${from}`);
  }
}

/**
 * How the new project depends on mlc-pipelines: MLC_NEW_DEP_SPEC when set; when this mlc is an
 * installed package (inside node_modules), the way the installing project names it if that is a
 * local tarball or folder (`file:`, made absolute so it holds from the new folder), else the
 * registry version; a git checkout (`npm link`) gets a `file:` link to itself, so `npm install`
 * works offline and before any release.
 */
export function dependencySpec(root: string, version: string): string {
  if (process.env.MLC_NEW_DEP_SPEC) return process.env.MLC_NEW_DEP_SPEC;
  const parts = root.split(/[\\/]/);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return `file:${root}`;
  const installer = parts.slice(0, at).join(sep) || sep;
  const local = installerFileSpec(installer);
  return local ? `file:${resolve(installer, local)}` : `^${version}`;
}

/** The path in the installing project's `mlc-pipelines: file:PATH` dependency, if it has one. */
function installerFileSpec(project: string): string | undefined {
  let pkg: Record<string, Record<string, string> | undefined>;
  try {
    pkg = JSON.parse(readFileSync(join(project, "package.json"), "utf8")) as typeof pkg;
  } catch {
    return undefined; // no readable package.json there (a global install): the registry version
  }
  for (const field of ["dependencies", "devDependencies", "optionalDependencies"]) {
    const spec = pkg[field]?.["mlc-pipelines"];
    if (typeof spec === "string" && spec.startsWith("file:")) return spec.slice("file:".length);
  }
  return undefined;
}

/** An npm package name from a folder name: lowercase, URL-safe, never empty. */
export function packageName(folder: string): string {
  const name = basename(folder)
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[-._]+|-+$/g, "");
  return name.slice(0, 214) || "mlc-project";
}

/** `mlc new` flags (see cli/main.ts). */
export type NewFlags = { starter: string; quiet?: boolean };

/** Creates the project; 0 on success, 2 for a bad starter or a folder that is not empty. */
export default async function newProject(opts: NewFlags, args: string[]): Promise<number> {
  const target = args[0];
  const starter = typeof opts.starter === "string" ? opts.starter : "blank";
  if (!target) return usage("mlc new: give the folder to create, e.g. `mlc new my-project`");
  if (!(STARTERS as readonly string[]).includes(starter)) {
    return usage(`mlc new: unknown starter "${starter}" (choose one of ${STARTERS.join(", ")})`);
  }
  const dest = resolve(target);
  if (existsSync(dest) && (!statSync(dest).isDirectory() || readdirSync(dest).length > 0)) {
    return usage(`mlc new: ${target} already exists and is not empty; choose a new folder name (nothing was changed)`);
  }
  const root = packageRoot();
  const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
  const spec = JSON.parse(
    readFileSync(join(root, "templates", "starters", starter, "starter.json"), "utf8"),
  ) as StarterSpec;
  const vars: Vars = {
    name: packageName(dest),
    version,
    dependency: dependencySpec(root, version),
    starter,
    description: spec.description,
  };
  const { default: nunjucks } = await import("nunjucks");
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
  const render: Render = (text, v) => env.renderString(text, v);
  const files = collect(root, starter, spec);
  const tmp = join(dirname(dest), `.${basename(dest)}.mlc-new-${process.pid}`);
  try {
    mkdirSync(dirname(dest), { recursive: true });
    for (const [rel, src] of [...files].sort()) writeOne(tmp, rel, src, vars, render);
    if (!existsSync(dest)) renameSync(tmp, dest);
    // An existing empty folder (maybe the shell's cwd) keeps its identity: move the entries in.
    else for (const entry of readdirSync(tmp)) renameSync(join(tmp, entry), join(dest, entry));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (typeof e.code !== "string") throw err;
    return usage(`mlc new: cannot create ${target}: ${e.message}`);
  } finally {
    removeQuietly(tmp);
  }
  if (!opts.quiet) printNextSteps(target, starter, files.size);
  return EXIT.ok;
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing was created there (a parent is not a folder)
  }
}

function usage(message: string): number {
  process.stderr.write(`${message}\n`);
  return EXIT.usage;
}

/** project-relative output path (before .njk/gitignore renames) -> absolute source file; later layers win. */
function collect(root: string, starter: string, spec: StarterSpec): Map<string, string> {
  const files = new Map<string, string>();
  const add = (dir: string, keep: (rel: string) => boolean) => {
    for (const rel of walk(dir)) if (keep(rel)) files.set(rel, join(dir, rel));
  };
  add(join(root, "templates", "starters", "_common"), () => true);
  if (spec.from) {
    const data = new Set(spec.data ?? []);
    add(join(root, spec.from), (rel) => {
      if (rel.startsWith("conf/local/")) return rel === "conf/local/.gitkeep";
      if (rel.startsWith("data/")) return rel.endsWith("/.gitkeep") || data.has(rel);
      return true;
    });
  }
  add(join(root, "templates", "starters", starter), (rel) => rel !== "starter.json");
  return files;
}

/** Files under `dir` as POSIX relative paths, skipping generated folders. */
function walk(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...walk(dir, rel));
    } else if (entry.isFile()) out.push(rel);
  }
  return out;
}

function writeOne(tmp: string, rel: string, src: string, vars: Vars, render: Render): void {
  let out = rel.endsWith(".njk") ? rel.slice(0, -4) : rel;
  if (basename(out) === "gitignore") out = join(dirname(out), ".gitignore");
  const file = join(tmp, out);
  mkdirSync(dirname(file), { recursive: true });
  if (/\.(csv|bin|parquet|png|jpg|xlsx)$/i.test(out)) {
    writeFileSync(file, readFileSync(src));
    return;
  }
  let text = readFileSync(src, "utf8");
  if (rel.endsWith(".njk")) text = render(text, vars);
  writeFileSync(file, rewriteSchemaModeline(text, out));
}

/** `$schema=../../schema/x.json` (inside this repo) -> the copy installed in node_modules. */
export function rewriteSchemaModeline(text: string, relPath: string): string {
  const depth = relPath.split(/[\\/]/).length - 1;
  const prefix = depth === 0 ? "./" : "../".repeat(depth);
  return text.replace(/(\$schema=)(?:\.\.\/)+schema\//g, `$1${prefix}node_modules/mlc-pipelines/schema/`);
}

function printNextSteps(target: string, starter: string, count: number): void {
  const shown = relative(process.cwd(), resolve(target)) || target;
  // Single quotes: the line is meant to be pasted, and inside "..." a shell still runs $(...) and `...`.
  const cd = quote(shown.startsWith("-") ? `./${shown}` : shown);
  process.stdout.write(
    `Created ${shown} from the ${starter} starter (${count} files).\n\n` +
      `Next steps:\n  cd ${cd} && npm install && npx mlc run\n\n` +
      `Then: npx mlc viz (the pipeline in your browser), npx mlc runs ls (the run history).\n`,
  );
}
