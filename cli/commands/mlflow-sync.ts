// `mlc mlflow sync`: delivers the MLflow mirror of runs still queued in .mlc/outbox/ (server down
// during the run, process killed). Idempotent: running it twice creates nothing twice.
// Exit 0 when everything is delivered (or nothing was queued), 1 when something is still pending.
import { compileOptionsFromFlags } from "../project.js";
import { EXIT } from "../exit.js";
import { printDiagnostics } from "./print-diagnostics.js";

/** Runs `mlc mlflow sync`. */
export default async function mlflowSync(opts: Record<string, unknown>): Promise<number> {
  const copts = await compileOptionsFromFlags(opts);
  const { loadProjectTracking } = await import("../../tracking/mlflow/project-config.js");
  const { MlflowClient, clientOptionsFromEnv, safeUri } = await import("../../tracking/mlflow/client.js");
  const { syncOutboxes } = await import("../../tracking/mlflow/sync.js");
  const { listOutboxes } = await import("../../tracking/mlflow/outbox.js");
  const pt = loadProjectTracking(copts);
  if (pt.hasErrors) {
    await printDiagnostics(pt.diagnostics, pt.ctx, opts);
    return EXIT.usage;
  }
  const out = (s: string) => void (!opts.quiet && process.stdout.write(s + "\n"));
  if (listOutboxes(copts.root).length === 0) {
    out("mlflow sync: nothing to deliver");
    return EXIT.ok;
  }
  const clients = new Map<string, InstanceType<typeof MlflowClient> | null>();
  const healthy = new Map<string, boolean>();
  // The configured server wins; a run queued for another server goes to the one it was meant for.
  const clientFor = (uri: string) => {
    const key = pt.config.client ? "configured" : uri;
    if (!clients.has(key)) {
      const o = pt.config.client ?? clientOptionsFromEnv(uri);
      try {
        clients.set(key, o ? new MlflowClient(o) : null);
      } catch {
        clients.set(key, null);
      }
    }
    const c = clients.get(key) ?? null;
    return c && healthy.get(c.url) !== false ? c : null;
  };
  for (const c of [pt.config.client]) if (c) healthy.set(safeUri(c.uri), await new MlflowClient(c).health(3000));
  const results = await syncOutboxes(copts.root, clientFor);
  let pending = 0;
  for (const r of results) {
    if (r.status === "delivered") out(`delivered run ${r.runId}${r.result?.mlflow ? ` -> ${r.result.mlflow.url}` : ""}`);
    else if (r.status === "skipped") out(`skipped run ${r.runId}: ${r.reason}`);
    else {
      pending++;
      const why = r.reason?.startsWith("no tracking server") && pt.config.client ? `MLflow server ${safeUri(pt.config.client.uri)} unreachable` : r.reason;
      process.stderr.write(`mlc: MLC7001 run ${r.runId} still pending: ${why}\n`);
    }
    for (const rej of r.result?.rejected ?? []) process.stderr.write(`mlc: warning MLC7002 run ${r.runId}: ${rej}\n`);
  }
  out(`mlflow sync: ${results.length - pending} delivered, ${pending} pending`);
  return pending ? EXIT.invalid : EXIT.ok;
}
