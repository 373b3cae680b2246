// A REAL S3-compatible server for the storage tests: moto_server (scripts/setup-moto.sh installs
// it into .venv-moto/ when missing), started on a free loopback port, polled until it answers,
// stopped after. A server that cannot be installed or started FAILS the suite, never skips it.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { freePort } from "../tracking/mlflow/server.js";

const REPO = resolve(import.meta.dirname, "../..");
const MOTO_BIN = join(REPO, ".venv-moto", "bin", "moto_server");

/** Fixed test keys: moto accepts any; a real secret never appears in the tests. */
export const TEST_KEY_ID = "AKIAMLCTESTKEY000001";
export const TEST_SECRET = "mlc-test-secret-Zq9vX2pL7wR4";

export interface MotoServer {
  readonly endpoint: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** A credentials.yml entry for this server. */
  readonly credentials: Record<string, string>;
  readonly client: S3Client;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

function ensureInstalled(): void {
  if (existsSync(MOTO_BIN)) return;
  const r = spawnSync("bash", [join(REPO, "scripts/setup-moto.sh")], { encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0 || !existsSync(MOTO_BIN))
    throw new Error(`scripts/setup-moto.sh failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().slice(-500)}`);
}

async function waitUp(endpoint: string, child: ChildProcess, log: string): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`moto_server exited ${child.exitCode}: ${readFileSync(log, "utf8")}`);
    const ok = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`moto_server did not answer within 60 s: ${readFileSync(log, "utf8").slice(-500)}`);
}

/** Starts moto_server on a free loopback port. */
export async function startMoto(env: NodeJS.ProcessEnv = {}): Promise<MotoServer> {
  ensureInstalled();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const log = join(mkdtempSync(join(tmpdir(), "mlc-moto-")), "moto.log");
  const fd = openSync(log, "a");
  const child = spawn(MOTO_BIN, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", fd, fd],
    detached: true,
    env: { ...process.env, ...env },
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((r) => child.once("exit", r));
    process.kill(-child.pid!, "SIGKILL");
    await gone;
  };
  process.once("exit", () => void stop().catch(() => {}));
  await waitUp(endpoint, child, log);
  const credentials = {
    aws_access_key_id: TEST_KEY_ID,
    aws_secret_access_key: TEST_SECRET,
    region_name: "us-east-1",
    endpoint_url: endpoint,
  };
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const client = new S3Client({
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { accessKeyId: TEST_KEY_ID, secretAccessKey: TEST_SECRET },
  });
  return {
    endpoint,
    port,
    child,
    credentials,
    client,
    createBucket: async (name) => void (await client.send(new CreateBucketCommand({ Bucket: name }))),
    stop,
  };
}
