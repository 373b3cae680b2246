// `mlc repl`: a Node REPL on the project, as `kedro ipython`: `catalog`, `params`, `pipelines`,
// `run(selection)`, `runPipeline(inputs, selection)` and `importModule(path)` for its TypeScript.
import { start } from "node:repl";
import type { SelectionSpec } from "../../compiler/types.js";
import { openProject } from "../../executors/open-project.js";
import { importUserModule } from "../../modules/load-module.js";
import { EXIT } from "../exit.js";
import { findProjectRoot, type CommonFlags } from "../project.js";

export type ReplFlags = CommonFlags;

export default async function repl(opts: ReplFlags): Promise<number> {
  const root = findProjectRoot(opts.project);
  const project = await openProject(root, { env: opts.env ?? process.env.MLC_ENV ?? "local" });
  const names = Object.keys(project.pipelines).sort().join(", ");
  if (!opts.quiet)
    process.stdout.write(
      `mlc repl: ${root} (env ${project.env})\n` +
        `  catalog.load(name) / catalog.save(name, v), params, pipelines (${names}),\n` +
        `  await run({ nodes: [...] }), await runPipeline(inputs, selection), await importModule("src/x.ts")\n`,
    );
  const server = start({ prompt: "mlc> ", useGlobal: false });
  Object.assign(server.context, {
    project,
    catalog: project.catalog,
    params: project.params,
    pipelines: project.pipelines,
    run: (selection?: SelectionSpec) => project.run(selection),
    runPipeline: project.runPipeline.bind(project),
    importModule: (path: string) => importUserModule(path, root),
  });
  await new Promise<void>((resolve) => server.on("exit", resolve));
  return EXIT.ok;
}
