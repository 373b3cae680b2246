// One run record for the tests that write, read or mirror records by hand, and their temp folders.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { RunRecord } from "../../runs/record.js";

/** A maker of temp folders named `prefix...`, each removed after the test that made it. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  return () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}

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
