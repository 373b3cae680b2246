// What a running node function can ask for without an extra argument: its AbortSignal.
// Why not a trailing `{ signal }` argument: node functions are plain functions and often have
// optional parameters (`split(data, ratio = 0.2)`); an extra argument would silently fill them.
// The store lives on globalThis so a second copy of the package (user code importing the built
// `mlc-pipelines` while mlc runs from sources) still sees the same context.
import { AsyncLocalStorage } from "node:async_hooks";

/** The context of the node function currently running. */
export interface NodeContext {
  readonly node: string;
  readonly attempt: number;
  /** Aborted when the node times out (MLC5002) or the run is interrupted. */
  readonly signal: AbortSignal;
}

const KEY = Symbol.for("mlc-pipelines.node-context");
const NEVER = new AbortController().signal;

function storage(): AsyncLocalStorage<NodeContext> {
  const g = globalThis as Record<symbol, unknown>;
  return ((g[KEY] as AsyncLocalStorage<NodeContext> | undefined) ??= new AsyncLocalStorage<NodeContext>());
}

/** Runs `fn` with `ctx` as the current node context. */
export function runInNode<T>(ctx: NodeContext, fn: () => T): T {
  return storage().run(ctx, fn);
}

/** The running node's context, or undefined outside a node. */
export function currentNode(): NodeContext | undefined {
  return storage().getStore();
}

/** The running node's AbortSignal (timeout or interrupt); outside a node, a signal that never aborts. */
export function nodeSignal(): AbortSignal {
  return storage().getStore()?.signal ?? NEVER;
}
