// The shared ready-set loop with a scripted in-process runner: order, memory release, retries,
// failure propagation, interrupts, hooks. Executor behaviour end to end is in conformance.test.ts.
import { describe, expect, it } from "vitest";
import { plan } from "../../executors/plan.js";
import { schedule, type NodeOutcome, type NodeRunner, type NodeTask } from "../../executors/scheduler.js";
import { context, graph, node } from "./helpers.js";

type Script = (task: NodeTask) => unknown | Promise<unknown>;

/** Runs `scripts[node]` with the memory inputs; its return value becomes the (single) output. */
function scripted(scripts: Record<string, Script>, slots = 1): NodeRunner & { started: string[] } {
  const started: string[] = [];
  return {
    name: "scripted",
    slots,
    started,
    async run(task): Promise<NodeOutcome> {
      started.push(`${task.node.name}#${task.attempt}`);
      try {
        const value = await (scripts[task.node.name] ?? (() => 1))(task);
        const memoryOutputs = Object.fromEntries(task.memoryOutputNames.map((o) => [o, value]));
        return { ok: true, memoryOutputs, durationMs: 1 };
      } catch (err) {
        return { ok: false, error: { code: "MLC5001", message: (err as Error).message }, durationMs: 1 };
      }
    },
    async close() {},
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("schedule", () => {
  it("runs in plan order (topological, ties by name) and passes memory values along", async () => {
    const g = graph([
      node("d", ["b", "c"], ["out"]),
      node("b", ["a_out"], ["b"]),
      node("c", ["a_out"], ["c"]),
      node("a", [], ["a_out"]),
    ]);
    const p = plan(g);
    expect(p.order).toEqual(["a", "b", "c", "d"]);
    const seen: Record<string, unknown> = {};
    const runner = scripted({
      a: () => 2,
      b: (t) => (t.memoryInputs.a_out as number) * 10,
      c: (t) => (t.memoryInputs.a_out as number) + 1,
      d: (t) => (seen.d = t.memoryInputs),
    });
    const result = await schedule(p, context(g), runner);
    expect(result.status).toBe("success");
    expect(runner.started).toEqual(["a#1", "b#1", "c#1", "d#1"]);
    expect(seen.d).toEqual({ b: 20, c: 3 });
    expect(result.nodes.map((n) => [n.name, n.status, n.attempts])).toEqual([
      ["a", "completed", 1],
      ["b", "completed", 1],
      ["c", "completed", 1],
      ["d", "completed", 1],
    ]);
  });

  it("releases a memory dataset right after its last planned consumer", async () => {
    const g = graph([
      node("a", [], ["x"]),
      node("b", ["x"], ["y"]),
      node("c", ["x", "y"], ["z"]),
      node("d", ["z"], []),
    ]);
    const p = plan(g);
    expect(p.releaseCounts).toEqual({ x: 2, y: 1, z: 1 });
    const log: string[] = [];
    const runner = scripted({
      a: () => log.push("run a"),
      b: () => log.push("run b"),
      c: () => log.push("run c"),
      d: () => log.push("run d"),
    });
    await schedule(p, context(g), runner, { onRelease: (ds) => log.push(`release ${ds}`) });
    expect(log).toEqual(["run a", "run b", "run c", "release x", "release y", "run d", "release z"]);
  });

  it("retries a failing node and records the attempts and node-retry events", async () => {
    const g = graph([node("flaky", [], ["x"], { retries: 2 }), node("next", ["x"], [])]);
    let n = 0;
    const ctx = context(g);
    const result = await schedule(
      plan(g),
      ctx,
      scripted({
        flaky: () => {
          if (++n < 3) throw new Error(`boom ${n}`);
          return n;
        },
      }),
    );
    expect(result.status).toBe("success");
    expect(result.nodes[0]).toMatchObject({ name: "flaky", status: "completed", attempts: 3 });
    expect(
      ctx.events
        .filter((e) => e.type === "node-retry")
        .map((e) => e.type === "node-retry" && [e.attempt, e.error.message]),
    ).toEqual([
      [1, "boom 1"],
      [2, "boom 2"],
    ]);
  });

  it("after a failure starts nothing new, lets running nodes finish, marks dependents not_run", async () => {
    const g = graph([
      node("a", [], ["x"]),
      node("b", [], ["y"]),
      node("c", ["x"], []),
      node("d", ["y"], []),
      node("e", [], []),
    ]);
    const runner = scripted(
      {
        a: async () => {
          throw new Error("a broke");
        },
        b: async () => {
          await sleep(30);
          return 1;
        },
      },
      2,
    );
    const result = await schedule(plan(g), context(g), runner);
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ code: "MLC5001", message: "a broke", node: "a" });
    const status = Object.fromEntries(result.nodes.map((n) => [n.name, n.status]));
    expect(status).toEqual({ a: "failed", b: "completed", c: "not_run", d: "not_run", e: "not_run" });
    expect(runner.started).toEqual(["a#1", "b#1"]);
  });

  it("on abort starts nothing new and ends interrupted", async () => {
    const g = graph([node("a", [], ["x"]), node("b", ["x"], ["y"]), node("c", ["y"], [])]);
    const ac = new AbortController();
    const runner = scripted({
      a: () => 1,
      b: async () => {
        ac.abort();
        await sleep(20);
        return 2;
      },
    });
    const result = await schedule(plan(g), context(g, { signal: ac.signal }), runner);
    expect(result.status).toBe("interrupted");
    expect(runner.started).toEqual(["a#1", "b#1"]);
    expect(result.nodes.map((n) => n.status)).toEqual(["completed", "not_run", "not_run"]);
  });

  it("a memory input without a value in this run is MLC6001 naming the producer", async () => {
    const full = graph([node("a", [], ["x"]), node("b", ["x"], [])]);
    const p = plan(full, { only: ["b"] });
    const result = await schedule(p, context(full), scripted({}));
    expect(result.nodes[0]).toMatchObject({ name: "b", status: "failed", error: { code: "MLC6001" } });
    expect(result.error?.message).toMatch(/memory dataset "x".*producer "a"/);
  });

  it("a runner that throws fails the node instead of the run loop", async () => {
    const g = graph([node("a", [], [])]);
    const runner: NodeRunner = {
      name: "bad",
      slots: 1,
      run: async () => {
        throw new Error("runner bug");
      },
      close: async () => {},
    };
    const result = await schedule(plan(g), context(g), runner);
    expect(result).toMatchObject({ status: "failed", error: { message: "runner bug", node: "a" } });
  });

  it("calls hooks on the main thread in Kedro's order with inputs and outputs", async () => {
    const g = graph([node("a", ["params:k"], ["x"]), node("b", ["x"], ["y"])]);
    const calls: unknown[][] = [];
    const hooks = {
      beforePipelineRun: (info: { nodes: readonly string[] }) => void calls.push(["beforePipelineRun", info.nodes]),
      beforeNodeRun: (n: { name: string }, inputs: unknown) => void calls.push(["beforeNodeRun", n.name, inputs]),
      afterNodeRun: (n: { name: string }, inputs: unknown, outputs: unknown) =>
        void calls.push(["afterNodeRun", n.name, inputs, outputs]),
      afterDatasetSaved: (ds: string, data: unknown, n: string) => void calls.push(["afterDatasetSaved", ds, data, n]),
      afterPipelineRun: (_i: unknown, r: { status: string }) => void calls.push(["afterPipelineRun", r.status]),
    };
    await schedule(plan(g), context(g, { hooks, parameters: { k: 7 } }), scripted({ a: () => "A", b: () => "B" }));
    expect(calls).toEqual([
      ["beforePipelineRun", ["a", "b"]],
      ["beforeNodeRun", "a", { "params:k": 7 }],
      ["afterNodeRun", "a", { "params:k": 7 }, { x: "A" }],
      ["afterDatasetSaved", "x", "A", "a"],
      ["beforeNodeRun", "b", { x: "A" }],
      ["afterNodeRun", "b", { x: "A" }, { y: "B" }],
      ["afterDatasetSaved", "y", "B", "b"],
      ["afterPipelineRun", "success"],
    ]);
  });

  it("onNodeError and onPipelineError get the coded error once the retries are used up", async () => {
    const g = graph([node("a", [], [], { retries: 1 })]);
    const calls: string[] = [];
    const hooks = {
      onNodeError: (n: { name: string }, e: { code: string }) => void calls.push(`node ${n.name} ${e.code}`),
      onPipelineError: (_i: unknown, e: { code: string }) => void calls.push(`pipeline ${e.code}`),
    };
    const result = await schedule(
      plan(g),
      context(g, { hooks }),
      scripted({
        a: () => {
          throw new Error("x");
        },
      }),
    );
    expect(result.nodes[0].attempts).toBe(2);
    expect(calls).toEqual(["node a MLC5001", "pipeline MLC5001"]);
  });

  it("a throwing hook fails the node or the run, never crashes the loop", async () => {
    const g = graph([node("a", [], ["x"]), node("b", ["x"], [])]);
    const boom = () => {
      throw new Error("hook bug");
    };
    const r1 = await schedule(plan(g), context(g, { hooks: { beforeNodeRun: boom } }), scripted({}));
    expect(r1).toMatchObject({ status: "failed", error: { message: "hook bug", node: "a" } });
    expect(r1.nodes.map((n) => n.status)).toEqual(["failed", "not_run"]);
    const runner = scripted({});
    const r2 = await schedule(plan(g), context(g, { hooks: { beforePipelineRun: boom } }), runner);
    expect(r2).toMatchObject({ status: "failed", error: { message: "hook bug" } });
    expect(runner.started).toEqual([]);
    const r3 = await schedule(plan(g), context(g, { hooks: { afterPipelineRun: boom } }), scripted({}));
    expect(r3).toMatchObject({ status: "failed", error: { message: "hook bug" } });
    expect(r3.nodes.map((n) => n.status)).toEqual(["completed", "completed"]);
  });

  it("handles a 10,000-node chain without recursion", async () => {
    const nodes = Array.from({ length: 10_000 }, (_, i) =>
      node(`n${String(i).padStart(5, "0")}`, i ? [`d${i - 1}`] : [], [`d${i}`]),
    );
    const g = graph(nodes);
    const result = await schedule(plan(g), context(g, { onEvent: () => {} }), scripted({}));
    expect(result.status).toBe("success");
    expect(result.nodes).toHaveLength(10_000);
  });

  it("gives the event loop a turn during a long chain of nodes that do no I/O", async () => {
    // Without it, I/O callbacks (a tracking plugin's replies, a signal) wait for the run's end.
    const nodes = Array.from({ length: 10_000 }, (_, i) =>
      node(`n${String(i).padStart(5, "0")}`, i ? [`d${i - 1}`] : [], [`d${i}`]),
    );
    const g = graph(nodes);
    let ended = 0;
    let endedAtTurn: number | null = null;
    setImmediate(() => (endedAtTurn = ended));
    const events = { onEvent: (e: { type: string }) => void (e.type === "node-end" && ended++) };
    const t0 = performance.now();
    const result = await schedule(plan(g), context(g, events), scripted({}));
    expect(result.status).toBe("success");
    expect(performance.now() - t0).toBeGreaterThan(20); // long enough that a turn was due
    expect(endedAtTurn).not.toBeNull();
    expect(endedAtTurn!).toBeLessThan(10_000);
  });
});
