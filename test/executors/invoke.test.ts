// The calling convention of SPEC section 2 and the output shape checks (MLC5004), in-process.
import { describe, expect, it } from "vitest";
import { invokeNode, paramValue } from "../../executors/invoke.js";
import { currentNode, nodeSignal } from "../../executors/node-context.js";
import { isInternalFrame, userStack } from "../../executors/stack.js";
import { node } from "./helpers.js";

const params = { lr: 0.1, model: { depth: 3, layers: [8, 16] } };

describe("invokeNode calling convention", () => {
  it("list inputs are positional; params:a.b passes the nested value; parameters the whole map", async () => {
    const n = node("f", ["x", "params:model.depth", "parameters"], ["out"]);
    const seen: unknown[] = [];
    const out = await invokeNode(n, (...args: unknown[]) => (seen.push(...args), "r"), { x: 1 }, params);
    expect(seen).toEqual([1, 3, params]);
    expect(out).toEqual({ out: "r" });
  });

  it("map inputs are one object keyed by argument name", async () => {
    const n = node("f", ["ds_a", "params:lr"], ["o"], { inputMode: "map", inputKeys: ["a", "rate"] });
    const out = await invokeNode(n, ({ a, rate }: { a: number; rate: number }) => a * rate, { ds_a: 10 }, params);
    expect(out).toEqual({ o: 1 });
  });

  it("no inputs: called without arguments; async functions are awaited; list and map outputs", async () => {
    const none = node("f", [], ["o1", "o2"]);
    expect(await invokeNode(none, async (...a: unknown[]) => [a.length, 2], {}, {})).toEqual({ o1: 0, o2: 2 });
    const map = node("g", [], ["ds_x", "ds_y"], { outputMode: "map", outputKeys: ["x", "y"] });
    expect(await invokeNode(map, () => ({ y: 2, x: 1 }), {}, {})).toEqual({ ds_x: 1, ds_y: 2 });
    const nothing = node("h", [], []);
    expect(await invokeNode(nothing, () => "ignored", {}, {})).toEqual({});
  });

  it("a single output may be null but not undefined", async () => {
    expect(await invokeNode(node("f", [], ["o"]), () => null, {}, {})).toEqual({ o: null });
    await expect(invokeNode(node("f", [], ["o"]), () => undefined, {}, {})).rejects.toMatchObject({ code: "MLC5004" });
  });

  it("wrong shapes are MLC5004 naming the node, the expectation and what came back", async () => {
    const list = node("split", [], ["train", "test"]);
    await expect(invokeNode(list, () => "nope", {}, {})).rejects.toMatchObject({
      code: "MLC5004",
      message:
        'node "split" returned the wrong shape: expected an array of 2 values for outputs [train, test], got a string ("nope")',
    });
    const map = node("m", [], ["a", "b"], { outputMode: "map", outputKeys: ["a", "b"] });
    await expect(invokeNode(map, () => [1, 2], {}, {})).rejects.toMatchObject({
      code: "MLC5004",
      message: expect.stringContaining("got an array of 2 values"),
    });
  });

  it("a throw is MLC5001 with the node's name, the message and only user frames", async () => {
    const n = node("boom", [], ["o"]);
    function userCode(): never {
      throw new TypeError("bad input");
    }
    const err = await invokeNode(n, () => userCode(), {}, {}).catch((e) => e);
    expect(err).toMatchObject({ code: "MLC5001", message: 'node "boom" failed: TypeError: bad input' });
    expect(err.userStack).toMatch(/userCode .*invoke\.test\.ts:\d+:\d+/);
    expect(err.userStack).not.toMatch(/executors\/invoke\.ts|node:internal/);
    const thrownString = await invokeNode(
      n,
      () => {
        throw "plain";
      },
      {},
      {},
    ).catch((e) => e);
    expect(thrownString.message).toBe('node "boom" failed: threw a non-Error value: plain');
  });

  it("the node context (attempt, signal) is visible inside the call and gone after", async () => {
    const ac = new AbortController();
    let inside: unknown;
    await invokeNode(
      node("ctx", [], ["o"]),
      async () => {
        await Promise.resolve();
        inside = { node: currentNode()?.node, attempt: currentNode()?.attempt, same: nodeSignal() === ac.signal };
        return 1;
      },
      {},
      {},
      ac.signal,
      3,
    );
    expect(inside).toEqual({ node: "ctx", attempt: 3, same: true });
    expect(currentNode()).toBeUndefined();
    expect(nodeSignal().aborted).toBe(false);
  });
});

describe("helpers", () => {
  it("paramValue walks nested keys and returns undefined for missing ones", () => {
    expect(paramValue("params:model.layers", params)).toEqual([8, 16]);
    expect(paramValue("params:model.nope.deeper", params)).toBeUndefined();
    expect(paramValue("parameters", params)).toBe(params);
  });

  it("stack filtering drops node internals and node_modules", () => {
    expect(isInternalFrame("    at async Promise.all (index 0)")).toBe(true);
    expect(isInternalFrame("    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)")).toBe(
      true,
    );
    expect(isInternalFrame("    at x (/p/node_modules/lodash/index.js:1:1)")).toBe(true);
    expect(userStack("Error: x\n    at f (/p/src/a.ts:1:2)\n    at node:internal/y:1:1")).toBe(
      "    at f (/p/src/a.ts:1:2)",
    );
  });
});
