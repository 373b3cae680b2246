// Crashes and overlaps through the real CLI (spawned `node bin/mlc.js`; build first), under both
// executors: a SIGKILLed run reads as interrupted everywhere and resumes; temporary files of cut
// saves are removed (Ctrl-C at once, SIGKILL by the next run); a second run writing the same
// outputs is refused (MLC2004) while the first is live, and goes ahead once the first is dead.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempPathFor } from "../../catalog/atomic.js";
import { REPO } from "../executors/project.js";

const ENV = { ...process.env, CI: "true", NO_COLOR: "1" };
const made: string[] = [];
afterAll(() => made.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const FILES: Record<string, string> = {
  "pipeline.yml": `version: 1
nodes:
  - { name: first, func: ./src/nodes.ts#first, outputs: a, tags: [hold] }
  - { name: hold, func: ./src/nodes.ts#hold, inputs: a, outputs: b, tags: [hold] }
  - { name: make_big, func: ./src/nodes.ts#makeBig, inputs: params:rows, outputs: big, tags: [big] }
  - { name: split, func: ./src/nodes.ts#split, inputs: params:tag, outputs: parts, tags: [parts] }
`,
  "conf/base/catalog.yml": `a: { type: json, filepath: data/a.json }
b: { type: json, filepath: data/b.json }
big: { type: jsonl, filepath: data/big.jsonl }
parts: { type: partitioned, path: data/parts, dataset: json, filename_suffix: .json, overwrite: true }
`,
  "conf/base/parameters.yml": "rows: 400000\ntag: old\n",
  // hold: says so on stderr, then waits (a watcher keeps it alive) until the file "go" exists.
  "src/nodes.ts": `import { existsSync, watch } from "node:fs";
export const first = () => 1;
export async function hold(a: number) {
  process.stderr.write("holding\\n");
  await new Promise<void>((done) => {
    const w = watch(".", () => existsSync("go") && (w.close(), done()));
    if (existsSync("go")) (w.close(), done());
  });
  return a + 1;
}
// 40 partitions, each holding the tag; the 6th is written only once "go" exists.
export const split = (tag: string) =>
  Object.fromEntries(Array.from({ length: 40 }, (_, i) => [\`p\${i}\`, async () => (i === 5 && (await hold(0)), tag)]));
export const makeBig = (rows: number) =>
  Array.from({ length: rows }, (_, i) => ({ id: i, text: "row " + i + " padded with some text" }));
`,
};

function project(): string {
  const root = mkdtempSync(join(tmpdir(), "mlc-crash-"));
  made.push(root);
  for (const [p, text] of Object.entries(FILES)) {
    mkdirSync(join(root, p, ".."), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  mkdirSync(join(root, "data"));
  return root;
}

function mlc(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO, "bin", "mlc.js"), ...args], {
    cwd,
    env: ENV,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A running `mlc run`, with a promise for the first time its stderr holds `text`. */
function start(cwd: string, ...args: string[]) {
  const child = spawn(process.execPath, [join(REPO, "bin", "mlc.js"), "run", ...args], { cwd, env: ENV });
  let stderr = "";
  const waiters: { text: string; done: () => void }[] = [];
  child.stderr!.on("data", (c) => {
    stderr += c;
    for (const w of waiters.filter((x) => stderr.includes(x.text))) w.done();
  });
  const closed = new Promise<number | null>((res) => child.on("close", (code) => res(code)));
  const saw = (text: string) =>
    new Promise<void>((done) => (stderr.includes(text) ? done() : waiters.push({ text, done })));
  return { child, saw, closed, stderr: () => stderr };
}

/** Resolves once a file whose name contains `part` appears in `dir`. */
function appears(dir: string, part: string): Promise<string> {
  return new Promise((res) => {
    const w = watch(dir, (_e, name) => name?.includes(part) && (w.close(), res(name)));
    const now = readdirSync(dir).find((n) => n.includes(part));
    if (now) (w.close(), res(now));
  });
}

const kill = async (c: ChildProcess, closed: Promise<unknown>) => (c.kill("SIGKILL"), await closed);
type Listed = { run_id: string; status: string };
const runsLs = (root: string) => JSON.parse(mlc(root, "runs", "ls", "--json").stdout).runs as Listed[];
const onDisk = (root: string, id: string) =>
  JSON.parse(readFileSync(join(root, ".mlc", "runs", id, "run.json"), "utf8"));

describe.each(["sequential", "parallel"])("under --executor %s", (executor) => {
  it("a SIGKILLed run reads as interrupted (runs ls, runs show, on disk) and `run --resume` finishes it", async () => {
    const root = project();
    const run = start(root, "--tags", "hold", "--executor", executor);
    await run.saw("holding");
    const [live] = runsLs(root);
    expect(live.status).toBe("running"); // a live run is never mistaken for a dead one
    await kill(run.child, run.closed);
    const [dead] = runsLs(root);
    expect(dead).toMatchObject({ run_id: live.run_id, status: "interrupted" });
    expect(onDisk(root, dead.run_id)).toMatchObject({ status: "interrupted", process: { pid: run.child.pid } });
    expect(onDisk(root, dead.run_id).finished_at).not.toBeNull();
    expect(mlc(root, "runs", "show", dead.run_id).stdout).toMatch(/status:\s+interrupted/);
    expect(mlc(root, "viz", "--out", "v.html").code).toBe(0);
    expect(readFileSync(join(root, "v.html"), "utf8")).toContain(`"run_id":"${dead.run_id}","status":"interrupted"`);
    writeFileSync(join(root, "go"), "");
    const resumed = mlc(root, "run", "--resume", "--executor", executor);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(root, "data", "b.json"), "utf8"))).toBe(2);
    expect(runsLs(root).map((r) => r.status)).toEqual(["success", "interrupted"]);
  });

  it("a second run writing the same outputs is refused (MLC2004, exit 2) while the first is live", async () => {
    const root = project();
    const first = start(root, "--tags", "hold", "--executor", executor);
    await first.saw("holding");
    const [holder] = runsLs(root);
    const second = mlc(root, "run", "--executor", executor);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`error MLC2004 run ${holder.run_id} (pid ${first.child.pid},`);
    expect(second.stderr).toMatch(/is writing "a", "b", which this run writes too; wait until it ends.*stop it \(kill/);
    expect(second.stderr).not.toContain("started"); // refused before any node ran
    expect(runsLs(root)).toHaveLength(1); // and without a run record
    // Read-only commands neither claim nor wait.
    const readOnly = [["ls"], ["catalog", "ls"], ["runs", "ls"], ["validate"], ["compile"], ["run", "--dry-run"]];
    for (const args of [...readOnly, ["viz", "--out", "v.html"]]) {
      expect(mlc(root, ...args).code, args.join(" ")).toBe(0);
    }
    // Other outputs are free: a run of make_big alone goes ahead at the same time.
    expect(mlc(root, "run", "--tags", "big", "--executor", executor).code).toBe(0);
    writeFileSync(join(root, "go"), "");
    expect(await first.closed).toBe(0);
    expect(readdirSync(join(root, ".mlc", "locks"))).toEqual([]);
    expect(mlc(root, "run", "--tags", "hold", "--executor", executor).code).toBe(0);
  });

  it("a dead holder's claim lapses: the next run takes the outputs over", async () => {
    const root = project();
    const first = start(root, "--tags", "hold", "--executor", executor);
    await first.saw("holding");
    await kill(first.child, first.closed);
    expect(readdirSync(join(root, ".mlc", "locks"))).toHaveLength(1); // SIGKILL leaves its claim behind
    writeFileSync(join(root, "go"), "");
    const next = mlc(root, "run", "--tags", "hold", "--executor", executor);
    expect(next.code, next.stderr).toBe(0);
    expect(readdirSync(join(root, ".mlc", "locks"))).toEqual([]);
  });

  it("partitioned overwrite: SIGKILL mid-save leaves the old set whole; the next run writes the new one", async () => {
    const root = project();
    writeFileSync(join(root, "go"), "");
    expect(mlc(root, "run", "--tags", "parts", "--executor", executor).code).toBe(0);
    rmSync(join(root, "go"));
    const run = start(root, "--tags", "parts", "--params", "tag=new", "--executor", executor);
    await run.saw("holding");
    await kill(run.child, run.closed);
    const parts = join(root, "data", "parts");
    const tags = () => readdirSync(parts).map((f) => JSON.parse(readFileSync(join(parts, f), "utf8")));
    expect(tags()).toEqual(Array(40).fill("old"));
    expect(readdirSync(join(root, "data")).filter((n) => n !== "parts")).toHaveLength(1); // the cut set, aside
    writeFileSync(join(root, "go"), "");
    expect(mlc(root, "run", "--tags", "parts", "--params", "tag=new", "--executor", executor).code).toBe(0);
    expect(tags()).toEqual(Array(40).fill("new"));
    expect(readdirSync(join(root, "data"))).toEqual(["parts"]);
  });

  it("Ctrl-C during a save removes its temporary file (exit 130)", async () => {
    const root = project();
    const run = start(root, "--tags", "big", "--executor", executor);
    await appears(join(root, "data"), ".big.jsonl.tmp-");
    run.child.kill("SIGINT");
    expect(await run.closed).toBe(130);
    expect(readdirSync(join(root, "data"))).toEqual([]);
  });

  it("the temporary file of a SIGKILLed save is removed by the next run; live and foreign ones stay", async () => {
    const root = project();
    const run = start(root, "--tags", "big", "--executor", executor);
    const temp = await appears(join(root, "data"), ".big.jsonl.tmp-");
    await kill(run.child, run.closed);
    expect(readdirSync(join(root, "data"))).toEqual([temp]);
    const live = tempPathFor(join(root, "data", "b.json")); // this test process: alive
    writeFileSync(live, "in flight");
    writeFileSync(join(root, "data", ".big.jsonl.tmp-notours"), "");
    writeFileSync(join(root, "go"), "");
    expect(mlc(root, "run", "--tags", "hold", "--executor", executor).code).toBe(0);
    const left = readdirSync(join(root, "data")).sort();
    expect(left).toEqual([".b.json" + live.split(".b.json")[1], ".big.jsonl.tmp-notours", "a.json", "b.json"].sort());
    expect(existsSync(join(root, "data", temp))).toBe(false);
  });
});

it("a state folder that cannot take the claim warns and the run goes on, as with its record", () => {
  const root = project();
  mkdirSync(join(root, ".mlc"));
  writeFileSync(join(root, ".mlc", "locks"), "not a folder");
  writeFileSync(join(root, "go"), "");
  const r = mlc(root, "run", "--tags", "hold");
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/warning: could not claim this run's outputs in \.mlc\/locks \((EEXIST|ENOTDIR)\)/);
});
