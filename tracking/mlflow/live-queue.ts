// The sink side of the MLflow mirror: every call is O(1) into memory and never throws; a short
// timer (or a full batch of metrics) drains the buffers into outbox operations. Keys are
// sanitised, params are immutable in MLflow (a changed value is reported and dropped, not sent),
// long values follow long_params_strategy, and hooks add dataset inputs and nested node runs.
import { promises as fsp } from "node:fs";
import { basename, join, relative } from "node:path";
import type { CompiledProject, IRNode } from "../../compiler/types.js";
import type { Hooks } from "../hooks.js";
import type { RunSink } from "../sink.js";
import { applyLongParams, chunkBatches, LIMITS, ParamValues, sanitizeKey } from "./batcher.js";
import type { TrackingConfig } from "./config.js";
import { keyProblem } from "./journal-format.js";
import type { Op, Outbox } from "./outbox.js";
import { datasetDigest } from "./run-info.js";
import type { DatasetInput, KeyValue, Metric, RunStatus } from "./types.js";

type Pending = { t: "child"; node: string; start_time: number } | { t: "end"; child: string; status: RunStatus; end_time: number };

const FLUSH_MS = 250;

/** Buffers one run's logging; `drain()` turns the buffers into outbox operations. */
export class LiveQueue implements RunSink {
  private metrics: Metric[] = [];
  private params: KeyValue[] = [];
  private tags: KeyValue[] = [];
  private artifacts: { src: string; dir: string | null; stored: boolean }[] = [];
  private inputs: { name: string; file: string; source: string }[] = [];
  private nodeOps: Pending[] = [];
  private readonly paramValues = new ParamValues();
  private readonly seenInputs = new Set<string>();
  private readonly children = new Map<string, "open" | "closed">();
  private readonly issues: string[] = [];
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly cfg: TrackingConfig, private readonly runId: string, private readonly kick: () => void) {}

  /** Params (and long ones as tags) known at start. */
  seedParams(params: readonly KeyValue[], tags: readonly KeyValue[]): void {
    for (const p of params) {
      const k = this.key(p.key, "param");
      if (k && this.paramValues.take(k, p.value, () => {}) !== null) {
        this.params.push({ key: k, value: p.value });
      }
    }
    for (const t of tags) this.setTag(t.key, t.value);
  }

  /** `timestamp`: when it was logged (a journal's replay), else now. */
  logMetric(key: string, value: number, step?: number, timestamp?: number): void {
    try {
      const k = this.key(key, "metric");
      if (!k) return;
      const v = typeof value === "number" ? value : Number(value);
      this.metrics.push({ key: k, value: v, timestamp: timestamp ?? Date.now(), step: Number.isInteger(step) ? (step as number) : 0 });
      this.schedule(this.metrics.length >= LIMITS.metricsPerBatch);
    } catch {
      // a sink never throws into node code
    }
  }

  logParam(key: string, value: unknown): void {
    try {
      const k = this.key(key, "param");
      const s = k && this.paramValues.take(k, value, (p) => this.issue(p));
      if (!k || s === null) return;
      this.params.push({ key: k, value: s });
      this.schedule(false);
    } catch {
      // never throws
    }
  }

  setTag(key: string, value: string): void {
    try {
      const k = this.key(key, "tag");
      if (!k) return;
      this.tags.push({ key: k, value: String(value).slice(0, LIMITS.tagValueLength) });
      this.schedule(false);
    } catch {
      // never throws
    }
  }

  /** `stored`: `localPath` is already the run's own copy (a journal's snapshot): used as it is. */
  logArtifact(localPath: string, artifactPath?: string, stored = false): void {
    if (typeof localPath !== "string" || !localPath) return;
    this.artifacts.push({ src: localPath, dir: artifactPath ? artifactPath.replace(/^\/+|\/+$/g, "") || null : null, stored });
    this.schedule(false);
  }

  /** Stops the timer; node runs still open end with `status`. */
  close(status: RunStatus, at = Date.now()): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const [node, st] of this.children) if (st === "open") this.endChild(node, status === "FINISHED" ? "KILLED" : status, at);
  }

  /** Problems found while logging (bad keys, changed params, long params under fail). */
  problems(): string[] {
    return [...this.issues];
  }

  /** Hooks: dataset inputs, and child runs per node when tracking.nested_runs is nodes. */
  hooks(project: CompiledProject): Hooks {
    // Only file-backed datasets become MLflow inputs: without any, no per-node hook at all (an
    // executor skips the after-run hook pass when nobody listens).
    const files = new Map(project.selected.datasets.filter((d) => d.persistent && d.filepath).map((d) => [d.name, d.filepath!]));
    const nested = this.cfg.nestedRuns === "nodes";
    return {
      ...(files.size
        ? {
            afterDatasetLoaded: (name: string) => {
              const filepath = files.get(name);
              if (filepath !== undefined) this.inputLoaded(name, join(project.root, filepath), filepath);
            },
          }
        : {}),
      ...(nested
        ? {
            beforeNodeRun: (node: IRNode) => this.startChild(node.name, Date.now()),
            afterNodeRun: (node: IRNode) => this.endChild(node.name, "FINISHED", Date.now()),
            onNodeError: (node: IRNode) => this.endChild(node.name, "FAILED", Date.now()),
          }
        : {}),
    };
  }

  /** A file-backed dataset a node loaded: a dataset input of the run (once per dataset). */
  inputLoaded(name: string, file: string, source: string): void {
    if (this.seenInputs.has(name)) return;
    this.seenInputs.add(name);
    this.inputs.push({ name, file, source });
    this.schedule(false);
  }

  /** A node run starts (nested_runs: nodes): its child run. */
  startChild(node: string, at: number): void {
    if (this.children.has(node)) return;
    this.children.set(node, "open");
    this.nodeOps.push({ t: "child", node, start_time: at });
    this.schedule(false);
  }

  endChild(node: string, status: RunStatus, at = Date.now()): void {
    if (this.children.get(node) !== "open") return;
    this.children.set(node, "closed");
    this.nodeOps.push({ t: "end", child: node, status, end_time: at });
    this.schedule(false);
  }

  private key(key: unknown, what: string): string | null {
    if (typeof key !== "string" || key === "") return null;
    const k = sanitizeKey(key);
    if (k === null) this.issue(keyProblem(key, what));
    return k;
  }

  private issue(msg: string): void {
    if (this.issues.length < 100 && !this.issues.includes(msg)) this.issues.push(msg);
  }

  private schedule(now: boolean): void {
    if (this.closed) return;
    if (now) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      setImmediate(this.kick);
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.kick();
      }, FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Turns everything buffered into operations (seq numbers from the outbox), oldest first. */
  async drain(outbox: Outbox): Promise<Op[]> {
    const ops: Op[] = [];
    for (const p of this.nodeOps.splice(0)) {
      ops.push(p.t === "child"
        ? { t: "child", seq: outbox.seq(), node: p.node, start_time: p.start_time, tags: [{ key: "mlc.run_id", value: `${this.runId}#${p.node}` }, { key: "mlc.node", value: p.node }] }
        : { t: "end", seq: outbox.seq(), child: p.child, status: p.status, end_time: p.end_time });
    }
    const long = applyLongParams(this.params.splice(0), this.cfg.longParamsStrategy);
    long.tooLong.forEach((k) => this.issue(`param "${k}" is longer than MLflow's 6000-character limit (long_params_strategy: fail); not sent`));
    for (const b of chunkBatches(this.metrics.splice(0), long.params, [...this.tags.splice(0), ...long.tags])) {
      ops.push({ t: "batch", seq: outbox.seq(), ...b });
    }
    const inputs = this.inputs.splice(0);
    if (inputs.length) ops.push({ t: "inputs", seq: outbox.seq(), datasets: await Promise.all(inputs.map(toInput)) });
    for (const a of this.artifacts.splice(0)) ops.push(...(await this.artifactOps(outbox, a.src, a.dir, a.stored)));
    return ops;
  }

  private async artifactOps(outbox: Outbox, src: string, dir: string | null, stored: boolean): Promise<Op[]> {
    let files: string[];
    try {
      const st = await fsp.stat(src);
      files = st.isDirectory() ? (await fsp.readdir(src, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)) : [src];
    } catch {
      this.issue(`artifact ${src} does not exist; not sent`);
      return [];
    }
    const base = files.length === 1 && files[0] === src ? null : src;
    const ops: Op[] = [];
    for (const f of files.sort()) {
      const rel = base ? `${basename(base)}/${relative(base, f).split("\\").join("/")}` : basename(f);
      const path = dir ? `${dir}/${rel}` : rel;
      const seq = outbox.seq();
      try {
        ops.push({ t: "artifact", seq, file: stored ? f : await outbox.snapshot(f, `a${seq}/${basename(f)}`), path });
      } catch (err) {
        this.issue(`artifact ${f} could not be copied into the outbox (${(err as Error).message}); not sent`);
      }
    }
    return ops;
  }
}

async function toInput(i: { name: string; file: string; source: string }): Promise<DatasetInput> {
  return {
    dataset: { name: i.name, digest: await datasetDigest(i.file), source_type: "local", source: i.source },
    tags: [{ key: "mlflow.data.context", value: "input" }],
  };
}
