// mlc's entry point: parse flags, dispatch to a lazily imported command, map outcomes to exit
// codes (0 ok, 1 invalid/failed, 2 usage/config, 3 internal, 130 interrupted, 141 output cut). Keep this file
// light: `mlc --help` must not load ajv, nunjucks, piscina or the tracking client.
import { Command, CommanderError, Option, type OptionValues } from "@commander-js/extra-typings";
import { readFileSync } from "node:fs";
import { EXIT, UsageError } from "./exit.js";

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

/** A command's handler: its flags as commander parsed them (typed by the command), then the positionals. */
type Handler<O> = (opts: O, args: string[]) => Promise<number>;

function selectionFlags<A extends unknown[], O extends OptionValues>(cmd: Command<A, O>) {
  return cmd
    .option("--pipeline <name>", "named pipeline from pipeline.yml (default __default__)")
    .option("--nodes <list>", "only these nodes (comma-separated)")
    .option("--from-nodes <list>", "these nodes and everything downstream")
    .option("--to-nodes <list>", "these nodes and everything upstream")
    .option("--from-inputs <list>", "consumers of these datasets and everything downstream")
    .option("--to-outputs <list>", "producers of these datasets and everything upstream")
    .option("--tags <list>", "nodes with any of these tags")
    .option("--namespaces <list>", "nodes in these namespaces (exact or child)");
}

/** A repeatable flag's values, in order. */
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function common<A extends unknown[], O extends OptionValues>(cmd: Command<A, O>) {
  return cmd
    .option("--project <dir>", "project folder (default: nearest folder upward with a pipeline.yml)")
    .option("--env <name>", "config environment layered over conf/base (default MLC_ENV or local)")
    .option("--quiet", "print only errors")
    .option("--verbose", "print more detail");
}

// Commander has checked every flag against its declaration below (choices, defaults, missing values)
// before this runs. The declarations type the options (@commander-js/extra-typings), and `.action()`
// accepts a handler only if they fit the flags type it declares (e.g. RunFlags in commands/run.ts).
function action<O extends OptionValues>(load: () => Promise<{ default: Handler<O> }>) {
  return async (...args: [...unknown[], O, Command<unknown[], OptionValues>]) => {
    const cmd = args[args.length - 1] as Command<unknown[], O>;
    const positional = args
      .slice(0, -2)
      .flat()
      .filter((a): a is string => typeof a === "string");
    const opts = { ...cmd.optsWithGlobals() } as O;
    const mod = await load();
    process.exitCode = await mod.default(opts, positional);
  };
}

export function buildProgram(): Command {
  const program = new Command("mlc")
    .description("Declarative YAML-to-graph compiler for ML and data pipelines")
    .version(pkg.version, "-v, --version")
    .showSuggestionAfterError(true)
    .exitOverride();

  common(program.command("validate [file]"))
    .description("report every problem of every file; exit 0 clean, 1 invalid")
    .option("--catalog <file>", "single-file mode: catalog.yml to use with the given pipeline.yml")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json", "github"]).default("text"))
    .action(action(() => import("./commands/validate.js")));

  selectionFlags(common(program.command("compile [file]")))
    .description("write build/graph.json and build/pipeline.mmd")
    .option("--catalog <file>", "single-file mode: catalog.yml to use with the given pipeline.yml")
    .option("--out <dir>", "output folder", "build")
    .option("--check", "exit 1 when the files in --out are stale")
    .addOption(new Option("--stdout <format>", "print instead of writing").choices(["json", "mermaid"]))
    .action(action(() => import("./commands/compile.js")));

  selectionFlags(common(program.command("run [file]")))
    .description("run the pipeline")
    .addOption(
      new Option("--executor <name>", "executor")
        .choices(["sequential", "parallel", "distributed"])
        .default("sequential"),
    )
    .option("--max-workers <n>", "worker threads for the parallel executor")
    .option(
      "--queue <url>",
      "job queue of the distributed executor: redis://HOST:PORT (default MLC_QUEUE_URL, mlc.yml queue:)",
    )
    .option("--params <list>", "override parameters: a.b=1,c=x")
    .option("--load-versions <list>", "pin versioned datasets: ds:version,...")
    .option("--dry-run", "print the plan, run nothing")
    .option("--json", "with --dry-run: print the plan as JSON")
    .option("--resume [runId]", "resume the last failed run (or RUN_ID) from where it stopped")
    .option("--force", "run every selected node, even the up-to-date ones")
    .option("--force-nodes <list>", "run these nodes and everything downstream of them, up to date or not")
    .option("--explain", "print why each node runs or is up to date, then run")
    .action(action(() => import("./commands/run.js")));

  selectionFlags(common(program.command("status")))
    .description("per node: up to date, or why it would run")
    .option("--params <list>", "override parameters: a.b=1,c=x")
    .option("--json", "print JSON")
    .action(action(() => import("./commands/status.js")));

  const cache = program.command("cache").description("the incremental-run cache under .mlc/cache/");
  common(cache.command("gc"))
    .description("drop cache state no current node or run record refers to")
    .action(action(() => import("./commands/cache-gc.js")));

  selectionFlags(common(program.command("ls")))
    .description("list nodes with inputs, outputs and tags")
    .option("--json", "print JSON")
    .action(action(() => import("./commands/ls.js")));

  const catalog = program.command("catalog").description("the data catalog");
  common(catalog.command("ls"))
    .description("datasets with resolved type and path")
    .option("--json", "print JSON")
    .action(action(() => import("./commands/catalog.js")));

  const runs = program.command("runs").description("the local run history");
  common(runs.command("ls"))
    .description("list runs, newest first, or those an MLflow search filter finds")
    .option("--json", "print JSON")
    .option("--filter <expr>", "MLflow search filter, e.g. \"metrics.rmse < 0.7 and params.lr = '0.1'\"")
    .option("--order-by <expr>", 'MLflow order-by term, e.g. "metrics.rmse ASC" (repeatable)', collect)
    .option("--limit <n>", "at most N runs")
    .action(action(() => import("./commands/runs-ls.js")));
  common(runs.command("show <runId>"))
    .description("show one run")
    .option("--json", "print JSON")
    .action(action(() => import("./commands/runs-show.js")));
  common(runs.command("compare <runIds...>"))
    .description("compare runs side by side: params, metrics, dataset versions, nodes")
    .option("--json", "print JSON")
    .action(action(() => import("./commands/runs-compare.js")));

  common(program.command("repl"))
    .description("a Node REPL with the project's catalog, params, pipelines and run()")
    .action(action(() => import("./commands/repl.js")));

  selectionFlags(common(program.command("viz")))
    .description("interactive pipeline view in the browser, or a static HTML file")
    .option("--port <n>", "port to serve on", "4141")
    .option("--host <host>", "host to bind", "127.0.0.1")
    .option("--out <file>", "write a self-contained HTML file instead of serving")
    .option("--include-previews", "embed the first 10 rows of CSV and Parquet datasets in the page")
    .option("--no-open", "do not open the browser")
    .action(action(() => import("./commands/viz.js")));

  program
    .command("new <name>")
    .description("create a new project from a starter")
    .addOption(
      new Option("--starter <starter>", "starter")
        .choices(["movies", "iris", "spaceflights", "blank"])
        .default("blank"),
    )
    .option("--quiet", "print only errors")
    .action(action(() => import("./commands/new.js")));

  common(program.command("worker"))
    .description("run the jobs of distributed runs of this project (stops after its current nodes on SIGTERM)")
    .option("--queue <url>", "job queue: redis://HOST:PORT (default MLC_QUEUE_URL, mlc.yml queue:)")
    .option("--concurrency <n>", "nodes run at once", "1")
    .action(action(() => import("./commands/worker.js")));
  const queue = program.command("queue").description("the job queue of distributed runs");
  common(queue.command("status"))
    .description("workers seen, jobs waiting and active, stalled jobs")
    .option("--queue <url>", "job queue: redis://HOST:PORT (default MLC_QUEUE_URL, mlc.yml queue:)")
    .option("--json", "print JSON")
    .action(action(() => import("./commands/queue-status.js")));

  const mlflow = program.command("mlflow").description("MLflow tracking");
  common(mlflow.command("init"))
    .description("write conf/local/mlflow.yml")
    .option("--force", "overwrite")
    .action(action(() => import("./commands/mlflow-init.js")));
  common(mlflow.command("ui"))
    .description("open the MLflow UI")
    .option("--no-open", "print the URL only")
    .action(action(() => import("./commands/mlflow-ui.js")));
  common(mlflow.command("sync"))
    .description("deliver runs not yet mirrored to MLflow")
    .action(action(() => import("./commands/mlflow-sync.js")));

  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit 0; usage mistakes exit 2 (commander already printed why).
      process.exitCode = err.exitCode === 0 ? 0 : EXIT.usage;
      return;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`mlc: ${err.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    const e = err as Error;
    process.stderr.write(`mlc: internal error: ${e?.message ?? String(err)}\n`);
    if (process.env.MLC_DEBUG) process.stderr.write(`${e?.stack ?? ""}\n`);
    process.exitCode = EXIT.internal;
  }
  // Every command resolves only when its work is done (servers wait for Ctrl-C). Leaving now
  // rather than when the event loop empties: a project's module may hold it forever (a timer
  // started at import, an abandoned timed-out node), and a natural exit also waits for V8's
  // background JIT and GC jobs (20-60 ms after a run of thousands of tiny nodes).
  await flushStdio();
  const code = Number(process.exitCode ?? 0);
  process.exit(outputCut && code === EXIT.ok ? EXIT.outputClosed : code);
}

/**
 * A reader that went away (`mlc ls | head`) ends that output quietly, as for git and ls: the
 * command still finishes its work (a run completes and is recorded), then exits 141 (128 + SIGPIPE,
 * what a shell reports for them) unless it failed on its own. Node ignores SIGPIPE, so without
 * this the write fails with EPIPE and its 'error' event kills mlc with a stack trace.
 */
let outputCut = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") throw err;
    outputCut = true; // the stream is destroyed now: later writes are dropped without an error event
  });
}

/**
 * Resolves once everything written to stdout and stderr so far has been handed to the OS. A write
 * that failed with EPIPE counts as cut output even when its 'error' event is still queued.
 */
function flushStdio(): Promise<void> {
  const flush = (s: NodeJS.WriteStream) => new Promise<void>((res) => void s.write("", () => res()));
  return Promise.all([flush(process.stdout), flush(process.stderr)]).then(() => {
    const failed = (s: NodeJS.WriteStream) => (s.errored as NodeJS.ErrnoException | null)?.code === "EPIPE";
    if (failed(process.stdout) || failed(process.stderr)) outputCut = true;
  });
}

await main(process.argv);
