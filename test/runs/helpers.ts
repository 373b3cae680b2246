// One run record for the tests that write, read or mirror records by hand.
import type { RunRecord } from "../../runs/record.js";

/** A record of run `id`: a successful `mlc run` of the default pipeline, with `fields` over it. */
export function runRecord(id: string, fields: Partial<RunRecord> = {}): RunRecord {
  return {
    run_id: id,
    status: "success",
    started_at: "2026-11-26T03:00:00.000Z",
    finished_at: null,
    executor: "sequential",
    pipeline: "__default__",
    selection: {},
    params: {},
    graph_hash: "h",
    git_commit: null,
    env: "local",
    command: "mlc run",
    nodes: [],
    metrics: {},
    datasets: [],
    ...fields,
  };
}
