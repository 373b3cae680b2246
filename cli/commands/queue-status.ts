// `mlc queue status`: what the project's job queue holds now: the workers connected to it, the
// jobs waiting and active (run and node), and the active jobs whose worker stopped renewing their
// lock (stalled: another worker takes them over at the next stalled check).
import { MlcError } from "../../compiler/diagnostics.js";
import { compileProject } from "../../compiler/compile.js";
import { EXIT } from "../exit.js";
import { compileOptionsFromFlags, type CommonFlags } from "../project.js";
import { printDiagnostics } from "./print-diagnostics.js";

export type QueueStatusFlags = CommonFlags & { queue?: string; json?: boolean };

interface JobLine {
  readonly id: string;
  readonly run: string;
  readonly node: string;
  readonly attempt: number;
}

export default async function queueStatus(opts: QueueStatusFlags): Promise<number> {
  const { project, diagnostics, ctx } = await compileProject(await compileOptionsFromFlags(opts, undefined));
  await printDiagnostics(diagnostics, ctx, opts);
  if (!project) return EXIT.invalid;
  const { connect, queueTarget } = await import("../../executors/distributed/queue.js");
  const { Queue } = await import("bullmq");
  let target;
  let redis;
  try {
    target = queueTarget(project, opts.queue);
    redis = await connect(target);
  } catch (err) {
    if (!(err instanceof MlcError)) throw err;
    process.stderr.write(`error ${err.code} ${err.message}\n`);
    return EXIT.invalid;
  }
  const queue = new Queue(target.name, { connection: target.redis });
  try {
    const line = (j: { id?: string; data: Record<string, unknown> }): JobLine => ({
      id: String(j.id),
      run: String(j.data.runId),
      node: String(j.data.node),
      attempt: Number(j.data.attempt),
    });
    const workers = (await queue.getWorkers()).map((w) => ({
      // BullMQ names a worker's connection `bull:<queue>:w:<name>`; the name is `mlc worker`'s host-pid.
      name: (w.rawname ?? "").split(":w:")[1] ?? w.name,
      addr: w.addr,
      age_s: Number(w.age),
    }));
    const waiting = (await queue.getWaiting()).map(line);
    const active = (await queue.getActive()).map(line);
    const locked = await Promise.all(active.map((j) => redis.exists(`bull:${target.name}:${j.id}:lock`)));
    const stalled = active.filter((_j, i) => locked[i] === 0);
    const status = { queue: target.name, url: target.shown, workers, waiting, active, stalled };
    process.stdout.write(opts.json ? JSON.stringify(status, null, 2) + "\n" : format(status));
  } finally {
    await queue.close();
    redis.disconnect();
  }
  return EXIT.ok;
}

function format(s: {
  queue: string;
  url: string;
  workers: { name: string; addr: string; age_s: number }[];
  waiting: JobLine[];
  active: JobLine[];
  stalled: JobLine[];
}): string {
  const jobs = (title: string, list: JobLine[]) =>
    `${title}: ${list.length}\n` + list.map((j) => `  ${j.node} (run ${j.run}, attempt ${j.attempt})\n`).join("");
  return (
    `Queue ${s.queue} at ${s.url}\n` +
    `Workers: ${s.workers.length}\n` +
    s.workers.map((w) => `  ${w.name} ${w.addr} (connected ${w.age_s} s)\n`).join("") +
    jobs("Waiting", s.waiting) +
    jobs("Active", s.active) +
    jobs("Stalled", s.stalled)
  );
}
