// CPU time (user + system) of finished child processes, from /proc/self/stat (Linux): on a
// loaded 2-core machine wall times swing 2-3x, CPU time much less, so benches report both.
import { readFileSync } from "node:fs";

/** Total CPU ms of waited-for children so far, or null where /proc is missing (not Linux). */
export function childCpuMs() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 16 and 17 of stat (cutime, cstime) in clock ticks (100 per second on Linux).
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return null;
  }
}

/** Runs `fn` `runs` times; mean CPU ms per run of the children it waited for (null without /proc). */
export function meanChildCpu(runs, fn) {
  const before = childCpuMs();
  for (let i = 0; i < runs; i++) fn();
  const after = childCpuMs();
  return before === null || after === null ? null : Math.round(((after - before) / runs) * 10) / 10;
}
