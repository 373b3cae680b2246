// `mlc viz [selection] [--port N] [--host H] [--out FILE.html] [--no-open]`: compiles the project
// and serves the interactive pipeline page (or writes it as one self-contained offline file).
import { spawn, spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";
import { writeFileAtomic } from "../../catalog/atomic.js";
import { compileProject } from "../../compiler/compile.js";
import type { CompileOptions, GraphIR } from "../../compiler/types.js";
import { emitMermaid } from "../../compiler/emit/mermaid.js";
import { latestRun } from "../../runs/store.js";
import { EXIT, UsageError } from "../exit.js";
import { assertReplaceable, writeForFlag } from "../output.js";
import { compileOptionsFromFlags, type CommonFlags, type SelectionFlags } from "../project.js";
import { datasetMedia, datasetPreviews, datasetStats } from "../viz/dataset-files.js";
import { funcSources } from "../viz/func-source.js";
import { buildPageData, redact, secretStrings, type VizData } from "../viz/page-data.js";
import { renderPage } from "../viz/render.js";
import { followRuns } from "../viz/run-follow.js";
import { serveViz } from "../viz/server.js";
import { watchProject } from "../viz/watch.js";
import { printDiagnostics } from "./print-diagnostics.js";

const SELECTION_FLAGS = ["pipeline", "nodes", "fromNodes", "toNodes", "fromInputs", "toOutputs", "tags", "namespaces"];

/** `mlc viz` flags (see cli/main.ts). */
export type VizFlags = CommonFlags &
  SelectionFlags & { port: string; host: string; out?: string; open: boolean; includePreviews?: boolean };

/** Serves (or with --out writes) the viz page; exit 1 when the project does not compile. */
export default async function viz(opts: VizFlags, args: string[]): Promise<number> {
  const copts = await compileOptionsFromFlags(opts, args[0]);
  const port = parsePort(opts.port);
  const compiled = await pageData(copts, opts);
  const first = compiled.data;
  if (!first || !compiled.graph) return EXIT.invalid;
  if (typeof opts.out === "string") {
    const file = resolve(opts.out);
    const page = await renderPage(first, { mode: "file" });
    assertReplaceable("--out", opts.out, file);
    await writeForFlag("--out", opts.out, async (ensureDir) => {
      await ensureDir(dirname(file));
      await writeFileAtomic(file, page);
    });
    if (!opts.quiet)
      process.stdout.write(`wrote ${opts.out} (${first.nodes.length} nodes, ${first.datasets.length} datasets)\n`);
    return EXIT.ok;
  }
  return serve(first, { graph: compiled.graph, secrets: compiled.secrets }, copts, opts, port);
}

interface Compiled {
  readonly data: VizData | null;
  readonly problems: string[];
  readonly graph: GraphIR | null;
  readonly secrets: string[];
}

/** Compiles and shapes the page data; prints diagnostics; data is null on errors (then `problems` says why). */
async function pageData(copts: CompileOptions, opts: Record<string, unknown>): Promise<Compiled> {
  const { project, diagnostics, ctx } = await compileProject(copts);
  await printDiagnostics(diagnostics, ctx, opts);
  const problems = diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => `${d.file || "<project>"}:${d.line}:${d.column} ${d.code} ${d.message}`);
  if (!project) return { data: null, problems, graph: null, secrets: [] };
  const { graph, root } = project;
  const data = buildPageData({
    graph,
    selected: project.selected,
    selectionLabel: selectionLabel(opts),
    parameters: project.parameters,
    run: await latestRun(root),
    codes: await funcSources(graph, root),
    stats: await datasetStats(graph, root),
    previews: opts.includePreviews ? await datasetPreviews(graph, root) : null,
    media: await datasetMedia(graph, root),
    mermaid: emitMermaid(graph),
  });
  const secrets = secretStrings(project.credentials);
  return { data: redact(data, secrets), problems, graph, secrets };
}

function selectionLabel(opts: Record<string, unknown>): string {
  const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
  const parts = SELECTION_FLAGS.filter((f) => typeof opts[f] === "string").map((f) => `--${kebab(f)} ${opts[f]}`);
  return parts.length ? `selection: ${parts.join(" ")}` : "selection";
}

function parsePort(v: unknown): number {
  const n = Number(v ?? 4141);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--port ${String(v)}: expected a port number 0-65535`);
  return n;
}

async function serve(
  first: VizData,
  compiled: { graph: GraphIR; secrets: string[] },
  copts: CompileOptions,
  opts: Record<string, unknown>,
  port: number,
): Promise<number> {
  let data = first;
  let version = 1;
  let { graph, secrets } = compiled;
  const runNow = followRuns(copts.root, () => graph);
  let page: { version: number; html: string } | null = null;
  const host = typeof opts.host === "string" ? opts.host : "127.0.0.1";
  const server = await serveViz(
    {
      page: async () => {
        if (!page || page.version !== version)
          page = { version, html: await renderPage(data, { mode: "served", version }) };
        return page.html;
      },
      data: async () => JSON.stringify(data),
      run: async () => JSON.stringify(redact(await runNow(), secrets)),
      version: () => version,
    },
    host,
    port,
  ).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "EADDRINUSE")
      throw new UsageError(`port ${port} on ${host} is in use (try --port 0 for any free port)`);
    throw err;
  });
  const stopWatching = watchProject(copts.root, async () => {
    // A broken edit keeps the last good graph on screen, with a banner naming the errors.
    const next = await pageData(copts, opts).catch((err: Error): Compiled => ({
      data: null,
      problems: [`mlc: ${err.message}`],
      graph: null,
      secrets: [],
    }));
    data = next.data ?? { ...data, problems: next.problems };
    if (next.graph) ({ graph, secrets } = next);
    version++;
    if (opts.verbose)
      process.stdout.write(
        `mlc viz: ${next.data ? `reloaded (${next.data.nodes.length} nodes)` : "kept the last good graph"}\n`,
      );
  });
  process.stdout.write(`mlc viz: ${first.name} at ${server.url} (Ctrl+C to stop)\n`);
  if (opts.open !== false && process.env.CI !== "true") openBrowser(server.url);
  await new Promise<void>((done) => {
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  stopWatching();
  await server.close();
  return EXIT.ok;
}

/** Best effort: the URL is printed anyway, so a missing opener is not an error. */
function openBrowser(url: string): void {
  const cmd = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  if (process.platform === "linux" && spawnSync("sh", ["-c", "command -v xdg-open"]).status !== 0) return;
  try {
    spawn(cmd, [url], { detached: true, stdio: "ignore" })
      .on("error", () => undefined)
      .unref();
  } catch {
    // no opener: the printed URL is enough
  }
}
