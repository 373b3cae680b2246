// Run records on disk: ids sort by time, writes are atomic and ordered, listing newest first.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../runs/record.js";
import { runRecord, tempDirs } from "./helpers.js";
import {
  gitCommit,
  latestRun,
  listRuns,
  newRunId,
  readMetricHistory,
  readRun,
  RunWriter,
  runsDir,
  writeRun,
} from "../../runs/store.js";

const tmp = tempDirs("mlc-runs-");

function rec(id: string, status: RunRecord["status"] = "success"): RunRecord {
  return runRecord(id, { status });
}

describe("run store", () => {
  it("makes sortable, unique run ids", () => {
    const a = newRunId(new Date("2026-11-26T03:21:31Z"));
    expect(a).toMatch(/^20261126-032131-[0-9a-f]{6}$/);
    expect(newRunId(new Date("2026-11-26T03:21:32Z")) > a).toBe(true);
    expect(new Set(Array.from({ length: 100 }, () => newRunId())).size).toBe(100);
  });

  it("writes, reads and lists newest first; skips unreadable records", async () => {
    const root = tmp();
    await writeRun(root, rec("20261126-000001-aaaaaa", "failed"));
    await writeRun(root, rec("20261126-000002-bbbbbb"));
    mkdirSync(join(runsDir(root), "20261126-000003-cccccc"));
    writeFileSync(join(runsDir(root), "20261126-000003-cccccc", "run.json"), "{ half");
    expect(readRun(root, "20261126-000002-bbbbbb")?.status).toBe("success");
    expect(readRun(root, "../../etc")).toBeNull();
    expect((await listRuns(root)).map((r) => r.run_id)).toEqual(["20261126-000002-bbbbbb", "20261126-000001-aaaaaa"]);
    expect((await latestRun(root, (r) => r.status === "failed"))?.run_id).toBe("20261126-000001-aaaaaa");
    expect(await listRuns(tmp())).toEqual([]);
    // Two runs in one second: the start time decides, not the random suffix.
    await writeRun(root, { ...rec("20261126-000009-ffffff"), started_at: "2026-11-26T03:00:09.100Z" });
    await writeRun(root, { ...rec("20261126-000009-000000"), started_at: "2026-11-26T03:00:09.900Z" });
    expect((await listRuns(root)).slice(0, 2).map((r) => r.run_id)).toEqual([
      "20261126-000009-000000",
      "20261126-000009-ffffff",
    ]);
  });

  it("listRuns keeps what `keep` accepts, newest first, and skips a run.json that is not a file", async () => {
    const root = tmp();
    await writeRun(root, rec("20261126-000001-aaaaaa"));
    await writeRun(root, { ...rec("20261126-000002-bbbbbb"), started_at: "2026-11-26T03:00:02.000Z" });
    await writeRun(root, { ...rec("20261126-000003-aaaaaa"), started_at: "2026-11-26T03:00:03.000Z" });
    mkdirSync(join(runsDir(root), "20261126-000004-dddddd", "run.json"), { recursive: true });
    mkdirSync(join(runsDir(root), "20261126-000005-eeeeee")); // no run.json yet
    const all = (await listRuns(root)).map((r) => r.run_id);
    expect(all).toEqual(["20261126-000003-aaaaaa", "20261126-000002-bbbbbb", "20261126-000001-aaaaaa"]);
    const kept = (await listRuns(root, (r) => r.run_id.endsWith("a"))).map((r) => r.run_id);
    expect(kept).toEqual(["20261126-000003-aaaaaa", "20261126-000001-aaaaaa"]);
  });

  it("RunWriter coalesces updates, keeps order and leaves no temporary files", async () => {
    const root = tmp();
    const w = new RunWriter(root, 20);
    for (let i = 0; i < 50; i++) w.update({ ...rec("20261126-000001-aaaaaa", "running"), metrics: { i } });
    await w.flush({ ...rec("20261126-000001-aaaaaa", "success"), metrics: { i: 50 } });
    const dir = join(runsDir(root), "20261126-000001-aaaaaa");
    expect(readdirSync(dir)).toEqual(["run.json"]);
    expect(JSON.parse(readFileSync(join(dir, "run.json"), "utf8"))).toMatchObject({
      status: "success",
      metrics: { i: 50 },
    });
    expect(w.error).toBeNull();
  });

  it("appends the metric history to metrics.jsonl as the run goes; a torn last line is skipped", async () => {
    const root = tmp();
    const id = "20261126-000001-aaaaaa";
    let n = 0;
    const w = new RunWriter(root, 0, () => [{ key: "loss", value: n, step: n++, timestamp: 1 }]);
    w.update(rec(id, "running"));
    await w.flush(rec(id, "running"));
    await w.flush(rec(id, "success"));
    expect(readMetricHistory(root, id).map((p) => p.step)).toEqual([0, 1]);
    writeFileSync(
      join(runsDir(root), id, "metrics.jsonl"),
      readFileSync(join(runsDir(root), id, "metrics.jsonl"), "utf8") + '{"key":"lo',
    );
    expect(readMetricHistory(root, id)).toHaveLength(2);
    expect(readMetricHistory(root, "../x")).toEqual([]);
  });

  it("reads the git commit without a subprocess, null outside a repository", () => {
    expect(gitCommit(process.cwd())).toMatch(/^[0-9a-f]{40}$/);
    const root = tmp();
    expect(gitCommit(root)).toBeNull();
    mkdirSync(join(root, ".git", "refs", "heads"), { recursive: true });
    writeFileSync(join(root, ".git", "HEAD"), "ref: refs/heads/main\n");
    writeFileSync(join(root, ".git", "packed-refs"), `# pack-refs\n${"a".repeat(40)} refs/heads/main\n`);
    expect(gitCommit(root)).toBe("a".repeat(40));
  });
});
