// A `running` record whose process is gone reads as interrupted and is fixed up on disk; a live
// process (even one that reuses a dead run's pid) and records without a process are left alone.
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isAlive, selfIdentity } from "../../catalog/process-identity.js";
import type { RunRecord } from "../../runs/record.js";
import { runRecord, tempDirs } from "./helpers.js";
import { listRuns, readRun, runsDir, writeRun } from "../../runs/store.js";

const tmp = tempDirs("mlc-stale-");

function rec(id: string, process?: RunRecord["process"]): RunRecord {
  return runRecord(id, { status: "running", ...(process ? { process } : {}) });
}

/** The pid of a process that has ended (and been reaped). */
function deadPid(): number {
  return spawnSync(process.execPath, ["-e", ""]).pid!;
}

const onDisk = (root: string, id: string) => JSON.parse(readFileSync(join(runsDir(root), id, "run.json"), "utf8"));

describe("stale run records", () => {
  it("while its process lives, a record stays running", async () => {
    const root = tmp();
    await writeRun(root, rec("20261126-000001-aaaaaa", selfIdentity()));
    expect(readRun(root, "20261126-000001-aaaaaa")?.status).toBe("running");
    expect(onDisk(root, "20261126-000001-aaaaaa").status).toBe("running");
  });

  it("a dead process's record reads as interrupted everywhere and is rewritten so", async () => {
    const root = tmp();
    const dead = deadPid();
    await writeRun(root, rec("20261126-000002-bbbbbb", { pid: dead, start: "" }));
    const cut = join(runsDir(root), "20261126-000002-bbbbbb", `.run.json.tmp-${dead}-0-0123abcd`);
    writeFileSync(cut, "{ half");
    const [listed] = await listRuns(root);
    expect(listed).toMatchObject({ status: "interrupted", error: { code: "MLC5003" } });
    expect(listed.finished_at).not.toBeNull();
    expect(onDisk(root, "20261126-000002-bbbbbb")).toMatchObject({ status: "interrupted" });
    expect(readdirSync(join(runsDir(root), "20261126-000002-bbbbbb"))).toEqual(["run.json"]); // cut write's temp gone
  });

  it("a reused pid is not the run: same pid, other start time reads as interrupted (Linux)", async () => {
    const root = tmp();
    const me = selfIdentity();
    expect(me.start).toMatch(/^\d+b[0-9a-f]{8}$/);
    await writeRun(root, rec("20261126-000003-cccccc", { pid: process.ppid, start: "1b00000000" }));
    expect(isAlive({ pid: process.ppid, start: "" })).toBe(true);
    expect(readRun(root, "20261126-000003-cccccc")?.status).toBe("interrupted");
  });

  it("records without a process (older mlc) and finished records are left as they are", async () => {
    const root = tmp();
    await writeRun(root, rec("20261126-000004-dddddd"));
    await writeRun(root, { ...rec("20261126-000005-eeeeee", { pid: deadPid(), start: "" }), status: "success" });
    expect(readRun(root, "20261126-000004-dddddd")?.status).toBe("running");
    expect(readRun(root, "20261126-000005-eeeeee")?.status).toBe("success");
  });
});
