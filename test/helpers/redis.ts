import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../tracking/mlflow/server.js";

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

/** A real redis-server on a free loopback port (or `port`: a restart) in a temp dir; resolves once it accepts connections. */
export async function startRedis(port?: number): Promise<TestRedis> {
  port ??= await freePort();
  const dir = mkdtempSync(join(tmpdir(), "mlc-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"];
  const proc: ChildProcess = spawn("redis-server", args, { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((ok, fail) => {
    proc.once("error", fail);
    proc.once("exit", (code) => fail(new Error(`redis-server exited with ${code}`)));
    proc.stdout!.on("data", (b: Buffer) => b.toString().includes("Ready to accept connections") && ok());
  });
  const stop = async () => {
    const exited = new Promise((ok) => proc.once("exit", ok));
    proc.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  return { url: `redis://127.0.0.1:${port}`, stop };
}
