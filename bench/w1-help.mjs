// W1: `mlc --help` cold start against `node -e 0`, interleaved in the same run (target <= 1.25x),
// plus a check through an ESM resolve hook and require.cache that `mlc --help` and
// `mlc validate --help` load none of ajv, nunjucks, piscina, the YAML parsers or the MLflow
// tracking client (lazy imports in the CLI).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const REPO = resolve(import.meta.dirname, "..");
const RUNS = 21;
const ENV = { ...process.env };
delete ENV.NODE_EXTRA_CA_CERTS; // adds ~60 ms to every Node start (BRIEF)
/** Modules --help must not load: path fragments of their resolved URLs/filenames. */
export const FORBIDDEN = [
  "/node_modules/ajv/",
  "/node_modules/nunjucks/",
  "/node_modules/piscina/",
  "/node_modules/js-yaml/",
  "/node_modules/yaml/",
  "/dist/tracking/mlflow/",
];

function time(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: REPO, env: ENV, stdio: "ignore" });
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}`);
  return performance.now() - t0;
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x) => Math.round(x * 100) / 100;
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { runs: s.length, median_ms: r(mid), min_ms: r(s[0]), max_ms: r(s[s.length - 1]) };
}

/** Every module file `node bin/mlc.js ...args` loads (ESM via a resolve hook, CJS via require.cache). */
export function loadedModules(args = ["--help"]) {
  const dir = mkdtempSync(join(tmpdir(), "mlc-w1-"));
  const log = join(dir, "loaded.txt");
  const hooks = join(dir, "hooks.mjs");
  const preload = join(dir, "preload.mjs");
  writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";
let log;
export function initialize(data) { log = data.log; }
export async function resolve(spec, ctx, next) { const r = await next(spec, ctx); appendFileSync(log, r.url + "\\n"); return r; }
`,
  );
  writeFileSync(
    preload,
    `import { register, createRequire } from "node:module";
import { appendFileSync } from "node:fs";
const log = ${JSON.stringify(log)};
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { log } });
process.on("exit", () => appendFileSync(log, Object.keys(createRequire(import.meta.url).cache).join("\\n") + "\\n"));
`,
  );
  writeFileSync(log, "");
  try {
    spawnSync(process.execPath, ["--import", pathToFileURL(preload).href, "bin/mlc.js", ...args], {
      cwd: REPO,
      env: ENV,
      stdio: "ignore",
    });
    return [...new Set(readFileSync(log, "utf8").split("\n").filter(Boolean))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function w1() {
  const help = [];
  const base = [];
  time(["bin/mlc.js", "--help"]); // warm the OS file cache once; not counted
  for (let i = 0; i < RUNS; i++) {
    base.push(time(["-e", "0"]));
    help.push(time(["bin/mlc.js", "--help"]));
  }
  const h = stats(help);
  const b = stats(base);
  const loaded = loadedModules(["--help"]).map((u) => u.replace(/\\/g, "/"));
  // `mlc --help` may be served without commander; a command's --help goes through the real CLI.
  const viaCli = loadedModules(["validate", "--help"]).map((u) => u.replace(/\\/g, "/"));
  const forbidden = [...new Set([...loaded, ...viaCli])].filter((u) => FORBIDDEN.some((f) => u.includes(f)));
  const ours = loaded.filter((u) => u.includes("/dist/")).map((u) => u.slice(u.indexOf("/dist/") + 1));
  return {
    workload: "W1 mlc --help cold start",
    ...h,
    baseline: "node -e 0",
    baseline_median_ms: b.median_ms,
    ratio: Math.round((h.median_ms / b.median_ms) * 100) / 100,
    target: "ratio <= 1.25",
    lazy_ok: forbidden.length === 0,
    forbidden_loaded: forbidden,
    modules_loaded: loaded.length,
    modules_loaded_validate_help: viaCli.length,
    dist_modules: ours,
    notes: `interleaved runs, spawned with NODE_EXTRA_CA_CERTS unset; module check via an ESM resolve hook + require.cache`,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) console.log(JSON.stringify(await w1(), null, 2));
