// `mlc status` and `mlc run --explain`: the decision for every planned node, predicted before
// anything runs. A node whose producer would run is reported with that upstream as its cause
// (it may still come out up to date by early cutoff once the producer's output is known).
import type { CompiledProject } from "../compiler/types.js";
import type { RunPlan } from "../executors/executor.js";
import { NULL_SINK } from "../tracking/sink.js";
import { describeCause, type Cause } from "./decide.js";
import { CacheSession, type CacheOptions } from "./session.js";

export interface StatusRow {
  readonly node: string;
  readonly upToDate: boolean;
  /** True when the node runs only because a node upstream of it runs. */
  readonly upstream: boolean;
  readonly reason: string;
  readonly cause: Cause;
}

/** The predicted decision per planned node, in plan order. */
export async function cacheStatus(
  project: CompiledProject,
  plan: RunPlan,
  opts: CacheOptions = {},
): Promise<StatusRow[]> {
  const { DataCatalog } = await import("../catalog/catalog.js");
  const catalog = new DataCatalog({
    root: project.root,
    datasets: Object.fromEntries(plan.graph.datasets.map((d) => [d.name, d.config])),
    credentials: project.credentials,
    saveVersion: "status",
    loadVersions: {},
    sink: NULL_SINK,
  });
  const session = new CacheSession(project, plan, opts, async () => catalog, "status");
  const byName = new Map(plan.graph.nodes.map((n) => [n.name, n]));
  const rows: StatusRow[] = [];
  for (const name of plan.order) {
    const node = byName.get(name)!;
    const check = await session.check(node);
    session.assume(node, check);
    const c = check.cause;
    rows.push({
      node: name,
      upToDate: c.kind === "up to date",
      upstream: c.kind === "input changed" && c.upstream !== undefined,
      reason: describeCause(c),
      cause: c,
    });
  }
  return rows;
}

/** The table `mlc status` prints, and a totals line. */
export function formatStatus(rows: readonly StatusRow[]): string {
  const width = Math.max(4, ...rows.map((r) => r.node.length));
  const lines = rows.map((r) => `${r.node.padEnd(width)}  ${r.reason}`);
  const stale = rows.filter((r) => !r.upToDate).length;
  const upstream = rows.filter((r) => r.upstream).length;
  const total =
    stale === 0
      ? `All ${rows.length} node${rows.length === 1 ? " is" : "s are"} up to date: nothing would run.`
      : `${stale} of ${rows.length} node${rows.length === 1 ? "" : "s"} would run${upstream ? ` (${upstream} only because of an upstream change)` : ""}.`;
  return [...lines, total].join("\n") + "\n";
}
