// The one delivery of a run's events, used by the run itself (streaming while it goes, then at
// its end) and by `mlc mlflow sync`. Idempotent: the MLflow run is looked up by its `mlc.run_id`
// tag before one is created (also between attempts: a create whose reply was lost must not make a
// second run); on a re-send, params already on the run are skipped (MLflow refuses to change
// one), metrics go again with their original timestamps (the server keeps one of exact
// duplicates), artifacts are PUT (overwrite), tags and status are upserts. Progress is recorded
// after each step, so a delivery cut short resumes where it stopped.
import { existsSync } from "node:fs";
import { MlcError } from "../../compiler/diagnostics.js";
import { chunkBatches } from "./batcher.js";
import { MlflowRejection, type MlflowClient } from "./client.js";
import { writeProgress, type BatchEvent, type ChildEvent, type Mapping, type Progress, type RunEvent, type StartEvent } from "./event-log.js";
import type { Experiment, KeyValue, Run } from "./types.js";

/** Requests in flight at once within one step. */
const PARALLEL = 6;
const CREATE_ATTEMPTS = 4;

/** A run's MLflow link, as the run record keeps it. */
export type MlflowLink = { run_id: string; experiment_id: string; url: string };

/** Delivers one run's events; one instance per run and process. */
export class Deliverer {
  private knownParams = new Map<string, Set<string>>();
  private readonly issues: string[] = [];

  constructor(
    private readonly client: MlflowClient,
    private readonly root: string,
    private readonly runId: string,
    readonly progress: Progress,
    /** Something may have landed before (a sync, or after a failure): look before re-sending. */
    private replay: boolean,
  ) {}

  /** The main MLflow run, once created or found. */
  link(): MlflowLink | null {
    const m = this.progress.runs[""];
    return m ? { run_id: m.run, experiment_id: m.experiment_id, url: `${this.client.url}/#/experiments/${m.experiment_id}/runs/${m.run}` } : null;
  }

  /** What the server refused (each settled: never sent again). */
  rejections(): string[] {
    return [...this.issues];
  }

  /**
   * Sends the events not yet on the server; `events[k]` is the run's event number `base + k`.
   * Returns null when all went, else why delivery stopped (the rest stays for the next call).
   */
  async deliver(events: readonly RunEvent[], base = 0): Promise<MlcError | null> {
    while (this.progress.sent < base + events.length) {
      const i = this.progress.sent - base;
      try {
        const e = events[i];
        const n = e.t === "start" ? (await this.ensureRun(e), 1) : e.t === "child" ? (await this.ensureChild(e), 1) : await this.step(events, i);
        this.progress.sent += n;
        writeProgress(this.root, this.runId, this.progress);
      } catch (err) {
        this.replay = true; // a request may have landed: look before re-sending
        return err instanceof MlcError ? err : new MlcError("MLC7001", `MLflow server ${this.client.url}: ${(err as Error).message}`);
      }
    }
    return null;
  }

  /** Consecutive batches, inputs, artifacts and ends, sent together; returns how many events went. */
  private async step(events: readonly RunEvent[], from: number): Promise<number> {
    let to = from;
    while (to < events.length && to - from < 64 && events[to].t !== "start" && events[to].t !== "child") to++;
    const group = events.slice(from, to);
    const main = group.filter((e): e is BatchEvent => e.t === "batch" && !e.child);
    const tasks: (() => Promise<void>)[] = [];
    if (main.length) tasks.push(...(await this.batchTasks(main)));
    for (const e of group) {
      if (e.t === "batch" && e.child) tasks.push(async () => this.logBatch(this.runOf(e.child), e.metrics, e.params, e.tags));
      else if (e.t === "inputs") tasks.push(async () => this.client.logInputs({ run_id: this.runOf().run, datasets: e.datasets }));
      else if (e.t === "artifact") tasks.push(async () => this.upload(e.file, e.path));
      else if (e.t === "end") tasks.push(async () => void (await this.client.updateRun({ run_id: this.runOf(e.child).run, status: e.status, end_time: e.end_time })));
    }
    const failed = (await settleAll(tasks)).find((err) => err !== null && !this.refused(err));
    if (failed) throw failed;
    return group.length;
  }

  /** The main run's batches merged into as few requests as the limits allow. */
  private async batchTasks(batches: readonly BatchEvent[]): Promise<(() => Promise<void>)[]> {
    const m = this.runOf();
    let params = batches.flatMap((b) => b.params);
    if (params.length && this.replay) {
      const known = await this.paramsOn(m.run);
      params = params.filter((p) => !known.has(p.key));
    }
    const chunks = chunkBatches(batches.flatMap((b) => b.metrics), params, batches.flatMap((b) => b.tags));
    // Params and tags go in order (a later tag value must win); chunks of metrics alone go side by side.
    const ordered = chunks.filter((c) => c.params.length || c.tags.length);
    const free = chunks.filter((c) => !c.params.length && !c.tags.length);
    const send = (c: (typeof chunks)[number]) => this.logBatch(m, c.metrics, c.params, c.tags);
    return [
      ...(ordered.length ? [async () => { for (const c of ordered) await send(c); }] : []),
      ...free.map((c) => () => send(c)),
    ];
  }

  private async logBatch(m: Mapping, metrics: BatchEvent["metrics"], params: readonly KeyValue[], tags: readonly KeyValue[]): Promise<void> {
    if (!metrics.length && !params.length && !tags.length) return;
    await this.client.logBatch({ run_id: m.run, metrics, params, tags });
    params.forEach((p) => this.knownParams.get(m.run)?.add(p.key));
  }

  private async upload(file: string, path: string): Promise<void> {
    if (!existsSync(file)) throw new MlflowRejection(`artifact ${path}: its copy ${file} is gone`, 400, "MISSING_FILE");
    await this.client.uploadArtifact(this.runOf().artifact_uri, file, path);
  }

  /** A request the server refused for good (400/404): reported, settled, never sent again. */
  private refused(err: MlcError): boolean {
    if (!(err instanceof MlflowRejection && (err.status === 400 || err.status === 404))) return false;
    if (!this.issues.includes(err.message)) this.issues.push(err.message);
    return true;
  }

  private runOf(child?: string): Mapping {
    const m = this.progress.runs[child ?? ""];
    if (!m) throw new MlcError("MLC7001", `MLflow run${child ? ` of node ${child}` : ""} not created yet`);
    return m;
  }

  private async paramsOn(runId: string): Promise<Set<string>> {
    let s = this.knownParams.get(runId);
    if (!s) this.knownParams.set(runId, (s = new Set((await this.client.getRun(runId)).data.params.map((p) => p.key))));
    return s;
  }

  private async ensureRun(start: StartEvent): Promise<void> {
    if (this.progress.runs[""]) return;
    const exp = await this.experiment(start);
    const create = () => ({ experiment_id: exp.experiment_id, run_name: start.run_name, start_time: start.start_time, tags: start.tags });
    this.progress.runs[""] = await this.findOrCreate(exp.experiment_id, start.run_id, create);
  }

  private async ensureChild(e: ChildEvent): Promise<void> {
    if (this.progress.runs[e.node]) return;
    const parent = this.runOf();
    const tags = [...e.tags, { key: "mlflow.parentRunId", value: parent.run }];
    const create = () => ({ experiment_id: parent.experiment_id, run_name: e.node, start_time: e.start_time, tags });
    this.progress.runs[e.node] = await this.findOrCreate(parent.experiment_id, `${this.runId}#${e.node}`, create);
  }

  /** The run tagged `mlc.run_id = tagId` (any lifecycle stage), else a new one; looked up before every attempt. */
  private async findOrCreate(experimentId: string, tagId: string, req: () => Parameters<MlflowClient["createRun"]>[0]): Promise<Mapping> {
    for (let attempt = 1; ; attempt++) {
      const found = await this.client.searchRuns({
        experiment_ids: [experimentId],
        filter: `tags.\`mlc.run_id\` = '${tagId.replace(/'/g, "\\'")}'`,
        run_view_type: "ALL",
        max_results: 1,
      });
      if (found.runs[0]) return mapping(found.runs[0]);
      try {
        return mapping(await this.client.createRun(req(), 0));
      } catch (err) {
        const final = err instanceof MlflowRejection && err.status < 500;
        if (final || attempt >= CREATE_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  }

  private async experiment(start: StartEvent): Promise<Experiment> {
    const c = this.client;
    const { name, artifact_location, tags, restore_deleted } = start.experiment;
    let exp = await c.getExperimentByName(name);
    if (!exp) {
      try {
        const id = await c.createExperiment({ name, ...(artifact_location ? { artifact_location } : {}), ...(tags.length ? { tags } : {}) });
        return { experiment_id: id, name, lifecycle_stage: "active", tags: [] };
      } catch (err) {
        if (!(err instanceof MlflowRejection && err.errorCode === "RESOURCE_ALREADY_EXISTS")) throw err;
      }
      exp = await c.getExperimentByName(name);
      if (!exp) throw new MlcError("MLC7002", `MLflow server ${c.url} did not create experiment "${name}"`);
    }
    if (exp.lifecycle_stage === "deleted") {
      const hint = "set tracking.experiment.restore_if_deleted: true to restore it";
      if (!restore_deleted) throw new MlflowRejection(`MLflow experiment "${exp.name}" is deleted (${hint})`, 400, "INVALID_STATE");
      await c.restoreExperiment(exp.experiment_id);
    }
    return exp;
  }
}

function mapping(r: Run): Mapping {
  return { run: r.info.run_id, experiment_id: r.info.experiment_id, artifact_uri: r.info.artifact_uri ?? "" };
}

/** Runs every task, at most PARALLEL at once; each one's error or null, in order. */
async function settleAll(tasks: readonly (() => Promise<void>)[]): Promise<(MlcError | null)[]> {
  const out: (MlcError | null)[] = new Array(tasks.length).fill(null);
  let next = 0;
  const worker = async () => {
    for (let k = next++; k < tasks.length; k = next++) {
      try {
        await tasks[k]();
      } catch (err) {
        out[k] = err instanceof MlcError ? err : new MlcError("MLC7001", (err as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, tasks.length) }, worker));
  return out;
}
