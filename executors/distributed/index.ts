// `--executor distributed`: the shared scheduler with a runner that queues each node attempt as a
// BullMQ job on Redis, for `mlc worker` processes on any machine to run (SPEC section 10).
import type { Executor } from "../executor.js";
import { schedule } from "../scheduler.js";
import { queueTarget } from "./queue.js";
import { DistributedRunner } from "./runner.js";

export interface DistributedOptions {
  /** `--queue`: wins over MLC_QUEUE_URL and mlc.yml's `queue:`. */
  readonly queue?: string;
  /** A run whose coordinator died: what it left on the queue goes before this run starts. */
  readonly resumes?: string;
}

export function createDistributedExecutor(opts: DistributedOptions = {}): Executor {
  return {
    name: "distributed",
    async run(plan, ctx) {
      const target = queueTarget(ctx.project, opts.queue);
      const runner = await DistributedRunner.open(plan, ctx, target);
      if (opts.resumes) await runner.clearRun(opts.resumes);
      try {
        return await schedule(plan, ctx, runner);
      } finally {
        await runner.close();
      }
    },
  };
}

export default createDistributedExecutor;
