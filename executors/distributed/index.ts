// `--executor distributed`: the shared scheduler with a runner that queues each node attempt as a
// BullMQ job on Redis, for `mlc worker` processes on any machine to run (SPEC section 10).
import type { Executor } from "../executor.js";
import { schedule } from "../scheduler.js";
import { queueTarget } from "./queue.js";
import { DistributedRunner } from "./runner.js";

/** Values up to this size go through Redis when a scratch location is set. */
const INLINE_MAX = 1024 * 1024;

export interface DistributedOptions {
  /** `--queue`: wins over MLC_QUEUE_URL and mlc.yml's `queue:`. */
  readonly queue?: string;
}

export function createDistributedExecutor(opts: DistributedOptions = {}): Executor {
  return {
    name: "distributed",
    async run(plan, ctx) {
      const settings = ctx.project.distributed;
      const runner = await DistributedRunner.open(plan, ctx, queueTarget(ctx.project, opts.queue), {
        location: settings.scratch,
        credentials: settings.credentials ? ctx.project.credentials[settings.credentials] : undefined,
        inlineMax: settings.inline_max_bytes ?? INLINE_MAX,
      });
      try {
        return await schedule(plan, ctx, runner);
      } finally {
        await runner.close();
      }
    },
  };
}

export default createDistributedExecutor;
