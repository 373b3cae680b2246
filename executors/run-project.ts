// runProject: what `mlc run` does, as an API. Compile -> plan -> run record + sinks + hooks ->
// executor -> final record (with Kedro's resume suggestion on failure). Printing is the CLI's job.
import { createHash } from "node:crypto";
import { resolve as resolvePath } from "node:path";
import { selfIdentity } from "../catalog/process-identity.js";
import { newSaveVersion } from "../catalog/versioning.js";
import { compileProject } from "../compiler/compile.js";
import type { Diagnostic } from "../compiler/diagnostics.js";
import type { CompiledProject, DatasetConfig, SelectionSpec } from "../compiler/types.js";
import { scrubber } from "../catalog/secrets.js";
import { combineHooks, loadHooks } from "../hooks/load.js";
import { currentNode } from "./node-context.js";
import { trapStrays } from "./strays.js";
import { RunRecorder, teeSinks } from "../runs/recorder.js";
import type { ErrorInfo, NodeRecord, RunRecord } from "../runs/record.js";
import type { Hooks } from "../hooks/hooks.js";
import { gitCommit, newRunId, RunWriter, writeRun } from "../runs/store.js";
import { installSink, type RunSink } from "../tracking/sink.js";
import type { RunContext, RunEvent, RunPlan, RunResult } from "./executor.js";
import { plannedExitError, toErrorInfo } from "./errors.js";
import { plan as makePlan } from "./plan.js";
import { createExecutor } from "./registry.js";
import { runCommand, type CommandFlags } from "./resume.js";
import { partialRunError, workingSelection } from "./partial-run.js";
import { graphText } from "./graph-text.js";
import { lockOutputs } from "./output-lock.js";
import { startPlugins, type RunPlugin } from "../tracking/plugins.js";
import { CacheSession, type CacheOptions } from "../cache/session.js";
import { openCatalog } from "./sequential.js";

/** Options of runProject (the API form of `mlc run`'s flags). */
export interface RunOptions {
  /** Project root (the folder holding pipeline.yml); relative paths resolve against the working directory. */
  readonly root: string;
  readonly pipelineFile?: string;
  readonly catalogFile?: string;
  readonly env?: string;
  readonly selection?: SelectionSpec;
  /** `--params`, parsed into a nested object. */
  readonly runtimeParams?: Readonly<Record<string, unknown>>;
  /** Executor name from the registry; default "sequential". */
  readonly executor?: string;
  readonly maxWorkers?: number;
  /** The distributed executor's job queue URL (default MLC_QUEUE_URL, then mlc.yml's `queue:`). */
  readonly queue?: string;
  /** The run this one resumes (`--resume`): a distributed run clears what that one left on the queue. */
  readonly resumes?: string;
  readonly loadVersions?: Readonly<Record<string, string>>;
  /** Abort to interrupt the run (SIGINT): nothing new starts, the record says interrupted. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent) => void;
  /** Called once the plan is made and the record exists, before any node runs. */
  readonly onStart?: (start: { readonly runId: string; readonly plan: RunPlan }) => void;
  readonly warn?: (message: string) => void;
  /** The command line to record (default "mlc run"). */
  readonly command?: string;
  /** Incremental runs: skip up-to-date nodes (default); `false` runs everything and records nothing. */
  readonly cache?: false | CacheOptions;
  /** The pipeline file and flags repeated in the printed resume command. */
  readonly resumeFlags?: Readonly<CommandFlags>;
}

/** What runProject returns: diagnostics when the project did not compile, else the final record. */
export interface RunOutcome {
  readonly diagnostics: readonly Diagnostic[];
  readonly plan: RunPlan | null;
  readonly result: RunResult | null;
  readonly record: RunRecord | null;
}

/** Compiles and runs a project, writing `.mlc/runs/<run_id>/run.json` as it goes. Node failures are in the record, not thrown. */
export async function runProject(opts: RunOptions): Promise<RunOutcome> {
  opts = { ...opts, root: resolvePath(opts.root) };
  const compiled = await compileProject({
    root: opts.root,
    pipelineFile: opts.pipelineFile,
    catalogFile: opts.catalogFile,
    env: opts.env,
    runtimeParams: opts.runtimeParams,
    selection: opts.selection,
  });
  if (!compiled.project) return { diagnostics: compiled.diagnostics, plan: null, result: null, record: null };
  return {
    diagnostics: compiled.diagnostics,
    ...(await runCompiled(compiled.project, makePlan(compiled.project.selected), opts)),
  };
}

/**
 * Runs an already compiled and planned project (the CLI compiles first to print diagnostics and --dry-run).
 * Throws MLC4007 before anything runs when the selection leaves a memory input without its producer.
 */
export async function runCompiled(
  project: CompiledProject,
  plan: RunPlan,
  opts: RunOptions,
): Promise<{ plan: RunPlan; result: RunResult; record: RunRecord }> {
  const refusal = partialRunError(project, opts.selection ?? {}, opts.resumeFlags);
  if (refusal) throw refusal;
  const hooks = await loadHooks(project.hooks, project.root);
  const run = new RunState(project, plan, opts);
  // One writer at a time (MLC2004), checked before the run has a record or starts a node.
  const lock = lockOutputs(project.root, plan, run.base.run_id, run.base.command, opts.warn ?? (() => {}));
  await run.begin();
  let plugins: RunPlugin[];
  try {
    plugins = await startPlugins({ project, plan, record: run.base, warn: opts.warn ?? (() => {}) });
  } catch (err) {
    await run.end(notStarted(plan, toErrorInfo(err, "MLC7001")), []);
    lock.release();
    throw err;
  }
  const sink: RunSink = plugins.length ? teeSinks(run.recorder, ...plugins.map((p) => p.sink)) : run.recorder;
  const uninstall = installSink(sink);
  opts.onStart?.({ runId: run.base.run_id, plan });
  // Stray throws on this thread (node code under the sequential executor, hooks, datasets) fail the
  // running node or warn; they never kill mlc with its own trace. Warnings are scrubbed of secrets.
  const scrub = scrubber(project.credentials);
  const warn = opts.warn ?? ((m: string) => process.stderr.write(`warning: ${m}\n`));
  const trap = trapStrays((m) => warn(scrub(m)));
  const unguardExit = guardExit(run);
  let result: RunResult;
  try {
    const executor = await createExecutor(run.base.executor, {
      maxWorkers: opts.maxWorkers,
      queue: opts.queue,
      resumes: opts.resumes,
    });
    const allHooks = combineHooks([...hooks, ...plugins.map((p) => ({ name: p.name, hooks: p.hooks }))]);
    const ctx = runContext(project, plan, run, opts, allHooks, sink, plugins);
    result = await executor.run(plan, { ...ctx, guard: trap.guard });
    // A partly cached run says which nodes it skipped, so its MLflow run reads right next to a full one.
    const cached = result.nodes.filter((n) => n.status === "cached").map((n) => n.name);
    if (cached.length) sink.setTag("mlc.cached_nodes", cached.join(","));
  } catch (err) {
    // An executor that throws is a bug or a broken environment: record it, then let the caller say so.
    await run.end(notStarted(plan, toErrorInfo(err, "MLC5003")), plugins);
    throw err;
  } finally {
    unguardExit();
    trap.dispose();
    uninstall();
  }
  const record = await run.end(result, plugins);
  lock.release();
  return { plan, result, record };
}

/**
 * Node, hook or dataset code calling process.exit() mid-run would leave the record "running" and
 * mlc exiting with the user's code: the record ends failed (MLC5003, naming the node running in
 * this thread) or interrupted (a second Ctrl-C, 130), written synchronously, and the exit code is 1.
 */
function guardExit(run: RunState): () => void {
  const onExit = (code: number) => {
    const interrupted = code === 130;
    const node = currentNode()?.node;
    const message = `${node ? `node "${node}"` : "the run"}: the process exited (code ${code}) before the run finished; did it call process.exit()?`;
    const planned = plannedExitError(); // mlc itself ended the run (executors/watchdog.ts) and said why
    run.endNow(
      interrupted ? "interrupted" : "failed",
      interrupted ? undefined : (planned ?? { code: "MLC5003", message }),
      node,
    );
    if (!interrupted && !planned) {
      process.stderr.write(`error MLC5003 ${message}\n`);
      process.exitCode = 1;
    }
  };
  process.on("exit", onExit);
  return () => process.off("exit", onExit);
}

function runContext(
  project: CompiledProject,
  plan: RunPlan,
  run: RunState,
  opts: RunOptions,
  hooks: Hooks,
  sink: RunSink,
  plugins: readonly RunPlugin[],
): RunContext {
  const ctx: RunContext = {
    runId: run.base.run_id,
    project,
    saveVersion: run.saveVersion,
    loadVersions: opts.loadVersions ?? {},
    runtimeParams: opts.runtimeParams ?? {},
    hooks,
    sink,
    signal: opts.signal ?? new AbortController().signal,
    maxWorkers: opts.maxWorkers,
    pipeline: opts.selection?.pipeline ?? "__default__",
    onEvent: (e) => {
      run.onEvent(e, opts.onEvent);
      for (const p of plugins) p.onEvent?.(e);
    },
  };
  if (opts.cache === false) return ctx;
  let catalog: ReturnType<typeof openCatalog> | undefined;
  const cache = new CacheSession(
    project,
    plan,
    opts.cache ?? {},
    () => (catalog ??= openCatalog(plan, ctx)),
    ctx.runId,
  );
  return { ...ctx, cache };
}

/** The result of a run that failed before any node started. */
function notStarted(plan: RunPlan, error: ErrorInfo): RunResult {
  return {
    status: "failed",
    nodes: plan.order.map((name) => ({ name, status: "not_run", attempts: 0, duration_ms: 0 })),
    error,
  };
}

/** The run record as it evolves, and its writer. */
class RunState {
  readonly recorder: RunRecorder;
  readonly saveVersion = newSaveVersion();
  readonly base: RunRecord;
  private readonly writer: RunWriter;
  private readonly done: NodeRecord[] = [];

  constructor(
    private readonly project: CompiledProject,
    private readonly plan: RunPlan,
    private readonly opts: RunOptions,
  ) {
    this.recorder = new RunRecorder(project.root, opts.warn);
    this.writer = new RunWriter(project.root, 100, () => this.recorder.takeHistory());
    this.recorder.onChange = () => this.writer.update(this.snapshot);
    this.base = {
      run_id: newRunId(),
      status: "running",
      started_at: new Date().toISOString(),
      finished_at: null,
      executor: opts.executor ?? "sequential",
      pipeline: opts.selection?.pipeline ?? "__default__",
      selection: { ...(opts.selection ?? {}) },
      params: project.parameters as Record<string, unknown>,
      runtime_params: opts.runtimeParams ?? {},
      // The compiled graph is sorted plain data, so its JSON is deterministic (emitJson would re-sort: slower).
      graph_hash: createHash("sha256").update(graphText(project.selected)).digest("hex"),
      git_commit: gitCommit(project.root),
      env: project.env,
      command: opts.command ?? "mlc run",
      process: selfIdentity(), // a later reader tells a crashed run (process gone) from a live one
      nodes: [],
      metrics: {},
      datasets: [],
    };
  }

  begin(): Promise<void> {
    return this.writer.flush(this.current());
  }

  onEvent(e: RunEvent, forward?: (e: RunEvent) => void): void {
    if (e.type === "node-end") {
      this.done.push(e.record);
      this.writer.update(this.snapshot);
    }
    forward?.(e);
  }

  /** The current state, built only when the writer actually writes. */
  private readonly snapshot = (): RunRecord => this.current();

  private current(): RunRecord {
    return { ...this.base, nodes: [...this.done], ...this.recorder.snapshot() };
  }

  /** The final record written synchronously (from a process 'exit' listener: no awaits possible). */
  endNow(status: "failed" | "interrupted", error: ErrorInfo | undefined, node: string | undefined): void {
    const done = new Set(this.done.map((n) => n.name));
    const rest = this.plan.order.filter((n) => !done.has(n));
    const nodes: NodeRecord[] = [
      ...this.done,
      ...rest.map((name): NodeRecord =>
        name === node && error
          ? { name, status: "failed", attempts: 1, duration_ms: 0, error }
          : { name, status: "not_run", attempts: 0, duration_ms: 0 },
      ),
    ];
    const record: RunRecord = {
      ...this.current(),
      status,
      finished_at: new Date().toISOString(),
      nodes,
      ...(error ? { error } : {}),
    };
    writeRun(this.project.root, record, false).catch(() => {}); // synchronous inside
  }

  /** Writes the final record (each tracking plugin finishes first) and returns it. */
  async end(result: RunResult, plugins: readonly RunPlugin[]): Promise<RunRecord> {
    let record: RunRecord = {
      ...this.current(),
      status: result.status,
      finished_at: new Date().toISOString(),
      nodes: result.nodes,
      datasets: this.datasetVersions(result),
      ...(result.error ? { error: result.error } : {}),
      ...this.resume(result),
    };
    for (const plugin of plugins) {
      try {
        record = { ...record, ...(await plugin.finish(record)) };
      } catch (err) {
        // tracking.on_error: fail — the mirror could not be delivered, so the run fails (it stays queued for `mlc mlflow sync`).
        const error = toErrorInfo(err, "MLC7001");
        record = {
          ...record,
          status: record.status === "success" ? "failed" : record.status,
          error: record.error ?? error,
        };
      }
    }
    await this.writer.flush(record);
    if (this.writer.error)
      this.opts.warn?.(
        `could not write the run record under .mlc/runs/${record.run_id}: ${(this.writer.error as Error).message}`,
      );
    // After the final record: a plugin delivering later (in the background) may add to it.
    for (const plugin of plugins) await plugin.closed?.();
    return record;
  }

  private resume(result: RunResult): Partial<RunRecord> {
    if (result.status === "success" || result.nodes.length === 0) return {};
    const completed = new Set(
      result.nodes.filter((n) => n.status === "completed" || n.status === "cached").map((n) => n.name),
    );
    const unfinished = new Set(this.plan.order.filter((n) => !completed.has(n)));
    // Over the whole graph: a memory input's producer outside the selection must rerun too.
    const fix = workingSelection(this.project.graph, this.opts.selection ?? {}, unfinished);
    if (!fix) return {};
    return {
      resume_nodes: fix.nodes,
      resume_selection: { ...fix.selection },
      resume_command: runCommand(fix.selection, this.opts.resumeFlags),
    };
  }

  /** Persistent datasets of the plan with the version this run saved or loaded (null: unversioned). */
  private datasetVersions(result: RunResult): RunRecord["datasets"] {
    const completed = new Set(result.nodes.filter((n) => n.status === "completed").map((n) => n.name));
    const saved = new Set(this.plan.graph.nodes.filter((n) => completed.has(n.name)).flatMap((n) => n.outputs));
    const pins = this.opts.loadVersions ?? {};
    return this.plan.graph.datasets
      .filter((d) => d.persistent)
      .map((d) => ({
        name: d.name,
        version: isVersioned(d.config) ? (saved.has(d.name) ? this.saveVersion : (pins[d.name] ?? null)) : null,
      }));
  }
}

/** Versioned itself, or a wrapper (mlflow.artifact) around a versioned dataset. */
function isVersioned(config: DatasetConfig): boolean {
  for (let c: DatasetConfig | undefined = config; c; c = c.dataset) if (c.versioned) return true;
  return false;
}
