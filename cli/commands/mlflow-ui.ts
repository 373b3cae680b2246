// `mlc mlflow ui`: opens the configured tracking server in the browser (xdg-open/open when
// available; the URL is always printed), or, when no server is configured and an `mlflow`
// command exists, runs `mlflow ui` on tracking.ui host/port in the project folder until stopped.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { compileOptionsFromFlags, type CommonFlags } from "../project.js";
import { EXIT } from "../exit.js";
import { printDiagnostics } from "./print-diagnostics.js";

function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const p = join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

/** Opens `url` with the platform opener, if there is one; never throws. */
function openBrowser(url: string): boolean {
  const opener = process.platform === "darwin" ? which("open") : which("xdg-open");
  if (!opener) return false;
  try {
    spawn(opener, [url], { stdio: "ignore", detached: true })
      .on("error", () => {})
      .unref();
    return true;
  } catch {
    return false;
  }
}

/** The `mlflow` command: on PATH, or the project's / package's .venv-mlflow. */
function mlflowCommand(root: string): string | null {
  const here = new URL("../../../", import.meta.url).pathname;
  for (const base of [root, here]) {
    const p = join(base, ".venv-mlflow", "bin", "mlflow");
    if (existsSync(p)) return p;
  }
  return which("mlflow");
}

/** `mlc mlflow ui` flags (see cli/main.ts). */
export type MlflowUiFlags = CommonFlags & { open: boolean };

/** Runs `mlc mlflow ui`. */
export default async function mlflowUi(opts: MlflowUiFlags): Promise<number> {
  const copts = await compileOptionsFromFlags(opts);
  const { loadProjectTracking } = await import("../mlflow-project.js");
  const { safeUri } = await import("../../tracking/mlflow/client.js");
  const pt = loadProjectTracking(copts);
  if (pt.hasErrors) {
    await printDiagnostics(pt.diagnostics, pt.ctx, opts);
    return EXIT.usage;
  }
  const open = opts.open !== false;
  if (pt.config.client) {
    const url = safeUri(pt.config.client.uri);
    process.stdout.write(`MLflow UI: ${url}\n`);
    if (open && !openBrowser(url)) process.stdout.write("(no browser opener found: open the URL yourself)\n");
    return EXIT.ok;
  }
  const mlflow = mlflowCommand(copts.root);
  if (!mlflow) {
    process.stderr.write(
      "mlc: no tracking server configured and no `mlflow` command found: set server.mlflow_tracking_uri in conf/local/mlflow.yml (`mlc mlflow init`) or MLFLOW_TRACKING_URI, or install MLflow (bash scripts/setup-mlflow.sh, or pip install mlflow)\n",
    );
    return EXIT.usage;
  }
  const { uiHost: host, uiPort: port } = pt.config;
  const url = `http://${host}:${port}`;
  process.stdout.write(`starting mlflow ui on ${url} (store: ${copts.root}/mlflow.db; Ctrl-C stops it)\n`);
  const child = spawn(
    mlflow,
    ["ui", "--host", host, "--port", String(port), "--backend-store-uri", "sqlite:///mlflow.db"],
    {
      cwd: copts.root,
      stdio: "inherit",
      detached: true,
      env: { ...process.env, MLFLOW_DISABLE_TELEMETRY: process.env.MLFLOW_DISABLE_TELEMETRY ?? "true" },
    },
  );
  // `mlflow ui` runs uvicorn as its own child: signal the whole group (its own, detached) so
  // Ctrl-C or a SIGTERM to mlc stops the server too.
  const forward = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  if (open) void waitAndOpen(url, child.pid);
  const code = await new Promise<number>((res) => child.on("exit", (c, sig) => res(sig ? EXIT.interrupted : (c ?? 0))));
  return code === 0 ? EXIT.ok : code;
}

async function waitAndOpen(url: string, pid: number | undefined): Promise<void> {
  for (let i = 0; i < 120 && pid; i++) {
    try {
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok) {
        openBrowser(url);
        return;
      }
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}
