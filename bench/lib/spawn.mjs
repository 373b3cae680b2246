// Timing spawned `mlc` commands against the bare Node floor. NODE_EXTRA_CA_CERTS is unset for
// every spawn: it adds ~60 ms to each Node start and is not part of what we measure.
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "..", "..");

/** The CLI under test (MLC_BIN overrides, e.g. a private build). */
export const MLC = process.env.MLC_BIN || join(REPO, "bin", "mlc.js");

const ENV = { ...process.env, NO_COLOR: "1" };
delete ENV.NODE_EXTRA_CA_CERTS;

/** Wall time (ms) of one `node args...` run; throws with its stderr when the exit code is not `expect`. */
export function timeNode(args, { cwd = REPO, expect = 0 } = {}) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, env: ENV, encoding: "utf8", maxBuffer: 1 << 30 });
  const ms = performance.now() - t0;
  if (r.status !== expect)
    throw new Error(`node ${args.join(" ")} exited ${r.status ?? r.signal}: ${(r.stderr || "").slice(0, 2000)}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

/** median, min, max of a list of numbers (ms), rounded to 0.01. */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x) => Math.round(x * 100) / 100;
  const mid = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return { runs: s.length, median_ms: r(mid), min_ms: r(s[0]), max_ms: r(s[s.length - 1]) };
}
