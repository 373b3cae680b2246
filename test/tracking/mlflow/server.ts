// A REAL MLflow tracking server for the tracking suite: installed by scripts/setup-mlflow.sh when
// .venv-mlflow/bin/mlflow is missing, started on a free loopback port with a SQLite store and an
// artifacts folder (optionally with basic auth), polled on /health, stopped after. One per test
// file. When it cannot be installed or started the suite FAILS (CI=true always; locally unless
// MLC_SKIP_MLFLOW=1, which turns it into a loud skip with the reason). Every test file that needs
// a server, or a project copy the CLI runs, takes it from here.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  writeFileSync,
  openSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll } from "vitest";

export const REPO = resolve(import.meta.dirname, "../../..");
export const MLFLOW_BIN = join(REPO, ".venv-mlflow", "bin", "mlflow");

export interface TestServer {
  readonly uri: string;
  readonly port: number;
  readonly dir: string;
  readonly auth: { user: string; password: string } | null;
  stop(): Promise<void>;
  /** Starts it again on the same port and stores (after stop()). */
  start(): Promise<void>;
}

/** Ensures the pinned server is installed; returns why not when it cannot be. */
export function ensureMlflowInstalled(): string | null {
  if (existsSync(MLFLOW_BIN)) return null;
  const r = spawnSync("bash", [join(REPO, "scripts/setup-mlflow.sh")], {
    cwd: REPO,
    encoding: "utf8",
    timeout: 600_000,
  });
  if (r.status !== 0 || !existsSync(MLFLOW_BIN)) {
    return `scripts/setup-mlflow.sh failed (exit ${r.status}): ${(r.stderr || r.stdout || String(r.error ?? "")).trim().split("\n").slice(-5).join(" | ")}`;
  }
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

const live = new Set<ChildProcess>();
process.on("exit", () => live.forEach((c) => killGroup(c)));

function killGroup(c: ChildProcess, sig: NodeJS.Signals = "SIGTERM"): void {
  try {
    if (c.pid) process.kill(-c.pid, sig);
  } catch {
    // already gone
  }
}

async function waitHealthy(uri: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`mlflow server exited with ${child.exitCode}: ${tail(logFile)}`);
    try {
      const r = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`mlflow server did not answer /health within ${timeoutMs / 1000}s: ${tail(logFile)}`);
}

function tail(f: string): string {
  try {
    return readFileSync(f, "utf8").trim().split("\n").slice(-8).join(" | ");
  } catch {
    return "(no log)";
  }
}

/** Starts a server (basic auth when asked); throws with the reason when it cannot. */
export async function startMlflowServer(o: { basicAuth?: boolean } = {}): Promise<TestServer> {
  const why = ensureMlflowInstalled();
  if (why) throw new Error(why);
  const dir = mkdtempSync(join(tmpdir(), "mlc-mlflow-"));
  const port = await freePort();
  const uri = `http://127.0.0.1:${port}`;
  // No job runner: MLflow 3 otherwise starts ~8 Python processes (huey consumers) that mlc never
  // uses, and their start-up loads this 2-core machine for the first ~20 s of every suite.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MLFLOW_DISABLE_TELEMETRY: "true",
    DO_NOT_TRACK: "true",
    MLFLOW_SERVER_ENABLE_JOB_EXECUTION: "false",
  };
  delete env.MLFLOW_TRACKING_URI;
  const args = [
    "server",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--workers",
    "1",
    "--backend-store-uri",
    `sqlite:///${dir}/m.db`,
    "--artifacts-destination",
    `${dir}/art`,
  ];
  let auth: TestServer["auth"] = null;
  if (o.basicAuth) {
    // MLflow 3.x ships no default admin password: the admin is created from admin_password /
    // MLFLOW_AUTH_ADMIN_PASSWORD on first start; MLFLOW_AUTH_CONFIG_PATH keeps the user DB in dir.
    // The credential cache spares a ~1 s PBKDF2 check per request on this 2-core machine.
    auth = { user: "admin", password: `Pw-${randomBytes(12).toString("hex")}` };
    const ini = join(dir, "basic_auth.ini");
    writeFileSync(
      ini,
      `[mlflow]\ndefault_permission = READ\ndatabase_uri = sqlite:///${dir}/auth.db\nadmin_username = ${auth.user}\nadmin_password = ${auth.password}\nauthorization_function = mlflow.server.auth:authenticate_request_basic_auth\nauth_cache_ttl_seconds = 300\n`,
    );
    Object.assign(env, {
      MLFLOW_AUTH_CONFIG_PATH: ini,
      MLFLOW_FLASK_SERVER_SECRET_KEY: randomBytes(16).toString("hex"),
      MLFLOW_AUTH_ADMIN_PASSWORD: auth.password,
    });
    args.push("--app-name", "basic-auth");
  }
  let child: ChildProcess | null = null;
  const logFile = join(dir, "server.log");
  const start = async () => {
    const fd = openSync(logFile, "a");
    child = spawn(MLFLOW_BIN, args, { cwd: dir, env, detached: true, stdio: ["ignore", fd, fd] });
    live.add(child);
    await waitHealthy(uri, child, logFile, 150_000);
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once("exit", r));
    killGroup(c);
    const t = setTimeout(() => killGroup(c, "SIGKILL"), 5000);
    await Promise.race([gone, new Promise((r) => setTimeout(r, 15_000))]);
    clearTimeout(t);
    live.delete(c);
    // the port must be free before a restart
    for (let i = 0; i < 50; i++) {
      try {
        await fetch(`${uri}/health`, { signal: AbortSignal.timeout(200) });
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        break;
      }
    }
  };
  await start();
  return { uri, port, dir, auth, stop, start };
}

/** Per-file server holder with the suite's fail/skip policy. */
export function mlflowFixture(o: { basicAuth?: boolean } = {}) {
  let server: TestServer | null = null;
  let reason: string | null = null;
  return {
    async setup(): Promise<void> {
      try {
        server = await startMlflowServer(o);
      } catch (err) {
        reason = (err as Error).message;
        const banner = `\n!!! MLflow tracking tests: no real MLflow server: ${reason}\n`;
        process.stderr.write(banner);
        if (process.env.CI === "true" || process.env.MLC_SKIP_MLFLOW !== "1") {
          throw new Error(`no real MLflow server (${reason}); set MLC_SKIP_MLFLOW=1 to skip these tests locally`);
        }
      }
    },
    async teardown(): Promise<void> {
      await server?.stop();
      if (server) rmSync(server.dir, { recursive: true, force: true });
    },
    /** The server, or a loud skip (only possible with MLC_SKIP_MLFLOW=1 outside CI). */
    get(ctx: { skip: (note?: string) => void }): TestServer {
      if (!server) {
        process.stderr.write(`!!! SKIPPED (MLC_SKIP_MLFLOW=1): ${reason}\n`);
        ctx.skip(`no MLflow server: ${reason}`);
      }
      return server!;
    },
  };
}

/** Builds dist/ for a file whose tests spawn the CLI (`npm test` has just built it: a rebuild would rewrite it under other files). */
export function buildDist(): void {
  if (process.env.CI !== "true") spawnSync(process.execPath, ["scripts/build.mjs"], { cwd: REPO, stdio: "inherit" });
}

/** This test file's server: started before its tests (after building dist/ with `cli`), stopped after them. */
export function useMlflowServer(o: { basicAuth?: boolean; cli?: boolean } = {}) {
  const fx = mlflowFixture(o);
  beforeAll(async () => {
    if (o.cli) buildDist();
    await fx.setup();
  }, 300_000);
  afterAll(() => fx.teardown());
  return fx;
}

const copies: string[] = [];
process.once("exit", () => copies.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of a project folder (without .mlc, build, node_modules) whose `mlc-pipelines` is this checkout. */
export function copyProject(src: string): string {
  const dir = mkdtempSync(join(tmpdir(), "mlc-mlflow-project-"));
  copies.push(dir);
  cpSync(src, dir, { recursive: true, filter: (p) => !/[\\/](\.mlc|build|node_modules)$/.test(p) });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO, join(dir, "node_modules", "mlc-pipelines"), "dir");
  return dir;
}
