// Errors no await can catch: a throw inside a node's setTimeout callback, a promise it rejects and
// drops. In this thread they would kill mlc with Node's own trace and leave the run record
// "running"; while a run is in progress they fail the node running at that moment instead (MLC5001,
// with the user's frames), as the worker shim does for the parallel executor. One node runs at a
// time per thread, so "the running node" is exact unless the stray comes from a node that already
// finished: the message then says which node was running, and the frames show whose code it was.
import { NodeError, shown } from "./invoke.js";
import { userStack } from "./stack.js";

/** The trap for one run: `guard` races a node's work against strays; `dispose` removes the handlers. */
export interface StrayTrap {
  guard<T>(node: string, work: Promise<T>): Promise<T>;
  dispose(): void;
}

/** Installs process-level handlers until `dispose()`. */
export function trapStrays(
  warn: (message: string) => void = (m) => process.stderr.write(`warning: ${m}\n`),
): StrayTrap {
  let current: { node: string; fail: (err: unknown) => void } | null = null;
  const on = (kind: string) => (reason: unknown) => {
    const e = reason instanceof Error ? reason : null;
    const what = e ? e.message : `a non-Error value: ${shown(reason)}`;
    const frames = e?.stack ? userStack(e.stack) : undefined;
    if (current)
      current.fail(
        new NodeError("MLC5001", `node "${current.node}": ${kind}: ${what}`, current.node, frames || undefined),
      );
    else warn(`${kind} outside any node (ignored): ${what}${frames ? `\n${frames}` : ""}`);
  };
  const onException = on("uncaught exception");
  const onRejection = on("unhandled promise rejection");
  // Evaluating in `mlc repl` (process.domain is the REPL's), Node refuses an uncaughtException
  // listener; the REPL prints such a throw itself and the session goes on.
  const inRepl = (process as { domain?: unknown }).domain != null;
  if (!inRepl) process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return {
    guard<T>(node: string, work: Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const mine = {
          node,
          fail: (err: unknown) => {
            if (current === mine) current = null;
            reject(err);
          },
        };
        current = mine;
        const done = () => {
          if (current === mine) current = null;
        };
        // Settled one event-loop turn later: Node reports a rejection the node dropped only once the
        // microtask queue drains, which a node doing no I/O does not let happen before it returns.
        work.then(
          (v) => setImmediate(() => (done(), resolve(v))),
          (err) => (done(), reject(err)),
        );
      });
    },
    dispose() {
      process.off("uncaughtException", onException);
      process.off("unhandledRejection", onRejection);
    },
  };
}
