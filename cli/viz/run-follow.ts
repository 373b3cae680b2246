// The served page's live run overlay: `/api/run` answers with the newest run record as the page
// draws it, read afresh on every poll, so the page follows a run to its very end. Only the few
// newest record folders are read (ids start with the UTC second), not the whole history, and
// dataset sizes are re-read only when the run has moved on.
import { readdirSync } from "node:fs";
import type { GraphIR } from "../../compiler/types.js";
import type { RunRecord } from "../../runs/record.js";
import { readRun, runsDir } from "../../runs/store.js";
import { datasetStats, type DatasetStat } from "./dataset-files.js";
import { toVizRun, type VizRun } from "./page-data.js";

const NEWEST = 4;

/** The newest run record by start time among the newest folders, or null. */
export function newestRun(root: string): RunRecord | null {
  let ids: string[];
  try {
    ids = readdirSync(runsDir(root)).sort().slice(-NEWEST);
  } catch {
    return null;
  }
  let best: RunRecord | null = null;
  for (const id of ids) {
    const r = readRun(root, id);
    if (r && (!best || `${r.started_at}\0${r.run_id}` > `${best.started_at}\0${best.run_id}`)) best = r;
  }
  return best;
}

/** A function giving `/api/run`'s answer: the run overlay and the dataset sizes as that run left them. */
export function followRuns(
  root: string,
  graph: () => GraphIR,
): () => Promise<{ run: VizRun | null; stats: Record<string, DatasetStat> }> {
  let seen = "";
  let stats: Record<string, DatasetStat> = {};
  return async () => {
    const rec = newestRun(root);
    const run = rec ? toVizRun(rec, graph()) : null;
    const key = run ? `${run.run_id}|${run.status}|${Object.keys(run.nodes).length}` : "";
    if (key !== seen) {
      seen = key;
      stats = await datasetStats(graph(), root);
    }
    return { run, stats };
  };
}
