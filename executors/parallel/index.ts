// `--executor parallel`: the shared scheduler with a worker-thread runner (Piscina).
import type { Executor } from "../executor.js";
import { schedule } from "../scheduler.js";
import { ParallelRunner, type ParallelOptions } from "./runner.js";

/** The parallel executor: every node attempt runs in a worker thread; hooks stay on the main thread. */
export function createParallelExecutor(opts: ParallelOptions = {}): Executor {
  return {
    name: "parallel",
    async run(plan, ctx) {
      const runner = new ParallelRunner(plan, ctx, {
        maxWorkers: ctx.maxWorkers ?? opts.maxWorkers,
        maxHeapMb: opts.maxHeapMb,
      });
      try {
        return await schedule(plan, ctx, runner);
      } finally {
        await runner.close();
      }
    },
  };
}

export default createParallelExecutor;
