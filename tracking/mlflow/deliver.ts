// Delivers an outbox's pending operations to the server, in order and idempotently: the MLflow
// run is found by its `mlc.run_id` tag before one is created, params already on the run are
// skipped on replay (MLflow refuses to change a param), metrics replay with their original
// timestamps (the server drops exact duplicates), artifacts are PUT (overwrite), tags are upserts.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { GraphIR } from "../../compiler/types.js";
import { MlcError } from "../../compiler/diagnostics.js";
import { MlflowRejection, type MlflowClient } from "./client.js";
import { pendingOps, removeOutbox, type ArtifactOp, type BatchOp, type ChildOp, type EndOp, type Fact, type Op, type Outbox, type OutboxState, type StartOp } from "./outbox.js";
import { cachedExperiment, rememberExperiment } from "./experiment-cache.js";
import { tagsWithUser } from "./run-info.js";
import type { Experiment } from "./types.js";

/** Result of one delivery pass. */
export interface DeliveryResult {
  readonly delivered: number;
  readonly pending: number;
  readonly rejected: readonly string[];
  /** Why delivery stopped early (unreachable, auth...), when it did. */
  readonly error: MlcError | null;
  readonly mlflow: { run_id: string; experiment_id: string; url: string } | null;
}

interface Mapping { run: string; experiment_id: string; artifact_uri: string }

/** Delivers what one outbox holds. Live runs reuse one instance; `mlc mlflow sync` makes one per file. */
export class Deliverer {
  private mapped = new Map<string, Mapping>();
  private done = new Set<number>();
  private rejected = new Map<number, string>();
  private knownParams: Map<string, Set<string>> | null = null;
  private delivered = 0;

  constructor(
    private readonly client: MlflowClient,
    private readonly outbox: Outbox,
    state: OutboxState | null,
    /** Replaying (sync or after a failure): look up what the server already has first. */
    private replay: boolean,
  ) {
    if (state) {
      state.mapped.forEach((v, k) => this.mapped.set(k, v));
      state.done.forEach((s) => this.done.add(s));
      state.rejected.forEach((v, k) => this.rejected.set(k, v));
    }
  }

  /** True once an operation was delivered or rejected. */
  isSettled(seq: number): boolean {
    return this.done.has(seq) || this.rejected.has(seq);
  }

  /** Why the server refused operations (one message each). */
  rejections(): string[] {
    return [...this.rejected.values()];
  }

  /** The main MLflow run, once created or found. */
  link(): DeliveryResult["mlflow"] {
    const m = this.mapped.get("");
    return m ? { run_id: m.run, experiment_id: m.experiment_id, url: `${this.client.url}/#/experiments/${m.experiment_id}/runs/${m.run}` } : null;
  }

  /** Sends `ops` (skipping delivered ones) until all are sent or the server stops answering. */
  async deliver(ops: readonly Op[]): Promise<DeliveryResult> {
    let error: MlcError | null = null;
    const todo = ops.filter((o) => !this.done.has(o.seq) && !this.rejected.has(o.seq));
    let i = 0;
    while (i < todo.length) {
      // Once the run exists, what follows does not depend on each other: MLflow takes batches and
      // artifacts on an ended run (only deleted runs refuse them). So consecutive artifacts, the
      // run's end and at most one log-batch (batches stay in order: a later tag value must win)
      // go out together, up to 4 at once: finishing a run costs one round trip instead of five.
      let n = 1;
      let batches = todo[i].t === "batch" ? 1 : 0;
      while (n < 4 && groupable(todo[i]) && groupable(todo[i + n]) && (todo[i + n].t !== "batch" || batches++ === 0)) n++;
      const group = todo.slice(i, i + n);
      const results = await Promise.allSettled(group.map((op) => this.send(op)));
      for (const [k, r] of results.entries()) {
        if (r.status === "fulfilled") {
          await this.settle(group[k].seq, null);
          continue;
        }
        const err = r.reason;
        // A refused operation is settled as rejected, except creating a run: everything after
        // depends on it, so it stays pending (e.g. restore the deleted experiment, then sync).
        const creates = group[k].t === "start" || group[k].t === "child";
        if (err instanceof MlflowRejection && (err.status === 400 || err.status === 404) && !creates) {
          await this.settle(group[k].seq, err.message);
          continue;
        }
        error ??= err instanceof MlcError ? err : new MlcError("MLC7001", `MLflow server ${this.client.url}: ${(err as Error).message}`);
      }
      if (error) {
        this.replay = true; // a request may have landed: look before re-sending
        break;
      }
      i += n;
    }
    return {
      delivered: this.delivered,
      pending: todo.filter((o) => !this.done.has(o.seq) && !this.rejected.has(o.seq)).length,
      rejected: [...this.rejected.values()],
      error,
      mlflow: this.link(),
    };
  }

  private async settle(seq: number, rejected: string | null): Promise<void> {
    if (rejected === null) {
      await this.record({ t: "done", seq });
      this.done.add(seq);
      this.delivered++;
    } else {
      this.rejected.set(seq, rejected);
      await this.record({ t: "rejected", seq, error: rejected });
    }
  }

  private async record(f: Fact): Promise<void> {
    await this.outbox.append([f], f.t === "mapped");
  }

  private async send(op: Op): Promise<void> {
    switch (op.t) {
      case "start": return void (await this.ensureRun(op));
      case "child": return void (await this.ensureChild(op));
      case "batch": return this.sendBatch(op);
      case "inputs": return this.client.logInputs({ run_id: (await this.runOf()).run, datasets: op.datasets });
      case "artifact": return this.sendArtifact(op);
      case "end": return this.sendEnd(op);
    }
  }

  private async runOf(child?: string): Promise<Mapping> {
    const m = this.mapped.get(child ?? "");
    if (!m) throw new MlcError("MLC7001", `MLflow run${child ? ` of node ${child}` : ""} not created yet`);
    return m;
  }

  private async experiment(start: StartOp): Promise<Experiment> {
    const c = this.client;
    let exp = await c.getExperimentByName(start.experiment.name);
    if (!exp) {
      try {
        const { name, artifact_location, tags } = start.experiment;
        const id = await c.createExperiment({ name, ...(artifact_location ? { artifact_location } : {}), ...(tags.length ? { tags } : {}) });
        return { experiment_id: id, name, lifecycle_stage: "active", tags: [] };
      } catch (err) {
        if (!(err instanceof MlflowRejection && err.errorCode === "RESOURCE_ALREADY_EXISTS")) throw err;
      }
      exp = await c.getExperimentByName(start.experiment.name);
      if (!exp) throw new MlcError("MLC7002", `MLflow server ${c.url} did not create experiment "${start.experiment.name}"`);
    }
    if (exp.lifecycle_stage === "deleted") {
      if (!start.experiment.restore_deleted) {
        throw new MlflowRejection(`MLflow experiment "${exp.name}" is deleted (set tracking.experiment.restore_if_deleted: true to restore it)`, 400, "INVALID_STATE");
      }
      await c.restoreExperiment(exp.experiment_id);
    }
    return exp;
  }

  /** Finds the run tagged with our id (any lifecycle), else creates it. */
  private async findOrCreate(exp: Experiment, tagId: string, create: () => Promise<Mapping>): Promise<Mapping> {
    const found = await this.client.searchRuns({
      experiment_ids: [exp.experiment_id],
      filter: `tags.\`mlc.run_id\` = '${tagId.replace(/'/g, "\\'")}'`,
      run_view_type: "ALL",
      max_results: 1,
    });
    const r = found.runs[0];
    if (r) return { run: r.info.run_id, experiment_id: r.info.experiment_id, artifact_uri: r.info.artifact_uri ?? "" };
    return create();
  }

  private async ensureRun(start: StartOp): Promise<Mapping> {
    const have = this.mapped.get("");
    if (have) return have;
    const { root } = this.outbox;
    const name = start.experiment.name;
    const createIn = async (experimentId: string) => {
      const run = await this.client.createRun({ experiment_id: experimentId, run_name: start.run_name, start_time: start.start_time, tags: tagsWithUser(start.tags, start.uid) });
      return { run: run.info.run_id, experiment_id: run.info.experiment_id, artifact_uri: run.info.artifact_uri ?? "" };
    };
    let m: Mapping | null = null;
    const cached = this.replay ? null : cachedExperiment(root, this.client.url, name);
    if (cached) {
      try {
        m = await createIn(cached);
      } catch (err) {
        if (!(err instanceof MlflowRejection)) throw err;
        rememberExperiment(root, this.client.url, name, null); // deleted or gone: look it up
      }
    }
    if (!m) {
      const exp = await this.experiment(start);
      rememberExperiment(root, this.client.url, name, exp.experiment_id);
      // A fresh live run cannot exist yet: skip the search (one request less per run).
      m = this.replay ? await this.findOrCreate(exp, start.mlc_run_id, () => createIn(exp.experiment_id)) : await createIn(exp.experiment_id);
    }
    this.mapped.set("", m);
    await this.record({ t: "mapped", ...m });
    return m;
  }

  private async ensureChild(op: ChildOp): Promise<Mapping> {
    const have = this.mapped.get(op.node);
    if (have) return have;
    const parent = await this.runOf();
    const exp = { experiment_id: parent.experiment_id } as Experiment;
    const tagId = op.tags.find((t) => t.key === "mlc.run_id")?.value ?? op.node;
    const create = async () => {
      const run = await this.client.createRun({
        experiment_id: parent.experiment_id, run_name: op.node, start_time: op.start_time,
        tags: [...op.tags, { key: "mlflow.parentRunId", value: parent.run }],
      });
      return { run: run.info.run_id, experiment_id: run.info.experiment_id, artifact_uri: run.info.artifact_uri ?? "" };
    };
    const m = this.replay ? await this.findOrCreate(exp, tagId, create) : await create();
    this.mapped.set(op.node, m);
    await this.record({ t: "mapped", child: op.node, ...m });
    return m;
  }

  private async sendBatch(op: BatchOp): Promise<void> {
    const m = await this.runOf(op.child);
    let params = op.params;
    if (params.length && this.replay) {
      const known = await this.paramsOn(m.run);
      params = params.filter((p) => !known.has(p.key));
    }
    if (!params.length && !op.metrics.length && !op.tags.length) return;
    await this.client.logBatch({ run_id: m.run, metrics: op.metrics, params, tags: op.tags });
    if (this.knownParams?.has(m.run)) params.forEach((p) => this.knownParams!.get(m.run)!.add(p.key));
  }

  private async paramsOn(runId: string): Promise<Set<string>> {
    this.knownParams ??= new Map();
    let s = this.knownParams.get(runId);
    if (!s) {
      s = new Set((await this.client.getRun(runId)).data.params.map((p) => p.key));
      this.knownParams.set(runId, s);
    }
    return s;
  }

  private async sendArtifact(op: ArtifactOp): Promise<void> {
    const m = await this.runOf();
    if (!existsSync(op.file)) throw new MlflowRejection(`artifact ${op.path}: local file ${op.file} is gone`, 400, "MISSING_FILE");
    await this.client.uploadArtifact(m.artifact_uri, op.render ? await rendered(op) : op.file, op.path);
  }

  private async sendEnd(op: EndOp): Promise<void> {
    const m = await this.runOf(op.child);
    await this.client.updateRun({ run_id: m.run, status: op.status, end_time: op.end_time });
  }
}

/** One pass over a stored outbox (sync, or a later run's catch-up); removes it when complete. */
export async function deliverStored(client: MlflowClient, outbox: Outbox, state: OutboxState): Promise<DeliveryResult> {
  const d = new Deliverer(client, outbox, state, true);
  const res = await d.deliver(pendingOps(state));
  await outbox.close();
  if (res.pending === 0 && hasEnd(state)) removeOutbox(outbox.root, outbox.runId);
  return res;
}

/** True when the outbox holds the main run's end (the run finished, however it ended). */
export function hasEnd(state: OutboxState): boolean {
  return state.ops.some((o) => o.t === "end" && !o.child);
}

/** Renders graph.json or pipeline.mmd from the IR snapshot (next to it, once) and returns its path. */
async function rendered(op: ArtifactOp): Promise<string> {
  const out = `${op.file}.${op.render}`;
  if (existsSync(out)) return out;
  let graph: GraphIR;
  try {
    graph = JSON.parse(readFileSync(op.file, "utf8")) as GraphIR;
  } catch (err) {
    throw new MlflowRejection(`artifact ${op.path}: the graph snapshot ${op.file} is unreadable (${(err as Error).message})`, 400, "BAD_SNAPSHOT");
  }
  const text = op.render === "graph.json" ? (await import("../../compiler/emit/json.js")).emitJson(graph) : (await import("../../compiler/emit/mermaid.js")).emitMermaid(graph);
  // A crash mid-write must not leave a half file that looks done; the temp name is this
  // process's own (a shared graph snapshot may be rendered by two deliverers at once).
  writeFileSync(`${out}.${process.pid}.tmp`, text);
  renameSync(`${out}.${process.pid}.tmp`, out);
  return out;
}

function groupable(o: Op | undefined): boolean {
  return !!o && (o.t === "artifact" || ((o.t === "end" || o.t === "batch") && !o.child));
}
