// The shared memory between the sequential executor and its watchdog thread (watchdog.ts): an
// Int32Array over a SharedArrayBuffer, times in ms since `base` (performance.timeOrigin-based, so
// both threads read the same clock).

/** Slot: the running attempt's sequence number (0: no node running). */
export const SEQ = 0;
/** Slot: when that attempt started. */
export const STARTED = 1;
/** Slot: when that attempt times out (0: no timeout). */
export const DEADLINE = 2;
/** Slot: how many SIGINT/SIGTERM the main thread has handled. */
export const HANDLED = 3;
/** Slot: why the watchdog stopped the main thread (index into REASONS; 0: it has not). */
export const STOP_REASON = 4;
/** Slot: the attempt it stopped. */
export const STOP_SEQ = 5;
/** Slot: the heap in use when it stopped a node for memory, in MB; or the unhandled signal's number. */
export const STOP_DETAIL = 6;
export const SLOTS = 7;

export const REASONS = ["", "timeout", "interrupt", "oom"] as const;

/** What the main thread hands the watchdog thread once. */
export interface WatchdogSetup {
  readonly state: Int32Array;
  readonly base: number;
  /** V8's heap limit of the main thread in bytes. */
  readonly heapLimit: number;
  /** Signals the main thread listens for (only those may be watched: a listener disables the default exit). */
  readonly signals: readonly ("SIGINT" | "SIGTERM")[];
  /** How long the main thread may be late before the watchdog steps in. */
  readonly graceMs: number;
}

/** Milliseconds since `base` on the clock both threads share. */
export function clock(base: number): number {
  return Math.round(performance.timeOrigin + performance.now() - base);
}
