// One run's (or one `mlc status`'s) view of the cache: decides per node, when it becomes ready,
// whether it is up to date, restores what an up-to-date node hands its consumers, and records a
// node's execution after it succeeded. Used by the shared scheduler, so every executor (and the
// distributed one) decides the same way. Versions of saved outputs come from the runner that
// saved them (hashed in that thread or process); this side only hashes free inputs and rechecks
// recorded outputs, both memoised on (path, size, mtime, inode).
import { existsSync } from "node:fs";
import type { CompiledProject, DatasetConfig, IRNode } from "../compiler/types.js";
import { isParamInput, isRunScoped, memoryDatasets } from "../executors/datasets.js";
import type { RunPlan } from "../executors/executor.js";
import type { RunSink } from "../tracking/sink.js";
import type { NodeOutcome } from "../executors/scheduler.js";
import { replaySinkCalls } from "../executors/sink-calls.js";
import { compareParts, outputCause, type Cause } from "./decide.js";
import { codeFingerprint, type CodeFingerprint } from "./fingerprint.js";
import { keyOf, keyParts, type KeyParts } from "./key.js";
import { keptValues, KeptValue, nodeStatePath, readNodeState, writeNodeState, type NodeState } from "./state.js";

/** `mlc run`'s cache flags. */
export interface CacheOptions {
  /** Run every selected node. */
  readonly force?: boolean;
  /** Run these nodes and every planned node downstream of them. */
  readonly forceNodes?: readonly string[];
}

/** What the session needs of a catalog (the run's DataCatalog). */
export interface VersionCatalog {
  /** Content version; null: no data; undefined: the dataset type has no version(). */
  version(name: string): Promise<string | null | undefined>;
  save(name: string, data: unknown): Promise<void>;
}

/** The decision for one node. */
export interface Check {
  readonly cause: Cause;
  readonly key: string;
  readonly parts: KeyParts;
  readonly state: NodeState | null;
}

export class CacheSession {
  /** Dataset -> content version as known in this run (produced, checked or hashed). */
  private readonly versions = new Map<string, string>();
  /** Dataset -> the node producing it that runs in this run. */
  private readonly rerun = new Map<string, string>();
  private readonly code = new Map<string, Promise<CodeFingerprint>>();
  private readonly memory: Set<string>;
  private readonly configs: Record<string, DatasetConfig | undefined>;
  private readonly producers = new Map<string, IRNode>();
  private readonly forced: Set<string>;

  constructor(
    private readonly project: CompiledProject,
    plan: RunPlan,
    opts: CacheOptions,
    private readonly catalog: () => Promise<VersionCatalog>,
    private readonly runId: string,
  ) {
    this.memory = memoryDatasets(plan);
    this.configs = Object.fromEntries(
      plan.graph.datasets.map((d) => [d.name, d.type === "memory" ? undefined : d.config]),
    );
    for (const n of project.graph.nodes) for (const o of n.outputs) this.producers.set(o, n);
    this.forced = forcedNodes(plan, opts);
  }

  /** Decides for `node` (its producers in the plan have finished or were decided). */
  async check(node: IRNode): Promise<Check> {
    const inputs: Record<string, string> = {};
    const notes: Record<string, string> = {};
    for (const i of node.inputs) {
      if (isParamInput(i)) continue;
      const v = this.versions.get(i) ?? (await this.freeVersion(i));
      inputs[i] = v ?? "unversioned";
      if (v === undefined) notes[i] = "its type has no version(), so it always counts as changed";
    }
    const code = await this.fingerprint(node.func);
    const parts = keyParts(node, code, this.project.parameters, inputs, this.configs);
    const key = keyOf(parts);
    // A node that runs whatever its state says does not read it (a forced run of a long chain).
    const anyway = this.runsAnyway(node);
    if (anyway) return { cause: anyway, key, parts, state: null };
    const state = await readNodeState(this.project.root, node.name);
    return { cause: await this.cause(node, parts, state, notes), key, parts, state };
  }

  private runsAnyway(node: IRNode): Cause | null {
    if ((node.cache ?? this.project.cache) === false) return { kind: "always runs" };
    return this.forced.has(node.name) ? { kind: "forced" } : null;
  }

  private async cause(
    node: IRNode,
    parts: KeyParts,
    state: NodeState | null,
    notes: Record<string, string>,
  ): Promise<Cause> {
    const note = Object.keys(notes)[0];
    if (note) return { kind: "input changed", dataset: note, note: notes[note] };
    if (!state) return { kind: "never run" };
    const c = compareParts(parts, state.parts);
    if (c.kind === "input changed" && this.rerun.has(c.dataset)) return { ...c, upstream: this.rerun.get(c.dataset)! };
    if (c.kind !== "up to date") return c;
    const current: Record<string, string | null | undefined> = {};
    for (const o of Object.keys(state.outputs))
      if (this.persistedFile(o)) current[o] = await (await this.catalog()).version(o);
    const out = outputCause(state, current);
    const unkept = node.outputs.find((o) => !this.persistedFile(o) && !state.kept.includes(o));
    if (out.kind !== "up to date" || unkept === undefined) return out;
    return { kind: "output not kept", dataset: unkept, why: state.unkept?.[unkept] ?? "not recorded" };
  }

  /**
   * For an up-to-date node: its memory outputs (kept in the cache, read by `restore` when a
   * consumer runs) after logging to this run what its last execution logged (metrics, params,
   * tags, artifacts); null when a kept value is gone (the node must run).
   */
  async hit(node: IRNode, check: Check, sink: RunSink): Promise<Record<string, unknown> | null> {
    const state = check.state!;
    const values = keptValues(this.project.root, state);
    const needed = node.outputs.filter((o) => this.memory.has(o) || this.isRunScoped(o));
    if (!values || needed.some((o) => !(o in values))) return null;
    replaySinkCalls(sink, state.logs);
    this.learn(state.outputs);
    return values;
  }

  /**
   * Marks `node` as running in this run (its consumers name it as the upstream cause) and reads in
   * place the kept values among its memory `inputs` (up-to-date producers' values are read only now).
   */
  async willRun(node: IRNode, inputs: Record<string, unknown> = {}): Promise<void> {
    this.running(node);
    for (const [name, v] of Object.entries(inputs)) if (v instanceof KeptValue) inputs[name] = await v.read();
  }

  private running(node: IRNode): void {
    for (const o of node.outputs) this.rerun.set(o, node.name);
  }

  /** Records a successful execution: output versions, memory values and logs from the runner's outcome. */
  async saved(node: IRNode, check: Check, outcome: Extract<NodeOutcome, { ok: true }>): Promise<void> {
    const versions = outcome.versions ?? {};
    const values = outcome.memoryOutputs;
    const outputs: Record<string, string> = {};
    const kept: Record<string, unknown> = {};
    for (const o of node.outputs) {
      if (this.memory.has(o) || this.isRunScoped(o)) {
        outputs[o] = check.key;
        if (o in values) kept[o] = values[o];
      } else outputs[o] = versions[o] ?? `unversioned:${this.runId}`;
    }
    this.learn(outputs);
    await writeNodeState(
      this.project.root,
      { node: node.name, key: check.key, parts: check.parts, outputs, logs: outcome.logs ?? [], run_id: this.runId },
      kept,
    );
  }

  /** For `mlc status`: what the node's consumers see when it is up to date or would run. */
  assume(node: IRNode, check: Check): void {
    if (check.cause.kind === "up to date" && check.state) this.learn(check.state.outputs);
    else {
      this.running(node);
      for (const o of node.outputs) this.versions.set(o, `pending:${node.name}`);
    }
  }

  private learn(outputs: Readonly<Record<string, string>>): void {
    for (const [o, v] of Object.entries(outputs)) this.versions.set(o, v);
  }

  /** A dataset no planned node produced: hashed from the catalog, or its producer's last key for memory. */
  private async freeVersion(name: string): Promise<string | null | undefined> {
    let v: string | null | undefined;
    if (this.memory.has(name) || this.isRunScoped(name)) {
      const producer = this.producers.get(name);
      v = producer ? ((await readNodeState(this.project.root, producer.name))?.outputs[name] ?? null) : null;
    } else v = await (await this.catalog()).version(name);
    if (v !== undefined) this.versions.set(name, v ?? "missing");
    return v === null ? "missing" : v;
  }

  private fingerprint(func: string): Promise<CodeFingerprint> {
    let p = this.code.get(func);
    if (!p) this.code.set(func, (p = codeFingerprint(func, this.project.root)));
    return p;
  }

  private isRunScoped(name: string): boolean {
    const c = this.configs[name];
    return c !== undefined && isRunScoped(c.type);
  }

  private persistedFile(name: string): boolean {
    return !this.memory.has(name) && !this.isRunScoped(name);
  }
}

/**
 * True when some planned node runs whatever its check finds (forced, `cache: false`, or never run),
 * so what a run needs to execute nodes is worth starting early; false when every node may be up to date.
 */
export function surelyRuns(project: CompiledProject, plan: RunPlan, opts: CacheOptions): boolean {
  if (opts.force || opts.forceNodes?.length) return true;
  const byName = new Map(plan.graph.nodes.map((n) => [n.name, n]));
  return plan.order.some(
    (name) => (byName.get(name)!.cache ?? project.cache) === false || !existsSync(nodeStatePath(project.root, name)),
  );
}

/** `--force`: every planned node; `--force-nodes a,b`: those and their planned dependents. */
function forcedNodes(plan: RunPlan, opts: CacheOptions): Set<string> {
  if (opts.force) return new Set(plan.order);
  const out = new Set<string>();
  if (!opts.forceNodes?.length) return out;
  const byName = new Map(plan.graph.nodes.map((n) => [n.name, n]));
  const dirty = new Set<string>();
  for (const name of plan.order) {
    const n = byName.get(name)!;
    if (opts.forceNodes.includes(name) || n.inputs.some((i) => dirty.has(i))) {
      out.add(name);
      for (const o of n.outputs) dirty.add(o);
    }
  }
  return out;
}
