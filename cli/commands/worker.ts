// `mlc worker`: serves the project's job queue until SIGTERM or SIGINT, then finishes the nodes it
// is running, takes no new one and exits 0 (SPEC section 10).
import { MlcError } from "../../compiler/diagnostics.js";
import { compileProject } from "../../compiler/compile.js";
import { EXIT, UsageError } from "../exit.js";
import { compileOptionsFromFlags, type CommonFlags } from "../project.js";
import { printDiagnostics } from "./print-diagnostics.js";

export type WorkerFlags = CommonFlags & { queue?: string; concurrency?: string };

export default async function worker(opts: WorkerFlags): Promise<number> {
  const concurrency = Number(opts.concurrency ?? 1);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UsageError(`--concurrency must be a positive integer (got ${opts.concurrency})`);
  const { project, diagnostics, ctx } = await compileProject(await compileOptionsFromFlags(opts, undefined));
  await printDiagnostics(diagnostics, ctx, opts);
  if (!project) return EXIT.invalid;
  const { queueTarget } = await import("../../executors/distributed/queue.js");
  const { MlcWorker } = await import("../../executors/distributed/worker.js");
  const log = (line: string) => void (!opts.quiet && process.stderr.write(`mlc worker: ${line}\n`));
  let w: Awaited<ReturnType<typeof MlcWorker.start>>;
  try {
    w = await MlcWorker.start({ root: project.root, target: queueTarget(project, opts.queue), concurrency, log });
  } catch (err) {
    if (!(err instanceof MlcError)) throw err;
    process.stderr.write(`error ${err.code} ${err.message}\n`);
    return EXIT.invalid;
  }
  const signal = await new Promise<NodeJS.Signals>((ok) => {
    process.once("SIGTERM", ok);
    process.once("SIGINT", ok);
  });
  log(`${signal}: finishing the running nodes, taking no new one`);
  await w.close();
  log("stopped");
  return EXIT.ok;
}
