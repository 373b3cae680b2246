// `mlc mlflow sync`: delivers the MLflow mirror of runs still queued in .mlc/outbox/ (server down
// during the run, process killed, or handed over by a run under tracking.delivery: background).
// Idempotent: running it twice creates nothing twice. Bounded like a run's end
// (MLC_MLFLOW_FINISH_TIMEOUT_MS, 30 s by default). Exit 0 when everything is delivered (or
// nothing was queued), 1 when something is still pending.
import type { MlflowClient } from "../../tracking/mlflow/client.js";
import { compileOptionsFromFlags, type CommonFlags } from "../project.js";
import { EXIT } from "../exit.js";
import { printDiagnostics } from "./print-diagnostics.js";

/** `mlc mlflow sync` flags (see cli/main.ts). */
export type MlflowSyncFlags = CommonFlags;

/** Runs `mlc mlflow sync`. */
export default async function mlflowSync(opts: MlflowSyncFlags): Promise<number> {
  const copts = await compileOptionsFromFlags(opts);
  const { loadProjectTracking } = await import("../mlflow-project.js");
  const { queuedRuns } = await import("../../tracking/mlflow/event-log.js");
  const out = (s: string) => void (!opts.quiet && process.stdout.write(s + "\n"));
  const err = (s: string) => void process.stderr.write(s + "\n");
  const pt = loadProjectTracking(copts);
  if (pt.hasErrors) {
    await printDiagnostics(pt.diagnostics, pt.ctx, opts);
    return EXIT.usage;
  }
  if (queuedRuns(copts.root).length === 0) {
    out("mlflow sync: nothing to deliver");
    return EXIT.ok;
  }
  const { MlflowClient, clientOptionsFromEnv, safeUri } = await import("../../tracking/mlflow/client.js");
  const { syncRuns } = await import("../../tracking/mlflow/sync.js");
  const { bounded, finishBudgetMs } = await import("../../tracking/mlflow/deliver.js");
  const configured = pt.config.client;
  const clients = new Map<string, MlflowClient | null>();
  // The configured server wins; a run queued for another server goes to the one it was meant for.
  const clientFor = (uri: string) => {
    const key = configured ? "configured" : uri;
    if (!clients.has(key)) {
      const o = configured ?? clientOptionsFromEnv(uri);
      clients.set(key, o ? new MlflowClient(o) : null);
    }
    return clients.get(key) ?? null;
  };
  const stop = () => clients.forEach((c) => c?.close());
  const results: Awaited<ReturnType<typeof syncRuns>> = [];
  await bounded(
    syncRuns(copts.root, clientFor).then((r) => void results.push(...r)),
    Date.now() + finishBudgetMs(),
    stop,
  );
  stop();
  for (const r of results) {
    if (r.status === "delivered") out(`delivered run ${r.runId}${r.mlflow ? ` -> ${r.mlflow.url}` : ""}`);
    else if (r.status === "skipped") out(`skipped run ${r.runId}: ${r.reason}`);
    else {
      const noServer = r.reason?.startsWith("no tracking server") && configured;
      err(
        `mlc: MLC7001 run ${r.runId} still pending: ${noServer ? `MLflow server ${safeUri(configured.uri)} unreachable` : r.reason}`,
      );
    }
    for (const rej of r.rejected ?? []) err(`mlc: warning MLC7002 run ${r.runId}: ${rej}`);
  }
  const pending = queuedRuns(copts.root).length;
  const delivered = results.filter((r) => r.status === "delivered").length;
  out(`mlflow sync: ${delivered} delivered, ${pending} pending`);
  return pending ? EXIT.invalid : EXIT.ok;
}
