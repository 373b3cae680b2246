// A REAL private PostgreSQL cluster for the sql dataset tests and the sql.table bench: initdb into
// a temp folder (as the `postgres` user when we are root, since the server refuses to run as
// root), pg_ctl start on a free loopback port with password (scram) auth, stopped and removed
// after. Debian's binaries come from scripts/setup-postgres.sh, run here when they are missing;
// when they cannot be had the suite fails, never skips.
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../tracking/mlflow/server.js";

const REPO = resolve(import.meta.dirname, "../..");

export interface PgCluster {
  /** postgresql://mlc:<password>@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly password: string;
  readonly port: number;
  stop(): void;
}

/** The bin folder of the newest installed PostgreSQL (installing it first when there is none). */
function pgBin(): string {
  const find = () => {
    const base = "/usr/lib/postgresql";
    if (!existsSync(base)) return null;
    const versions = readdirSync(base).filter((v) => existsSync(join(base, v, "bin", "initdb")));
    versions.sort((a, b) => Number(b) - Number(a));
    return versions.length ? join(base, versions[0], "bin") : null;
  };
  const found = find();
  if (found) return found;
  const r = spawnSync("bash", [join(REPO, "scripts/setup-postgres.sh")], { encoding: "utf8", timeout: 600_000 });
  const after = find();
  if (!after) throw new Error(`PostgreSQL is not installed and scripts/setup-postgres.sh failed: ${r.stderr}`);
  return after;
}

/** The uid/gid to run the server as: `postgres` when we are root, else ourselves. */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const id = (flag: string) => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  const uid = id("-u");
  if (!Number.isInteger(uid) || uid <= 0)
    throw new Error("running as root, but there is no postgres user to run the server as");
  return { uid, gid: id("-g") };
}

function run(cmd: string, args: string[], opts: SpawnSyncOptions): void {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 120_000, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}): ${String(r.stderr || r.stdout)}`);
}

/** Starts a private cluster; call stop() (e.g. in afterAll). */
export async function startPostgres(): Promise<PgCluster> {
  const bin = pgBin();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), "mlc-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const as: SpawnSyncOptions = user ? { uid: user.uid, gid: user.gid, cwd: dir } : { cwd: dir };
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  writeFileSync(join(dir, "pw"), password + "\n");
  if (user) chownSync(join(dir, "pw"), user.uid, user.gid);
  const data = join(dir, "data");
  run(
    join(bin, "initdb"),
    ["-D", data, "-U", "mlc", "--pwfile", join(dir, "pw"), "--auth", "scram-sha-256", "-E", "UTF8"],
    as,
  );
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`;
  const log = join(dir, "log");
  try {
    run(join(bin, "pg_ctl"), ["-D", data, "-o", opts, "-l", log, "-w", "-t", "60", "start"], as);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${existsSync(log) ? readFileSync(log, "utf8") : ""}`);
  }
  let stopped = false;
  return {
    url: `postgresql://mlc:${password}@127.0.0.1:${port}/postgres`,
    password,
    port,
    stop() {
      if (stopped) return;
      stopped = true;
      spawnSync(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], { ...as, timeout: 60_000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
