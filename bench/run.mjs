// The benchmark harness (`npm run bench`, after `npm run build`): runs every bench/w*.mjs, each
// in its own Node process (no shared warm caches between workloads), and prints ONE JSON array
// of rows {workload, runs, median_ms, min_ms, max_ms, baseline?, baseline_median_ms?, ratio?,
// target?, notes?} to stdout. Progress goes to stderr. `node bench/run.mjs w1 w3` runs a subset.
// NODE_EXTRA_CA_CERTS is unset for every workload: it adds ~60 ms to each Node start (BRIEF).
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const DIR = import.meta.dirname;
const MARK = "\n@@mlc-bench-result@@";

/** The bench files to run: bench/w*.mjs, optionally filtered by name substrings. */
export function benchFiles(filters = []) {
  return readdirSync(DIR)
    .filter((f) => /^w.*\.mjs$/.test(f))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}

/** Runs one bench file's default export in a fresh process; resolves to its rows. */
export function runOne(file) {
  const url = pathToFileURL(join(DIR, file)).href;
  const code = `const m = await import(${JSON.stringify(url)});
const r = await m.default();
process.stdout.write(${JSON.stringify(MARK)} + JSON.stringify(r) + "\\n");`;
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", code], {
      cwd: join(DIR, ".."),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => {
      err += c;
      process.stderr.write(c);
    });
    child.on("close", (status) => {
      const at = out.lastIndexOf(MARK);
      if (status === 0 && at !== -1) {
        const rows = JSON.parse(out.slice(at + MARK.length));
        resolve((Array.isArray(rows) ? rows : [rows]).map((r) => ({ file, ...r })));
      } else {
        // The thrown error's own line says what is wrong; the stack under it does not.
        const last = err.trim().split("\n").slice(-3).join(" | ") || `exit ${status}`;
        const why = err.match(/^\w*Error: .*$/m)?.[0] ?? last;
        resolve([{ file, workload: file, error: why }]);
      }
    });
  });
}

async function main() {
  const rows = [];
  for (const file of benchFiles(process.argv.slice(2))) {
    process.stderr.write(`bench: ${file}\n`);
    const t0 = performance.now();
    rows.push(...(await runOne(file)));
    process.stderr.write(`bench: ${file} done in ${Math.round(performance.now() - t0)} ms\n`);
  }
  process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
  if (rows.some((r) => r.error)) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
