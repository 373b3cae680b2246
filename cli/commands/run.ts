// `mlc run` (SPEC 5): compile, print diagnostics, plan (`--dry-run [--json]` stops here), run with
// progress, then a summary and, on failure, the coded error and the resume command.
// Exit codes: 0 success, 1 invalid project or failed run, 2 usage, 3 internal, 130 interrupted.
import { existsSync } from "node:fs";
import { join, sep } from "node:path";
import { MlcError } from "../../compiler/diagnostics.js";
import { compileProject } from "../../compiler/compile.js";
import { deepMerge } from "../../compiler/plain-data.js";
import { didYouMean } from "../../compiler/suggest.js";
import type { CompiledProject, CompileOptions } from "../../compiler/types.js";
import { plan as makePlan } from "../../executors/plan.js";
import { prestartWatchdog } from "../../executors/watchdog.js";
import { resumeSelection, type CommandFlags } from "../../executors/resume.js";
import { partialRunError, workingSelection } from "../../executors/partial-run.js";
import type { RunOptions } from "../../executors/run-project.js";
import { surelyRuns, type CacheOptions } from "../../cache/session.js";
import type { RunRecord } from "../../runs/record.js";
import { hasRunFolder, isResumable, latestRun, listRuns, readRun } from "../../runs/store.js";
import { EXIT, UsageError } from "../exit.js";
import { createProgress, paint } from "../progress.js";
import { compileOptionsFromFlags, selectionFromFlags, splitList, type ProjectFlags } from "../project.js";
import { formatFailure, formatPlan, formatSummary } from "../run-summary.js";
import { printDiagnostics } from "./print-diagnostics.js";

/** `mlc run` flags (see cli/main.ts); --resume alone is `true`. */
export type RunFlags = ProjectFlags & {
  executor: "sequential" | "parallel" | "distributed";
  maxWorkers?: string;
  queue?: string;
  loadVersions?: string;
  dryRun?: boolean;
  json?: boolean;
  resume?: true | string;
  force?: boolean;
  forceNodes?: string;
  explain?: boolean;
};

/** Runs the pipeline; see the file comment for exit codes. */
export default async function run(opts: RunFlags, args: string[]): Promise<number> {
  const maxWorkers = parseMaxWorkers(opts.maxWorkers);
  const loadVersions = parseLoadVersions(opts.loadVersions);
  let copts = await compileOptionsFromFlags(opts, args[0]);
  let resumed: RunRecord | null = null;
  if (opts.resume !== undefined) {
    if (Object.keys(selectionFromFlags(opts)).length > 0)
      throw new UsageError("--resume reruns the selection of the run it resumes: drop the selection flags");
    resumed = await findResumable(copts.root, opts.resume);
    copts = {
      ...copts,
      env: typeof opts.env === "string" ? opts.env : resumed.env,
      runtimeParams: deepMerge(resumed.runtime_params ?? {}, copts.runtimeParams ?? {}),
    };
    const selection = await resumeTarget(resumed, copts);
    if (!selection) {
      process.stdout.write(`Run ${resumed.run_id} has nothing left to resume.\n`);
      return EXIT.ok;
    }
    copts = { ...copts, selection };
  }
  const { project, diagnostics, ctx } = await compileProject(copts);
  await printDiagnostics(diagnostics, ctx, opts);
  if (!project) return EXIT.invalid;
  checkLoadVersions(project, loadVersions);
  const refusal = partialRunError(
    project,
    copts.selection ?? {},
    commandFlags(project, opts, copts.runtimeParams ?? {}, args[0]),
  );
  if (refusal) {
    process.stderr.write(`${paint(useColor()).red("error")} ${refusal.code} ${refusal.message}\n`);
    return EXIT.invalid;
  }
  const plan = makePlan(project.selected);
  if (opts.dryRun) {
    const skipped = resumed
      ? resumed.nodes
          .filter((n) => n.status === "completed" && !plan.order.includes(n.name))
          .map((n) => ({ name: n.name, reason: `completed in run ${resumed!.run_id}` }))
      : [];
    process.stdout.write(formatPlan(plan, !!opts.json, skipped));
    return EXIT.ok;
  }
  // More workers than nodes can never be used, and the pool starts them all up front: 99999 ran the
  // machine out of memory.
  const cache = { force: !!opts.force, forceNodes: opts.forceNodes ? splitList(opts.forceNodes) : [] };
  for (const n of cache.forceNodes)
    if (!plan.order.includes(n))
      throw new UsageError(`--force-nodes: "${n}" is not a selected node${didYouMean(n, plan.order)}`);
  // The sequential executor's watchdog thread starts while the run is set up when some node will
  // surely run (execute() then handles SIGINT and SIGTERM, as the watchdog is told); otherwise the
  // first node that runs starts it, and a run with every node up to date starts none.
  if ((opts.executor ?? "sequential") === "sequential" && surelyRuns(project, plan, cache)) prestartWatchdog();
  if (opts.explain) {
    const { cacheStatus, formatStatus } = await import("../../cache/status.js");
    process.stdout.write(formatStatus(await cacheStatus(project, plan, cache)));
  }
  const workers = maxWorkers === undefined ? undefined : Math.min(maxWorkers, Math.max(1, plan.order.length));
  return execute(project, plan, opts, {
    maxWorkers: workers,
    loadVersions,
    runtimeParams: copts.runtimeParams ?? {},
    selection: copts.selection ?? {},
    cache,
    resumes: resumed?.run_id,
    file: args[0],
  });
}

type Settings = {
  maxWorkers?: number;
  loadVersions: Record<string, string>;
  runtimeParams: Record<string, unknown>;
  selection: NonNullable<ReturnType<typeof selectionFromFlags>>;
  cache: CacheOptions;
  resumes?: string;
  /** The pipeline file given on the command line, repeated in the resume command. */
  file?: string;
};

async function execute(
  project: CompiledProject,
  plan: ReturnType<typeof makePlan>,
  opts: Record<string, unknown>,
  s: Settings,
): Promise<number> {
  const color = useColor();
  const progress = createProgress(process.stderr, { quiet: !!opts.quiet });
  const ac = new AbortController();
  const detach = onSignals(ac);
  const { runCompiled } = await import("../../executors/run-project.js");
  let record: RunRecord;
  try {
    ({ record } = await runCompiled(
      project,
      plan,
      runOptions(project, opts, s, {
        signal: ac.signal,
        onEvent: (e) => progress.onEvent(e),
        warn: (m) => process.stderr.write(`${paint(color).yellow("warning")}: ${m}\n`),
      }),
    ));
  } catch (err) {
    if (!(err instanceof MlcError)) throw err;
    const frames = (err as { userStack?: unknown }).userStack;
    const shownFrames =
      typeof frames === "string" && frames
        ? frames
            .replace(/^\s*/gm, "  ")
            .split(project.root + sep)
            .join("") + "\n"
        : "";
    process.stderr.write(`${paint(color).red("error")} ${err.code} ${err.message}\n${shownFrames}`);
    return err.code === "MLC2004" ? EXIT.usage : EXIT.invalid; // outputs held by another run: nothing ran
  } finally {
    progress.stop();
    detach();
  }
  if (!opts.quiet) process.stdout.write(formatSummary(record, color) + mlflowLine(record, project.root));
  process.stderr.write(formatFailure(record, project.root, color, project.graph));
  // cli/main.ts leaves as soon as the output is flushed: an abandoned (interrupted or timed-out)
  // node may still hold the event loop.
  return record.status === "success" ? EXIT.ok : record.status === "interrupted" ? EXIT.interrupted : EXIT.invalid;
}

/** Where the run's MLflow mirror is: its UI link, or still queued; "" when the run is not tracked. */
function mlflowLine(record: RunRecord, root: string): string {
  if (record.mlflow) return `MLflow run: ${record.mlflow.url}\n`;
  if (!existsSync(join(root, ".mlc", "outbox", `${record.run_id}.jsonl`))) return "";
  return `MLflow run: queued in .mlc/outbox/ for delivery (background sync or \`mlc mlflow sync\`; \`mlc runs show ${record.run_id}\` shows its link once delivered)\n`;
}

function useColor(): boolean {
  return !!process.stdout.isTTY && !process.env.NO_COLOR && process.env.CI !== "true";
}

/** SIGINT/SIGTERM abort `ac` (a second one exits at once); returns the function removing the handlers. */
function onSignals(ac: AbortController): () => void {
  const onSignal = (sig: NodeJS.Signals) => {
    if (ac.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write(`\n${sig}: stopping (no new node starts; press Ctrl-C again to force)\n`);
    ac.abort(new Error(`interrupted by ${sig}`));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

/** runCompiled's options from the flags (the resume command repeats what commandFlags names). */
function runOptions(
  project: CompiledProject,
  opts: Record<string, unknown>,
  s: Settings,
  io: Pick<RunOptions, "signal" | "onEvent" | "warn">,
): RunOptions {
  const executor = String(opts.executor ?? "sequential");
  return {
    root: project.root,
    selection: s.selection,
    runtimeParams: s.runtimeParams,
    executor,
    maxWorkers: s.maxWorkers,
    queue: typeof opts.queue === "string" ? opts.queue : undefined,
    resumes: s.resumes,
    loadVersions: s.loadVersions,
    cache: s.cache,
    command: commandLine(),
    resumeFlags: commandFlags(project, opts, s.runtimeParams, s.file),
    ...io,
  };
}

/** What a suggested command repeats: the pipeline file given, --catalog, --project, --env, --params, --executor. */
function commandFlags(
  project: CompiledProject,
  opts: Record<string, unknown>,
  runtimeParams: Record<string, unknown>,
  file: string | undefined,
): CommandFlags {
  const defaultEnv = process.env.MLC_ENV || "local";
  return {
    pipeline: file,
    catalog: typeof opts.catalog === "string" ? opts.catalog : undefined,
    project: typeof opts.project === "string" ? opts.project : undefined,
    env: typeof opts.env === "string" ? opts.env : project.env !== defaultEnv ? project.env : undefined,
    params: paramsFlag(runtimeParams),
    executor: String(opts.executor ?? "sequential"),
  };
}

/** What `--resume` runs: the record's suggestion, or null when nothing is left. */
async function resumeTarget(record: RunRecord, copts: CompileOptions): Promise<CompileOptions["selection"] | null> {
  if (record.resume_selection) return record.resume_selection;
  if (record.resume_nodes) return resumeSelection(record.selection, record.resume_nodes);
  return recomputeResume(record, copts);
}

/**
 * The suggestion for a record that has none: a run killed before it could write its end (status
 * still `running`). Over the run's selection, from the nodes it recorded as completed.
 */
async function recomputeResume(record: RunRecord, copts: CompileOptions): Promise<CompileOptions["selection"] | null> {
  if (record.status === "success") return null;
  const { project } = await compileProject({ ...copts, selection: record.selection });
  if (!project) return null;
  const completed = new Set(record.nodes.filter((n) => n.status === "completed").map((n) => n.name));
  const unfinished = new Set(project.selected.nodes.map((n) => n.name).filter((n) => !completed.has(n)));
  return workingSelection(project.graph, record.selection, unfinished)?.selection ?? null;
}

/** The run to resume: RUN_ID (any status), or the newest failed or interrupted one. */
async function findResumable(root: string, id: unknown): Promise<RunRecord> {
  if (typeof id === "string") {
    const rec = readRun(root, id);
    if (rec) return rec;
    if (hasRunFolder(root, id))
      throw new UsageError(`--resume: run "${id}": its run.json is damaged (not a run record)`);
    const ids = (await listRuns(root)).map((r) => r.run_id);
    throw new UsageError(`--resume: no run "${id}"${didYouMean(id, ids)} (see mlc runs ls)`);
  }
  const rec = await latestRun(root, (r) => isResumable(r.status));
  if (!rec) throw new UsageError("--resume: no failed or interrupted run to resume (see mlc runs ls)");
  return rec;
}

function parseMaxWorkers(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--max-workers must be a positive integer (got ${String(v)})`);
  return n;
}

/** `--load-versions ds:ver,ds2:ver2` as a map. */
export function parseLoadVersions(v: unknown): Record<string, string> {
  if (typeof v !== "string") return {};
  const out: Record<string, string> = {};
  for (const pair of splitList(v)) {
    const i = pair.indexOf(":");
    if (i <= 0 || i === pair.length - 1) throw new UsageError(`--load-versions: "${pair}" is not dataset:version`);
    const version = pair.slice(i + 1);
    // A version is one folder name under the dataset's path: never a path that could leave it.
    if (/[/\\]/.test(version) || version === "." || version === "..")
      throw new UsageError(
        `--load-versions: "${version}" is not a version (a version is a folder name like 2026-01-31T12.00.00.000Z)`,
      );
    out[pair.slice(0, i)] = version;
  }
  return out;
}

function checkLoadVersions(project: CompiledProject, pins: Record<string, string>): void {
  const versioned = project.graph.datasets.filter((d) => d.config.versioned).map((d) => d.name);
  for (const name of Object.keys(pins))
    if (!versioned.includes(name))
      throw new UsageError(`--load-versions: "${name}" is not a versioned dataset${didYouMean(name, versioned)}`);
}

/** A nested params object back into `a.b=1,c=x` form (for the printed resume command). */
export function paramsFlag(params: Readonly<Record<string, unknown>>, prefix = ""): string | undefined {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const inner = paramsFlag(v as Record<string, unknown>, `${prefix}${k}.`);
      if (inner) parts.push(inner);
    } else parts.push(`${prefix}${k}=${String(v)}`);
  }
  return parts.length ? parts.join(",") : undefined;
}

function commandLine(): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return ["mlc", ...process.argv.slice(2).map(quote)].join(" ");
}
