// Runs test/cli/search-oracle.py (MLflow's SearchUtils) in the pinned MLflow venv. Without the venv
// the tests fail (always under CI=true; locally unless MLC_SKIP_MLFLOW=1, then a loud skip), as the
// tracking suite's server fixture does.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ensureMlflowInstalled, REPO } from "../tracking/mlflow/server.js";

const PYTHON = join(REPO, ".venv-mlflow", "bin", "python");
const ORACLE = join(import.meta.dirname, "search-oracle.py");

/** Why MLflow's Python cannot be used here, or null; throws when that must fail the suite. */
export function oracleUnavailable(): string | null {
  const why = ensureMlflowInstalled();
  if (!why) return null;
  process.stderr.write(`\n!!! MLflow search oracle: no MLflow venv: ${why}\n`);
  if (process.env.CI === "true" || process.env.MLC_SKIP_MLFLOW !== "1") {
    throw new Error(`no MLflow venv for the search oracle (${why}); set MLC_SKIP_MLFLOW=1 to skip these tests locally`);
  }
  return why;
}

/** Sends one request to the oracle and returns its answer. */
export function askMlflow<T>(request: unknown): T {
  const r = spawnSync(PYTHON, [ORACLE], {
    input: JSON.stringify(request),
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: "true", DO_NOT_TRACK: "true" },
  });
  if (r.status !== 0) throw new Error(`search-oracle.py exited ${r.status}: ${r.stderr || String(r.error ?? "")}`);
  return JSON.parse(r.stdout) as T;
}
