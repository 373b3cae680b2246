// Per-node timeouts and interrupts for in-process calls: the node gets an AbortSignal it can observe
// (`nodeSignal()`), and the caller stops waiting when it fires. A function that never yields keeps
// this timer from firing: the sequential executor's watchdog thread (watchdog.ts) stops it.
import { NodeError } from "./invoke.js";

/** "1500 ms", "10 s", "2 m": a duration as a person writes it. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)} m`;
  return `${+(ms / 3_600_000).toFixed(1)} h`;
}

/** The MLC5002 error of `nodeName` overrunning `timeoutMs`. */
export function timedOut(nodeName: string, timeoutMs: number): NodeError {
  return new NodeError("MLC5002", `node "${nodeName}" timed out after ${formatDuration(timeoutMs)}`, nodeName);
}

/**
 * Runs `call(signal)`; rejects with MLC5002 after `timeoutMs` (null: never) and with the parent's
 * reason when `parent` aborts. The signal handed to `call` aborts in both cases.
 */
export async function withTimeout<T>(
  nodeName: string,
  timeoutMs: number | null,
  parent: AbortSignal,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (timeoutMs === null && !parent.aborted) return call(parent);
  const ctl = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    const fail = (reason: unknown) => {
      ctl.abort(reason);
      reject(reason);
    };
    if (timeoutMs !== null) timer = setTimeout(() => fail(timedOut(nodeName, timeoutMs)), timeoutMs);
    onAbort = () => fail(parent.reason ?? new Error("interrupted"));
    if (parent.aborted) onAbort();
    else parent.addEventListener("abort", onAbort, { once: true });
  });
  stop.catch(() => {});
  try {
    return await Promise.race([call(ctl.signal), stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort) parent.removeEventListener("abort", onAbort);
  }
}
