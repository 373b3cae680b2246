// Arrow Tables cross worker threads as plain data over their own buffers: the round trip keeps
// every value (nulls, dictionaries, several batches), and transfer moves the buffers (the sender's
// are detached afterwards) instead of copying them.
import { tableFromArrays, tableFromJSON, Table, type Table as ArrowTable } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { fromWire, toWire } from "../../executors/parallel/arrow-wire.js";
import { assertCloneable, toShared, transferables } from "../../executors/parallel/transfer.js";

describe("Arrow wire form", () => {
  it("round-trips nulls, dictionary strings and several batches, and transfer moves the buffers", async () => {
    const one = tableFromJSON([
      { s: "x", n: 1.5, b: true },
      { s: null, n: null, b: false },
      { s: "y", n: 3, b: null },
    ]);
    // Two batches, the second a slice at an offset into the same buffers.
    const batch = one.batches[0];
    const table = new Table(one.schema, [batch.slice(0, 2), batch.slice(2)]);
    const values = new Float64Array(table.batches[0].getChild("n")!.data[0].values.buffer);
    const wire = await toWire(table);
    assertCloneable(wire, "t", "node");
    const moved = structuredClone(wire, { transfer: transferables(wire) });
    expect(values.byteLength).toBe(0);
    const back = (await fromWire(moved)) as ArrowTable;
    expect(back.batches.length).toBe(2);
    expect(back.toArray().map((r) => r.toJSON())).toEqual([
      { s: "x", n: 1.5, b: true },
      { s: null, n: null, b: false },
      { s: "y", n: 3, b: null },
    ]);
    expect(String(back.schema.fields[0].type)).toBe("Dictionary<Int32, Utf8>");
  });

  it("a table read by several nodes is shared once: the rebuilt columns view SharedArrayBuffers", async () => {
    const wire = await toWire(tableFromArrays({ x: new Float64Array([1, 2, 3]) }));
    const shared = structuredClone(toShared(wire));
    const back = (await fromWire(shared)) as ArrowTable;
    expect(back.getChild("x")!.data[0].values.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([...back.getChild("x")!]).toEqual([1, 2, 3]);
  });

  it("values that are not tables pass unchanged", async () => {
    const rows = [{ a: 1 }];
    expect(await toWire(rows)).toBe(rows);
    expect(await fromWire(rows)).toBe(rows);
  });
});
