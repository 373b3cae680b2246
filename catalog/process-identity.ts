// Which process wrote something (a temporary file, a run record, an output lock) and whether it
// still runs. A pid alone is not enough: after a crash or a reboot the pid is soon reused, so on
// Linux the identity also holds the process's start time (/proc/<pid>/stat field 22, clock ticks
// since boot) and the first 8 hex digits of the boot id. Elsewhere only the pid is known.
import { readFileSync } from "node:fs";

/** A process, as recorded by what it writes; `start` is "" where the platform cannot tell. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly start: string;
}

let self: ProcessIdentity | null = null;
let bootId: string | null | undefined;

/** This process (worker threads share it). */
export function selfIdentity(): ProcessIdentity {
  self ??= { pid: process.pid, start: startToken(process.pid) ?? "" };
  return self;
}

/** True while the process `id` names runs (a zombie has ended; a reused pid is another process). */
export function isAlive(id: ProcessIdentity): boolean {
  if (!Number.isInteger(id.pid) || id.pid <= 0) return false;
  if (id.pid === process.pid) return id.start === selfIdentity().start;
  try {
    process.kill(id.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const now = startToken(id.pid);
  // "": /proc cannot tell (another platform, or hidden by hidepid), so kill's answer stands.
  return now === "" || !id.start ? now !== null : now === id.start;
}

/** `<ticks>b<boot8>` for a running process, null when it is gone or a zombie, "" without /proc. */
function startToken(pid: number): string | null {
  if (process.platform !== "linux") return "";
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT" ? null : "";
  }
  // "<pid> (<comm>) <state> <ppid> ...": comm may hold spaces and parentheses, so split after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  if (fields[0] === "Z" || fields[0] === "X") return null;
  return `${fields[19]}b${boot()}`;
}

function boot(): string {
  if (bootId === undefined) {
    try {
      bootId = readFileSync("/proc/sys/kernel/random/boot_id", "latin1").replace(/-/g, "").slice(0, 8);
    } catch {
      bootId = null;
    }
  }
  return bootId ?? "0";
}
