// What a running node function can ask for without an extra argument: its AbortSignal.
// Why not a trailing `{ signal }` argument: node functions are plain functions and often have
// optional parameters (`split(data, ratio = 0.2)`); an extra argument would silently fill them.
// Why not AsyncLocalStorage: on Node 20 it switches on promise hooks for the whole process, which
// costs every later await (measured: ~20 ms on a 1,000-node run). Every runner runs ONE node at a
// time per thread (sequential; one task per worker), so a per-thread slot is exact, except for a
// node abandoned after a timeout, which then sees its successor's context.
// The slot lives on globalThis so a second copy of the package (user code importing the built
// `mlc-pipelines` while mlc runs from sources) still sees the same context.

/** The context of the node function currently running. */
export interface NodeContext {
  readonly node: string;
  readonly attempt: number;
  /** Aborted when the node times out (MLC5002) or the run is interrupted. */
  readonly signal: AbortSignal;
}

const KEY = Symbol.for("mlc-pipelines.node-context");
const NEVER = new AbortController().signal;
const g = globalThis as Record<symbol, NodeContext | undefined>;

/** Runs `fn` with `ctx` as the current node context until the value it returns settles. */
export function runInNode<T>(ctx: NodeContext, fn: () => T): T {
  const prev = g[KEY];
  g[KEY] = ctx;
  let result: T;
  try {
    result = fn();
  } catch (err) {
    g[KEY] = prev;
    throw err;
  }
  if (result !== null && typeof (result as { then?: unknown })?.then === "function") {
    const restore = () => {
      if (g[KEY] === ctx) g[KEY] = prev;
    };
    (result as unknown as Promise<unknown>).then(restore, restore);
  } else g[KEY] = prev;
  return result;
}

/** The running node's context, or undefined outside a node. */
export function currentNode(): NodeContext | undefined {
  return g[KEY];
}

/** The running node's AbortSignal (timeout or interrupt); outside a node, a signal that never aborts. */
export function nodeSignal(): AbortSignal {
  return g[KEY]?.signal ?? NEVER;
}
