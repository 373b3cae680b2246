// The watchdog thread of the sequential executor (see watchdog.ts). It wakes a few times a second
// and, when the main thread is stuck in a node, stops that node's JavaScript through the inspector
// (Runtime.terminateExecution, served even inside `for(;;){}`): past a node's deadline, when a
// SIGINT/SIGTERM has gone unhandled, or when the heap nears V8's limit (V8 would abort the
// process with a native trace and leave the run record "running").
import { Session } from "node:inspector";
import { constants } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import {
  clock,
  DEADLINE,
  HANDLED,
  REASONS,
  SEQ,
  STARTED,
  STOP_DETAIL,
  STOP_REASON,
  STOP_SEQ,
  type WatchdogSetup,
} from "./watchdog-state.js";

const { state, base, heapLimit, signals, graceMs } = workerData as WatchdogSetup;
/** Above this share of the heap limit a node is stopped: V8 needs headroom to unwind and collect. */
const HEAP_SHARE = 0.75;
/** How often it looks: a node allocating 700 MB/s crosses the last quarter of a 512 MB heap in 0.2 s. */
const EVERY_MS = 25;
const now = () => clock(base);

/** One inspector command on the main thread; the session is connected only for it (a session left connected holds process exit). */
function inspect<T>(method: string): Promise<T> {
  const session = new Session();
  session.connectToMainThread();
  return new Promise<T>((resolve, reject) =>
    session.post(method, (err, result) => {
      session.disconnect();
      if (err) reject(err);
      else resolve(result as T);
    }),
  );
}

let busy = false;
/** The attempt last stopped: stopped once, however long the main thread then takes to move on. */
let stopped = 0;
/** Notes why in shared memory (the main thread may find it before this thread's message), then stops the main thread's JavaScript. */
async function stop(reason: (typeof REASONS)[number], seq: number, detail = 0): Promise<void> {
  stopped = seq;
  Atomics.store(state, STOP_SEQ, seq);
  Atomics.store(state, STOP_DETAIL, detail);
  Atomics.store(state, STOP_REASON, REASONS.indexOf(reason));
  await inspect("Runtime.terminateExecution");
  parentPort!.postMessage("stopped");
}

let received = 0;
let lastSignal = 0;
let receivedAt = 0;
watchSignals();
parentPort!.postMessage("ready");

setInterval(() => {
  if (busy) return;
  busy = true;
  check()
    .catch(() => {}) // the main thread is exiting: nothing left to watch
    .finally(() => (busy = false));
}, EVERY_MS);

async function check(): Promise<void> {
  const t = now();
  const seq = Atomics.load(state, SEQ);
  // A signal the main thread has not handled in time: it is blocked, by a node or an abandoned one.
  if (received > Atomics.load(state, HANDLED) && t - receivedAt > graceMs) {
    receivedAt = t;
    return stop("interrupt", seq, lastSignal);
  }
  if (seq === 0 || seq === stopped) return;
  const deadline = Atomics.load(state, DEADLINE);
  if (deadline !== 0 && t > deadline + graceMs) return stop("timeout", seq);
  if (heapLimit > 0 && t - Atomics.load(state, STARTED) > graceMs) {
    const { usedSize } = await inspect<{ usedSize: number }>("Runtime.getHeapUsage");
    if (usedSize > HEAP_SHARE * heapLimit && Atomics.load(state, SEQ) === seq)
      return stop("oom", seq, Math.round(usedSize / 2 ** 20));
  }
}

/**
 * Signals reach only the main thread's JavaScript, which a blocked node never lets run. Node has
 * no public API for a signal handler in a worker; its internal signal binding (the one
 * process.on('SIGINT') uses) works here and libuv tells every thread's handle. Without it (a
 * future Node), timeouts and memory are still watched.
 */
function watchSignals(): void {
  let binding: { Signal: new () => { onsignal: () => void; start(n: number): number; unref(): void } };
  try {
    process.noDeprecation = true; // this thread's process only: the binding's warning means nothing to users
    binding = (process as unknown as { binding(name: string): typeof binding }).binding("signal_wrap");
  } catch {
    return;
  }
  for (const name of signals) {
    const handle = new binding.Signal();
    handle.onsignal = () => {
      lastSignal = constants.signals[name];
      if (received++ === Atomics.load(state, HANDLED)) receivedAt = now();
    };
    handle.start(constants.signals[name]);
    handle.unref();
  }
}
