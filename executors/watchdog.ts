// The sequential executor runs node code on the main thread, where a node that never yields
// (`for(;;){}`) also blocks the timer of its `timeout:` and the SIGINT/SIGTERM handlers, and a
// runaway allocation makes V8 abort the process. A watchdog thread (watchdog-thread.ts) sees the
// main thread through shared memory and stops the node's JavaScript when it overruns. A stopped
// node leaves this thread's promise jobs cut (V8 drops the queued ones), so the run cannot go on:
// mlc prints the coded error and exits at once, and run-project's exit guard writes the record
// with that error (MLC5002, MLC5003 out of memory) or as interrupted (130).
// While a node is pending and nothing could ever settle it, Node's 'beforeExit' fires: that node
// fails (MLC5001) and the run goes on as after any failure.
import { constants } from "node:os";
import { getHeapStatistics } from "node:v8";
import { Worker } from "node:worker_threads";
import { endingWith, toErrorInfo } from "./errors.js";
import { NodeError, unsettled } from "./invoke.js";
import { threadFile } from "./thread-file.js";
import { timedOut } from "./timeout.js";
import {
  clock,
  DEADLINE,
  HANDLED,
  REASONS,
  SEQ,
  SLOTS,
  STARTED,
  STOP_DETAIL,
  STOP_REASON,
  STOP_SEQ,
  type WatchdogSetup,
} from "./watchdog-state.js";

/** How late the main thread may be before the watchdog stops the node. */
const GRACE_MS = 250;
const SIGNALS = ["SIGINT", "SIGTERM"] as const;
/** SPEC section 5's exit code of an interrupted run. */
const EXIT_INTERRUPTED = 130;

/** Watches the node attempts of one run; `close()` when the run ends. */
export interface Watchdog {
  /** Resolves once the thread watches (a signal sent before would go unseen). */
  readonly ready: Promise<void>;
  /** `work` of `node`, failed early when nothing can settle it; ends mlc when the thread had to stop it. */
  watch<T>(node: string, timeoutMs: number | null, work: () => Promise<T>): Promise<T>;
  close(): void;
}

interface Thread {
  readonly worker: Worker;
  readonly setup: WatchdogSetup;
  readonly ready: Promise<void>;
}

let thread: Thread | null = null;

/**
 * The one watchdog thread of this process, started on first use: later runs pay nothing for it.
 * `mlc run` starts it while the project compiles (`prestartWatchdog`), naming the signals it will
 * handle; otherwise only signals someone handles are watched, since a handle in the watchdog would
 * disable Node's default exit on them.
 */
function watchdogThread(handled?: readonly (typeof SIGNALS)[number][]): Thread {
  if (thread) return thread;
  const state = new Int32Array(new SharedArrayBuffer(SLOTS * 4));
  const signals = handled ?? SIGNALS.filter((s) => process.listenerCount(s) > 0);
  const base = performance.timeOrigin + performance.now();
  const setup: WatchdogSetup = {
    state,
    base,
    heapLimit: getHeapStatistics().heap_size_limit,
    signals,
    graceMs: GRACE_MS,
  };
  const worker = new Worker(threadFile("watchdog-thread.js"), { workerData: setup, stdout: true, stderr: true });
  // A watchdog that cannot start leaves runs as they were without one.
  // Held alive until it watches; from then on never what keeps mlc alive, so that 'beforeExit' can
  // tell a node that nothing can settle.
  const ready = new Promise<void>((res) => worker.once("message", () => res()).once("error", () => res())).then(
    () => void worker.unref(),
  );
  return (thread = { worker, setup, ready });
}

/** Starts the watchdog thread ahead of the first run, for a caller that will handle SIGINT and SIGTERM. */
export function prestartWatchdog(): void {
  watchdogThread(SIGNALS);
}

/** Watches the node attempts of the run `runId` on this thread. */
export function startWatchdog(runId: string): Watchdog {
  const { worker, setup, ready } = watchdogThread();
  const { state, base } = setup;
  let seq = Atomics.load(state, SEQ);
  let current: { node: string; seq: number; timeoutMs: number | null; fail: (err: unknown) => void } | null = null;

  // The report comes by message, or, when the stopped node's jobs were all this thread had left,
  // as the empty event loop ('beforeExit') before the message could arrive.
  const report = () => Atomics.load(state, STOP_REASON) !== 0 && (void stopped(setup, worker, current, runId), true);
  const handled = () => void Atomics.add(state, HANDLED, 1);
  const idle = () => report() || current?.fail(unsettled(current.node));
  worker.on("message", report);
  void ready.then(() => worker.unref()); // a 'message' listener refs the port again
  for (const s of setup.signals) process.on(s, handled);
  process.on("beforeExit", idle);

  return {
    ready,
    watch<T>(node: string, timeoutMs: number | null, work: () => Promise<T>): Promise<T> {
      const mine = { node, seq: ++seq, timeoutMs, fail: (_: unknown) => {} };
      const t = clock(base);
      Atomics.store(state, STARTED, t);
      Atomics.store(state, DEADLINE, timeoutMs === null ? 0 : t + timeoutMs);
      Atomics.store(state, SEQ, mine.seq);
      current = mine;
      return new Promise<T>((resolve, reject) => {
        const end = () => {
          if (current !== mine) return false;
          current = null;
          Atomics.store(state, SEQ, 0);
          return true;
        };
        mine.fail = (err) => end() && reject(err);
        // Its own microtask: a termination unwinds the node's frames up to here, not the scheduler's.
        Promise.resolve()
          .then(work)
          .then(
            (v) => (end(), resolve(v)),
            (err) => (end(), reject(err)),
          );
      });
    },
    close() {
      worker.off("message", report);
      for (const s of setup.signals) process.off(s, handled);
      process.off("beforeExit", idle);
    },
  };
}

/**
 * Ends mlc after the watchdog stopped a node (see the file comment); `current` is the node it
 * stopped, if still running. The thread ends first: an inspector session of it still open at exit
 * would make Node print "Waiting for the debugger to disconnect...".
 */
async function stopped(
  setup: WatchdogSetup,
  worker: Worker,
  current: { node: string; seq: number; timeoutMs: number | null } | null,
  runId: string,
): Promise<never> {
  const { state } = setup;
  const reason = REASONS[Atomics.load(state, STOP_REASON)];
  const detail = Atomics.load(state, STOP_DETAIL);
  const node = current?.seq === Atomics.load(state, STOP_SEQ) ? current : null;
  if (reason === "interrupt" || !node) {
    const sig = Object.entries(constants.signals).find(([, n]) => n === detail)?.[0] ?? "signal";
    process.stderr.write(`\n${sig}: stopping at once: node code kept mlc from handling it\n`);
  } else {
    const err =
      reason === "oom" ? outOfMemory(node.node, detail, setup.heapLimit) : timedOut(node.node, node.timeoutMs!);
    endingWith(toErrorInfo(err));
    process.stderr.write(`error ${err.code} ${err.message}\n`);
  }
  process.stderr.write(`resume with: mlc run --resume ${runId}\n`);
  await worker.terminate();
  return process.exit(reason === "interrupt" || !node ? EXIT_INTERRUPTED : 1);
}

function outOfMemory(node: string, usedMb: number, limit: number): NodeError {
  const message =
    `node "${node}" ran out of memory (heap at ${usedMb} of ${Math.round(limit / 2 ** 20)} MB) and was stopped; ` +
    "raise the limit with NODE_OPTIONS=--max-old-space-size=MB or process the data in parts";
  return new NodeError("MLC5003", message, node);
}
