// openProject: a project's catalog, parameters and pipelines as objects, for `mlc repl` and for
// tests of pipelines (Kedro's `kedro ipython` session and a runner over an in-memory catalog).
import { resolve as resolvePath } from "node:path";
import { DataCatalog } from "../catalog/catalog.js";
import { newSaveVersion } from "../catalog/versioning.js";
import { compileProject } from "../compiler/compile.js";
import { MlcError, type Diagnostic } from "../compiler/diagnostics.js";
import type { CompiledProject, SelectionSpec } from "../compiler/types.js";
import { loadFunction } from "../modules/load-module.js";
import { NULL_SINK } from "../tracking/sink.js";
import { invokeNode } from "./invoke.js";
import { plan as makePlan } from "./plan.js";
import { runCompiled, type RunOptions, type RunOutcome } from "./run-project.js";

export interface OpenProjectOptions {
  /** Config environment (default "local", as `mlc run`). */
  readonly env?: string;
  /** Parameter overrides, as `--params` gives them. */
  readonly params?: Readonly<Record<string, unknown>>;
}

/** An opened project: what `mlc repl` binds to `catalog`, `params`, `pipelines` and `run`. */
export interface OpenedProject {
  readonly root: string;
  readonly env: string;
  readonly compiled: CompiledProject;
  /** The project's datasets (loads and saves its real files); `describe(name)` never shows credentials. */
  readonly catalog: DataCatalog;
  readonly params: Readonly<Record<string, unknown>>;
  /** Named pipelines: name -> node names (`__default__` included). */
  readonly pipelines: Readonly<Record<string, readonly string[]>>;
  /** Runs the selection as `mlc run` does: run record, hooks, tracking. */
  run(selection?: SelectionSpec, options?: Partial<RunOptions>): Promise<RunOutcome>;
  /**
   * Runs the selected nodes in this thread on in-memory values only: `inputs` gives every dataset
   * the selection reads and does not produce; returns every dataset it produced. No catalog file is
   * read or written and no run is recorded, so a pipeline can be unit-tested.
   */
  runPipeline(inputs: Readonly<Record<string, unknown>>, selection?: SelectionSpec): Promise<Record<string, unknown>>;
}

/** Compiles the project at `dir`; MLC errors of an invalid project are thrown as one MlcError. */
export async function openProject(dir: string, options: OpenProjectOptions = {}): Promise<OpenedProject> {
  const root = resolvePath(dir);
  const env = options.env ?? "local";
  const compileFor = async (selection?: SelectionSpec) => {
    const r = await compileProject({ root, env, runtimeParams: options.params, selection });
    if (!r.project) throw invalid(r.diagnostics);
    return r.project;
  };
  const compiled = await compileFor();
  const catalog = new DataCatalog({
    root,
    datasets: Object.fromEntries(compiled.graph.datasets.map((d) => [d.name, d.config])),
    credentials: compiled.credentials,
    saveVersion: newSaveVersion(),
    sink: NULL_SINK,
  });
  return {
    root,
    env,
    compiled,
    catalog,
    params: compiled.parameters,
    pipelines: compiled.graph.pipelines,
    async run(selection, runOptions = {}) {
      const project = selection ? await compileFor(selection) : compiled;
      const plan = makePlan(project.selected);
      const out = await runCompiled(project, plan, { root, env, runtimeParams: options.params, ...runOptions });
      return { diagnostics: [], ...out };
    },
    async runPipeline(inputs, selection) {
      const project = selection ? await compileFor(selection) : compiled;
      return runInMemory(project, inputs);
    },
  };
}

async function runInMemory(
  project: CompiledProject,
  inputs: Readonly<Record<string, unknown>>,
): Promise<Record<string, unknown>> {
  const plan = makePlan(project.selected);
  const missing = plan.freeInputs.filter((d) => !Object.hasOwn(inputs, d));
  if (missing.length > 0)
    throw new MlcError("MLC6001", `runPipeline: no value given for ${missing.map((d) => `"${d}"`).join(", ")}`, {
      hint: `pass every dataset the selection reads and does not produce: ${plan.freeInputs.join(", ")}`,
    });
  const values = new Map<string, unknown>(Object.entries(inputs));
  const produced: Record<string, unknown> = {};
  const byName = new Map(project.selected.nodes.map((n) => [n.name, n]));
  for (const name of plan.order) {
    const node = byName.get(name)!;
    const fn = await loadFunction(node.func, project.root);
    const args = Object.fromEntries(node.inputs.filter((i) => values.has(i)).map((i) => [i, values.get(i)]));
    const outputs = await invokeNode(node, fn, args, project.parameters);
    for (const [k, v] of Object.entries(outputs)) {
      values.set(k, v);
      produced[k] = v;
    }
  }
  return produced;
}

function invalid(diagnostics: readonly Diagnostic[]): MlcError {
  const errors = diagnostics.filter((d) => d.severity === "error");
  const lines = errors.slice(0, 5).map((d) => `${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`);
  const more = errors.length > 5 ? `\n… and ${errors.length - 5} more (run mlc validate)` : "";
  return new MlcError(errors[0]?.code ?? "MLC1003", `the project does not compile:\n${lines.join("\n")}${more}`);
}
