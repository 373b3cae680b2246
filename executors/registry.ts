// The explicit executor registry: name -> lazy factory, so `mlc run` loads only the executor it
// uses (the parallel one pulls in Piscina). No magic lookup by file name.
import type { Executor } from "./executor.js";

/** Options every executor factory accepts. */
export interface ExecutorOptions {
  /** Worker threads (parallel); ignored by the sequential executor. */
  readonly maxWorkers?: number;
}

type Factory = (opts: ExecutorOptions) => Promise<Executor>;

const REGISTRY: Record<string, Factory> = {
  sequential: async () => (await import("./sequential.js")).createSequentialExecutor(),
  parallel: async (opts) => {
    // A variable specifier: the parallel executor is written separately and may not exist yet.
    const spec = "./parallel/index.js";
    const mod = (await import(spec)) as { default: (opts: ExecutorOptions) => Executor | Promise<Executor> };
    return mod.default(opts);
  },
};

/** Names of the registered executors, sorted. */
export function executorNames(): string[] {
  return Object.keys(REGISTRY).sort();
}

/** Builds the executor registered as `name`; throws for an unknown name (the CLI validates first). */
export async function createExecutor(name: string, opts: ExecutorOptions = {}): Promise<Executor> {
  const factory = Object.hasOwn(REGISTRY, name) ? REGISTRY[name] : undefined;
  if (!factory) throw new Error(`unknown executor "${name}" (known: ${executorNames().join(", ")})`);
  return factory(opts);
}
