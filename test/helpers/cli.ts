// The one way tests run the built CLI (`node bin/mlc.js`; `npm run build` first): to completion
// (`mlc`, `mlcWith`) or as a live child for signals and servers (`spawnMlc`).
import { spawn, spawnSync, type ChildProcessByStdio } from "node:child_process";
import { join, resolve } from "node:path";
import type { Readable, Writable } from "node:stream";

const REPO = resolve(import.meta.dirname, "../..");

/** Variables set to `undefined` are removed from the child's environment. */
export type CliEnv = Record<string, string | undefined>;

export type CliOptions = {
  /** Merged over the default environment (plain output, no inherited tracking server or CA bundle). */
  env?: CliEnv;
  /** Milliseconds before the child is killed (then `code` is null and `signal` says why). */
  timeout?: number;
  /** The script to run, relative to the repository (default bin/mlc.js). */
  entry?: string;
  /** Node's own flags, before the script (`--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
};

/** `code` is null when the child was killed (`signal`); `all` is stdout then stderr. */
export type CliResult = {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  all: string;
};

/**
 * CI=true and NO_COLOR=1: the plain progress lines and no colour codes the tests compare against.
 * A tracking server or extra CA bundle set for the test process is not the project's to inherit.
 */
function cliEnv(overrides: CliEnv = {}): NodeJS.ProcessEnv {
  const unset = { MLFLOW_TRACKING_URI: undefined, NODE_EXTRA_CA_CERTS: undefined };
  const env: CliEnv = { ...process.env, CI: "true", NO_COLOR: "1", ...unset, ...overrides };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env;
}

/** Runs `mlc ...args` in `cwd` to completion with the default environment and a 60 s timeout. */
export function mlc(cwd: string, ...args: string[]): CliResult {
  return mlcWith({}, cwd, ...args);
}

/** `mlc` with environment overrides, another timeout or another entry script. */
export function mlcWith(options: CliOptions, cwd: string, ...args: string[]): CliResult {
  const script = join(REPO, options.entry ?? "bin/mlc.js");
  const r = spawnSync(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
    cwd,
    env: cliEnv(options.env),
    encoding: "utf8",
    timeout: options.timeout ?? 60_000,
    maxBuffer: 1 << 28,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, all: r.stdout + r.stderr };
}

/** Starts `mlc ...args` in `cwd` with stdout and stderr piped, for tests that signal it or talk to it. */
export function spawnMlc(
  cwd: string,
  args: string[],
  options: Omit<CliOptions, "timeout"> = {},
): ChildProcessByStdio<null, Readable, Readable> {
  return start(cwd, args, options, "ignore") as ChildProcessByStdio<null, Readable, Readable>;
}

/** `spawnMlc` with a writable stdin, for interactive commands (`mlc repl`). */
export function spawnMlcInteractive(
  cwd: string,
  args: string[],
  options: Omit<CliOptions, "timeout"> = {},
): ChildProcessByStdio<Writable, Readable, Readable> {
  return start(cwd, args, options, "pipe") as ChildProcessByStdio<Writable, Readable, Readable>;
}

function start(cwd: string, args: string[], options: Omit<CliOptions, "timeout">, stdin: "ignore" | "pipe") {
  return spawn(process.execPath, [join(REPO, options.entry ?? "bin/mlc.js"), ...args], {
    cwd,
    env: cliEnv(options.env),
    stdio: [stdin, "pipe", "pipe"],
  });
}
