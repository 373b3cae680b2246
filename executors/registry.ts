// The explicit executor registry: name -> lazy factory, so `mlc run` loads only the executor it
// uses (the parallel one pulls in Piscina, the distributed one BullMQ). No magic lookup by file name.
import type { Executor } from "./executor.js";

/** Options every executor factory accepts. */
export interface ExecutorOptions {
  /** Worker threads (parallel); ignored by the sequential executor. */
  readonly maxWorkers?: number;
  /** The job queue URL (distributed); ignored by the others. */
  readonly queue?: string;
  /** The run being resumed (distributed: its jobs and values left on the queue are removed). */
  readonly resumes?: string;
}

type Factory = (opts: ExecutorOptions) => Promise<Executor>;

const REGISTRY: Record<string, Factory> = {
  sequential: async () => (await import("./sequential.js")).createSequentialExecutor(),
  parallel: async (opts) => (await import("./parallel/index.js")).createParallelExecutor(opts),
  distributed: async (opts) => (await import("./distributed/index.js")).createDistributedExecutor(opts),
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
