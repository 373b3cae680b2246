// The one delivery of a run's events, used by the run itself (streaming while it goes, then at
// its end) and by `mlc mlflow sync`. Idempotent: the MLflow run is looked up by its `mlc.run_id`
// tag before one is created, and again before each retry (a create whose reply was lost must not
// make a second run); on a re-send, params already on the run are skipped (MLflow refuses to
// change one), metrics go again with their original timestamps (the server keeps one of exact
// duplicates), artifacts are PUT (overwrite), tags and status are upserts. Progress is recorded
// after each step, so a delivery cut short resumes where it stopped.
import { existsSync } from "node:fs";
import { MlcError } from "../../compiler/diagnostics.js";
import type { RunRecord } from "../../runs/record.js";
import { chunkBatches, type Batch } from "./batcher.js";
import { MlflowRejection, type MlflowClient } from "./client.js";
import { writeProgress, type BatchEvent, type Mapping, type Progress, type RunEvent } from "./event-log.js";
import { registerModel } from "./registry.js";
import type { CreateRunRequest, Experiment, Run } from "./types.js";

/** Requests in flight at once within one step. */
const PARALLEL = 6;
const CREATE_ATTEMPTS = 4;

/** How long a run's end (and a sync) may wait on the server: MLC_MLFLOW_FINISH_TIMEOUT_MS, 30 s by default. */
export const finishBudgetMs = (): number => Number(process.env.MLC_MLFLOW_FINISH_TIMEOUT_MS) || 30_000;

/** Waits for `p` until the time `until`; then calls `stop` (which cancels what `p` waits on) and lets `p` settle. */
export async function bounded(p: Promise<unknown>, until: number, stop: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(true), Math.max(0, until - Date.now()))));
  const settled = p.catch(() => {});
  if (await Promise.race([settled.then(() => false), late])) {
    stop();
    await settled;
  }
  clearTimeout(timer);
}

/** A run's MLflow link, as the run record keeps it. */
export type MlflowLink = NonNullable<RunRecord["mlflow"]>;

/** Delivers one run's events; one instance per run and process. */
export class Deliverer {
  /** Params on the main run, once looked up for a re-send. */
  private knownParams: Set<string> | null = null;
  private readonly issues: string[] = [];

  constructor(
    private readonly client: MlflowClient,
    private readonly root: string,
    private readonly runId: string,
    readonly progress: Progress,
    /** Something may have landed already (a sync, or after a failure): look before re-sending. */
    private replay: boolean,
  ) {}

  /** The main MLflow run, once created or found. */
  link(): MlflowLink | null {
    const m = this.progress.runs[""];
    if (!m) return null;
    return {
      run_id: m.run,
      experiment_id: m.experiment_id,
      url: `${this.client.url}/#/experiments/${m.experiment_id}/runs/${m.run}`,
    };
  }

  /** What the server refused (settled: never sent again). */
  rejections(): string[] {
    return [...this.issues];
  }

  /**
   * Sends the run's events the server does not have (from `progress.sent` on). Returns null when
   * all went, else why delivery stopped (the rest waits for the next call).
   */
  async deliver(events: readonly RunEvent[]): Promise<MlcError | null> {
    while (this.progress.sent < events.length) {
      const i = this.progress.sent;
      try {
        const e = events[i];
        if (e.t === "start")
          await this.ensureRun("", e.experiment, { run_name: e.run_name, start_time: e.start_time, tags: e.tags });
        else if (e.t === "child")
          await this.ensureRun(e.node, null, { run_name: e.node, start_time: e.start_time, tags: e.tags });
        else if (e.t === "register")
          await registerModel(this.client, this.runOf(""), e).catch((err: MlcError) => {
            if (!this.refused(err)) throw err;
          });
        this.progress.sent += alone(e) ? 1 : await this.step(events, i);
        writeProgress(this.root, this.runId, this.progress);
      } catch (err) {
        this.replay = true; // a request may have landed: look before re-sending
        return err instanceof MlcError
          ? err
          : new MlcError("MLC7001", `MLflow server ${this.client.url}: ${(err as Error).message}`);
      }
    }
    return null;
  }

  /** The batches, inputs, artifacts and ends up to the next run to create, sent together; returns how many. */
  private async step(events: readonly RunEvent[], from: number): Promise<number> {
    let to = from;
    while (to < events.length && to - from < 64 && !alone(events[to])) to++;
    const group = events.slice(from, to);
    const tasks = await this.batchTasks(group.filter((e): e is BatchEvent => e.t === "batch"));
    for (const e of group) {
      if (e.t === "inputs")
        tasks.push(async () => this.client.logInputs({ run_id: this.runOf("").run, datasets: e.datasets }));
      if (e.t === "artifact") tasks.push(() => this.upload(e.file, e.path));
      if (e.t === "end")
        tasks.push(() =>
          this.client.updateRun({ run_id: this.runOf(e.child).run, status: e.status, end_time: e.end_time }),
        );
    }
    const failed = (await settleAll(tasks)).find((err) => err !== null && !this.refused(err));
    if (failed) throw failed;
    return group.length;
  }

  /** The batches (all the main run's) merged into as few requests as the limits allow. */
  private async batchTasks(batches: readonly BatchEvent[]): Promise<(() => Promise<void>)[]> {
    if (!batches.length) return [];
    const run = this.runOf("").run;
    let params = batches.flatMap((b) => b.params);
    if (params.length && this.replay) {
      this.knownParams ??= new Set((await this.client.getRun(run)).data.params.map((p) => p.key));
      params = params.filter((p) => !this.knownParams!.has(p.key));
    }
    const chunks = chunkBatches(
      batches.flatMap((b) => b.metrics),
      params,
      batches.flatMap((b) => b.tags),
    );
    const send = async (c: Batch) => {
      await this.client.logBatch({ run_id: run, ...c });
      c.params.forEach((p) => this.knownParams?.add(p.key));
    };
    // Params and tags go in order (a later tag value must win); chunks of metrics alone go side by side.
    const ordered = chunks.filter((c) => c.params.length || c.tags.length);
    const inOrder = async () => {
      for (const c of ordered) await send(c);
    };
    return [
      ...(ordered.length ? [inOrder] : []),
      ...chunks.filter((c) => !ordered.includes(c)).map((c) => () => send(c)),
    ];
  }

  private async upload(file: string, path: string): Promise<void> {
    if (!existsSync(file)) throw new MlflowRejection(`artifact ${path}: its copy ${file} is gone`, 400, "MISSING_FILE");
    await this.client.uploadArtifact(this.runOf("").artifact_uri, file, path);
  }

  /** A request the server refused for good (400/404): reported, settled, never sent again. */
  private refused(err: MlcError): boolean {
    if (!(err instanceof MlflowRejection && (err.status === 400 || err.status === 404))) return false;
    if (!this.issues.includes(err.message)) this.issues.push(err.message);
    return true;
  }

  private runOf(child = ""): Mapping {
    const m = this.progress.runs[child];
    if (!m) throw new MlcError("MLC7001", `MLflow run${child ? ` of node ${child}` : ""} not created yet`);
    return m;
  }

  /** Finds or creates the main run (`node` ""), in `exp`, or a node's child run under it. */
  private async ensureRun(
    node: string,
    exp: StartExperiment | null,
    req: Omit<CreateRunRequest, "experiment_id">,
  ): Promise<void> {
    if (this.progress.runs[node]) return;
    const parent = exp ? null : this.runOf("");
    const experimentId = parent ? parent.experiment_id : (await this.experiment(exp!)).experiment_id;
    const tags = parent ? [...(req.tags ?? []), { key: "mlflow.parentRunId", value: parent.run }] : req.tags;
    const tagId = node ? `${this.runId}#${node}` : this.runId;
    this.progress.runs[node] = await this.findOrCreate(tagId, { ...req, experiment_id: experimentId, tags });
  }

  /**
   * The run tagged `mlc.run_id = tagId` (any lifecycle stage), else a new one. Looked up before
   * every attempt but a fresh run's first (nothing can have made it yet).
   */
  private async findOrCreate(tagId: string, req: CreateRunRequest): Promise<Mapping> {
    const filter = `tags.\`mlc.run_id\` = '${tagId.replace(/'/g, "\\'")}'`;
    for (let attempt = 1; ; attempt++) {
      const search = { experiment_ids: [req.experiment_id], filter, run_view_type: "ALL" as const, max_results: 1 };
      const [found] = this.replay || attempt > 1 ? await this.client.searchRuns(search) : [];
      if (found) return mapping(found);
      try {
        return mapping(await this.client.createRun(req, 0));
      } catch (err) {
        if ((err instanceof MlflowRejection && err.status < 500) || attempt >= CREATE_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  }

  private async experiment(want: StartExperiment): Promise<Experiment> {
    const c = this.client;
    const { name, artifact_location, tags, restore_deleted } = want;
    let exp = await c.getExperimentByName(name);
    if (!exp) {
      try {
        const id = await c.createExperiment({
          name,
          ...(artifact_location ? { artifact_location } : {}),
          ...(tags.length ? { tags } : {}),
        });
        return { experiment_id: id, name, lifecycle_stage: "active", tags: [] };
      } catch (err) {
        if (!(err instanceof MlflowRejection && err.errorCode === "RESOURCE_ALREADY_EXISTS")) throw err;
      }
      exp = await c.getExperimentByName(name);
      if (!exp) throw new MlcError("MLC7002", `MLflow server ${c.url} did not create experiment "${name}"`);
    }
    if (exp.lifecycle_stage === "deleted") {
      const hint = "set tracking.experiment.restore_if_deleted: true to restore it";
      if (!restore_deleted)
        throw new MlflowRejection(`MLflow experiment "${exp.name}" is deleted (${hint})`, 400, "INVALID_STATE");
      await c.restoreExperiment(exp.experiment_id);
    }
    return exp;
  }
}

/** Events sent on their own, after everything before them: a run to create, a model to register. */
const alone = (e: RunEvent): boolean => e.t === "start" || e.t === "child" || e.t === "register";

type StartExperiment = Extract<RunEvent, { t: "start" }>["experiment"];

function mapping(r: Run): Mapping {
  return { run: r.info.run_id, experiment_id: r.info.experiment_id, artifact_uri: r.info.artifact_uri ?? "" };
}

/** Runs every task, at most PARALLEL at once; each one's error or null, in order. */
async function settleAll(tasks: readonly (() => Promise<void>)[]): Promise<(MlcError | null)[]> {
  const out: (MlcError | null)[] = tasks.map(() => null);
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < tasks.length; k = next++) {
      await tasks[k]().catch(
        (err: Error) => (out[k] = err instanceof MlcError ? err : new MlcError("MLC7001", err.message)),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, tasks.length) }, worker));
  return out;
}
