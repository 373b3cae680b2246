// `mlc mlflow sync`: delivers the MLflow mirror of runs still queued in .mlc/outbox/ (server down
// during the run, process killed, or handed over by a run under tracking.delivery: background).
// Idempotent: running it twice creates nothing twice. Exit 0 when everything is delivered (or
// nothing was queued), 1 when something is still pending.
// `--linger SECONDS` is the background deliverer a run starts: after delivering it keeps watching
// the outbox and delivers each run that finishes, until SECONDS pass with nothing new, so runs
// in quick succession do not each pay for starting a process.
import type { MlflowClient } from "../../tracking/mlflow/client.js";
import type { SyncOutcome } from "../../tracking/mlflow/sync.js";
import { compileOptionsFromFlags, type CommonFlags } from "../project.js";
import { EXIT } from "../exit.js";
import { printDiagnostics } from "./print-diagnostics.js";

type Print = (s: string) => void;

/** `mlc mlflow sync` flags (see cli/main.ts). */
export type MlflowSyncFlags = CommonFlags & { linger?: string };

/** Runs `mlc mlflow sync`. */
export default async function mlflowSync(opts: MlflowSyncFlags): Promise<number> {
  const copts = await compileOptionsFromFlags(opts);
  const { loadProjectTracking } = await import("../../tracking/mlflow/project-config.js");
  const { listOutboxes, lockHolder } = await import("../../tracking/mlflow/outbox.js");
  const { listJournals } = await import("../../tracking/mlflow/journal-format.js");
  // Runs under delivery: background kept a journal; the pass makes each an outbox.
  const nothing = () => listOutboxes(copts.root).length === 0 && listJournals(copts.root).length === 0;
  const pt = loadProjectTracking(copts);
  if (pt.hasErrors) {
    await printDiagnostics(pt.diagnostics, pt.ctx, opts);
    return EXIT.usage;
  }
  const linger = opts.linger === undefined ? 0 : Number(opts.linger);
  if (!Number.isFinite(linger) || linger < 0) {
    process.stderr.write(`mlc: --linger takes a number of seconds, not "${String(opts.linger)}"\n`);
    return EXIT.usage;
  }
  const stamp = linger > 0 ? () => `${new Date().toISOString()} ` : () => "";
  const out: Print = (s) => void (!opts.quiet && process.stdout.write(stamp() + s + "\n"));
  const err: Print = (s) => void process.stderr.write(stamp() + s + "\n");
  const pass = await passFor(pt.config.client, copts.root, out, err);
  if (linger > 0) {
    const { lingerLoop } = await import("../../tracking/mlflow/linger.js");
    await lingerLoop(copts.root, pt.config.client, linger * 1000, () => pass(true));
    return EXIT.ok;
  }
  if (nothing()) {
    out("mlflow sync: nothing to deliver");
    return EXIT.ok;
  }
  // A run another sync (the background deliverer) is sending right now: wait for it, then look again.
  const runOf = (f: string) => f.slice(f.lastIndexOf("/") + 1, f.lastIndexOf("."));
  const busy = () => [...listOutboxes(copts.root), ...listJournals(copts.root)].some((f) => lockHolder(copts.root, runOf(f)) === "sync");
  for (const until = Date.now() + 60_000; busy() && Date.now() < until; ) await new Promise((r) => setTimeout(r, 50));
  if (nothing()) {
    out("mlflow sync: nothing left to deliver (the background deliverer sent it)");
    return EXIT.ok;
  }
  const { delivered, pending } = await pass(false);
  out(`mlflow sync: ${delivered} delivered, ${pending} pending`);
  return pending ? EXIT.invalid : EXIT.ok;
}

/** One delivery pass over every queued run, printing what happened; returns the counts. */
async function passFor(configured: import("../../tracking/mlflow/client.js").ClientOptions | null, root: string, out: Print, err: Print) {
  const { MlflowClient, clientOptionsFromEnv, safeUri } = await import("../../tracking/mlflow/client.js");
  const { stillExiting, syncOutboxes } = await import("../../tracking/mlflow/sync.js");
  return async (lingering: boolean): Promise<{ delivered: number; pending: number }> => {
    const clients = new Map<string, MlflowClient | null>();
    const healthy = new Map<string, boolean>();
    // The configured server wins; a run queued for another server goes to the one it was meant for.
    const clientFor = (uri: string) => {
      const key = configured ? "configured" : uri;
      if (!clients.has(key)) {
        const o = configured ?? clientOptionsFromEnv(uri);
        try {
          clients.set(key, o ? new MlflowClient(o) : null);
        } catch {
          clients.set(key, null);
        }
      }
      const c = clients.get(key) ?? null;
      return c && healthy.get(c.url) !== false ? c : null;
    };
    if (configured) healthy.set(safeUri(configured.uri), await new MlflowClient(configured).health(3000));
    // The background deliverer (lingering) serves its configured server only: a run meant for
    // another server waits for that server's deliverer, never goes to this one.
    const only = lingering && configured ? (uri: string) => uri === safeUri(configured.uri) : undefined;
    // The deliverer also lets a run's process leave before it delivers that run (stillExiting).
    const results: SyncOutcome[] = await syncOutboxes(root, clientFor, undefined, only, lingering ? stillExiting : undefined);
    let pending = 0;
    for (const r of results) {
      if (r.status === "delivered") out(`delivered run ${r.runId}${r.result?.mlflow ? ` -> ${r.result.mlflow.url}` : ""}`);
      else if (r.status === "skipped") out(`skipped run ${r.runId}: ${r.reason}`);
      else if (r.status === "busy" && lingering) continue;
      else {
        pending++;
        const why = r.reason?.startsWith("no tracking server") && configured ? `MLflow server ${safeUri(configured.uri)} unreachable` : r.reason;
        err(`mlc: MLC7001 run ${r.runId} still pending: ${why}`);
      }
      for (const rej of r.result?.rejected ?? []) err(`mlc: warning MLC7002 run ${r.runId}: ${rej}`);
    }
    for (const c of clients.values()) c?.close();
    return { delivered: results.filter((r) => r.status === "delivered").length, pending };
  };
}
