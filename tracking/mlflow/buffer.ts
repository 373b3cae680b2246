// The sink side of the MLflow mirror: every call is O(1) into memory and never throws into node
// code; `drain()` turns what was buffered into events. Keys are sanitised, params are immutable
// in MLflow (a changed value is reported and dropped), long values follow long_params_strategy,
// and hooks add dataset inputs and (nested_runs: nodes) a child run per node.
import { promises as fsp } from "node:fs";
import { contentVersion, digest } from "../../cache/hash.js";
import { basename, join, relative } from "node:path";
import type { CompiledProject } from "../../compiler/types.js";
import { parseOrderBy } from "../../cli/search/filter.js";
import type { Hooks } from "../../hooks/hooks.js";
import type { ModelRegistration, RunSink } from "../sink.js";
import { applyLongParams, LIMITS, paramString, sanitizeKey } from "./batcher.js";
import type { TrackingConfig } from "./config.js";
import type { EventLog, RunEvent } from "./event-log.js";
import type { DatasetInput, KeyValue, Metric, RunStatus } from "./types.js";

/** Buffers one run's logging; `drain()` turns it into events, oldest first. */
export class RunBuffer implements RunSink {
  private metrics: Metric[] = [];
  private params: KeyValue[] = [];
  private tags: KeyValue[] = [];
  private artifacts: { src: string; dir: string | null; register?: ModelRegistration }[] = [];
  private inputs: { name: string; file: string; source: string }[] = [];
  private nodeEvents: RunEvent[] = [];
  private readonly paramValues = new Map<string, string>();
  private readonly seenInputs = new Set<string>();
  private readonly children = new Map<string, "open" | "closed">();
  private readonly issues: string[] = [];
  private readonly registrations: RunEvent[] = [];

  /** `onFull`: a batch worth of metrics is waiting. */
  constructor(
    private readonly cfg: TrackingConfig,
    private readonly runId: string,
    private readonly onFull: () => void,
  ) {}

  /** True when something is waiting to be drained. */
  get dirty(): boolean {
    const lists = [this.metrics, this.params, this.tags, this.artifacts, this.inputs, this.nodeEvents];
    return lists.some((l) => l.length > 0);
  }

  logMetric(key: string, value: number, step?: number): void {
    const k = this.key(key, "metric");
    if (!k) return;
    const v = typeof value === "number" ? value : Number(value);
    this.metrics.push({ key: k, value: v, timestamp: Date.now(), step: Number.isInteger(step) ? (step as number) : 0 });
    if (this.metrics.length === LIMITS.metricsPerBatch) this.onFull();
  }

  logParam(key: string, value: unknown): void {
    const k = this.key(key, "param");
    if (!k) return;
    const s = paramString(value);
    const had = this.paramValues.get(k);
    if (had === undefined) {
      this.paramValues.set(k, s);
      this.params.push({ key: k, value: s });
    } else if (had !== s) {
      this.issue(
        `param "${k}" logged again with a different value; MLflow params cannot change, the first value is kept`,
      );
    }
  }

  setTag(key: string, value: string): void {
    const k = this.key(key, "tag");
    if (k) this.tags.push({ key: k, value: String(value).slice(0, LIMITS.tagValueLength) });
  }

  logArtifact(localPath: string, artifactPath?: string, register?: ModelRegistration): void {
    if (typeof localPath !== "string" || !localPath) return;
    const dir = artifactPath ? artifactPath.replace(/^\/+|\/+$/g, "") || null : null;
    this.artifacts.push({ src: localPath, dir, register });
  }

  /** Problems found while logging (bad keys, changed params, long params under fail). */
  problems(): string[] {
    return [...this.issues];
  }

  /** Hooks: dataset inputs, and a child run per node (nested_runs: nodes). */
  hooks(project: CompiledProject): Hooks {
    const files = new Map(
      project.selected.datasets.filter((d) => d.persistent && d.filepath).map((d) => [d.name, d.filepath!]),
    );
    const hooks: Hooks = {};
    if (files.size)
      hooks.afterDatasetLoaded = (name) => {
        const filepath = files.get(name);
        if (filepath !== undefined) this.inputLoaded(name, join(project.root, filepath), filepath);
      };
    // Only what needs them: an after-run hook makes the parallel executor send node data back.
    if (this.cfg.nestedRuns === "nodes") {
      hooks.beforeNodeRun = (node) => this.startChild(node.name);
      hooks.afterNodeRun = (node) => this.endChild(node.name, "FINISHED");
      hooks.onNodeError = (node) => this.endChild(node.name, "FAILED");
    }
    return hooks;
  }

  private inputLoaded(name: string, file: string, source: string): void {
    if (this.seenInputs.has(name)) return;
    this.seenInputs.add(name);
    this.inputs.push({ name, file, source });
  }

  private startChild(node: string): void {
    if (this.children.has(node)) return;
    this.children.set(node, "open");
    const tags = [
      { key: "mlc.run_id", value: `${this.runId}#${node}` },
      { key: "mlc.node", value: node },
    ];
    this.nodeEvents.push({ t: "child", node, start_time: Date.now(), tags });
  }

  private endChild(node: string, status: RunStatus): void {
    if (this.children.get(node) !== "open") return;
    this.children.set(node, "closed");
    this.nodeEvents.push({ t: "end", child: node, status, end_time: Date.now() });
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

  /** Everything buffered as events (artifacts copied into the run's folder of `log`). */
  async drain(log: EventLog): Promise<RunEvent[]> {
    const events: RunEvent[] = this.nodeEvents.splice(0);
    const long = applyLongParams(this.params.splice(0), this.cfg.longParamsStrategy);
    long.tooLong.forEach((k) =>
      this.issue(`param "${k}" is longer than MLflow's 6000-character limit (long_params_strategy: fail); not sent`),
    );
    const batch = {
      metrics: this.metrics.splice(0),
      params: long.params,
      tags: [...this.tags.splice(0), ...long.tags],
    };
    if (batch.metrics.length + batch.params.length + batch.tags.length) events.push({ t: "batch", ...batch });
    const inputs = this.inputs.splice(0);
    if (inputs.length)
      events.push({ t: "inputs", datasets: await Promise.all(inputs.map((i) => toInput(i, log.root))) });
    for (const a of this.artifacts.splice(0)) {
      const sent = await this.artifactEvents(log, a.src, a.dir);
      events.push(...sent);
      if (a.register && sent.length)
        this.registrations.push(registerEvent(a.register, a.dir ? `${a.dir}/${basename(a.src)}` : basename(a.src)));
    }
    return events;
  }

  /** The run's `register:` events, sent at its end: a `compare:` needs the metrics the run logged after the model. */
  takeRegistrations(): RunEvent[] {
    return this.registrations.splice(0);
  }

  private async artifactEvents(log: EventLog, src: string, dir: string | null): Promise<RunEvent[]> {
    let files: string[];
    try {
      const st = await fsp.stat(src);
      const entries = st.isDirectory() ? await fsp.readdir(src, { recursive: true, withFileTypes: true }) : null;
      files = entries ? entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)) : [src];
    } catch {
      this.issue(`artifact ${src} does not exist; not sent`);
      return [];
    }
    const folder = files.length === 1 && files[0] === src ? null : src;
    const out: RunEvent[] = [];
    for (const f of files.sort()) {
      const rel = folder ? `${basename(folder)}/${relative(folder, f).split("\\").join("/")}` : basename(f);
      try {
        out.push({ t: "artifact", file: await log.copy(f, basename(f)), path: dir ? `${dir}/${rel}` : rel });
      } catch (err) {
        this.issue(`artifact ${f} could not be copied into the outbox (${(err as Error).message}); not sent`);
      }
    }
    return out;
  }
}

function registerEvent(r: ModelRegistration, path: string): RunEvent {
  const tags = Object.fromEntries(Object.entries(r.tags ?? {}).map(([k, v]) => [k, String(v)]));
  const order = r.compare ? parseOrderBy(r.compare) : null; // the catalog schema allows only a metric
  const rank = order ? { metric: order.key, ascending: order.ascending } : undefined;
  return { t: "register", path, name: r.name, alias: r.alias, description: r.description, tags, rank };
}

/** Why MLflow cannot take `key` (a metric, param or tag key). */
function keyProblem(key: string, what: string): string {
  const shown = key.length > 60 ? `${key.slice(0, 60)}...` : key;
  return `${what} key "${shown}" is not usable by MLflow (at most ${LIMITS.keyLength} characters of letters, digits, _ - . / : space); not sent`;
}

/** Its digest: the file's content version, as the run record and the cache see it. */
async function toInput(i: { name: string; file: string; source: string }, root: string): Promise<DatasetInput> {
  const version = (await contentVersion(root, i.file)) ?? "missing";
  return {
    dataset: { name: i.name, digest: digest(version).slice(0, 12), source_type: "local", source: i.source },
    tags: [{ key: "mlflow.data.context", value: "input" }],
  };
}
