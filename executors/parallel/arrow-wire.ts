// Arrow Tables between worker threads without copying their buffers. A Table is a class instance
// (structured clone would drop its methods), so it crosses as plain data: its schema as a small
// Arrow IPC message, the layout of every column chunk as numbers, and the chunks' typed arrays in
// one flat list, which transfer.ts then moves (one reader left) or shares (several) like any
// typed array. The receiving worker rebuilds Data objects over the same memory.
import type * as Arrow from "apache-arrow";
import { arrow, isArrowTable } from "../../catalog/datasets/arrow.js";

const TAG = "mlc.arrow";

/** The plain form of a Table: `[TAG]` holds the IPC schema; buffers are referenced by index. */
export interface ArrowWire {
  readonly [TAG]: Uint8Array;
  readonly batches: readonly Layout[];
  readonly buffers: readonly (ArrayBufferView | null)[];
}

/** One Data chunk: offset, length, null count, its 4 buffer indices (-1: none), children, dictionary chunks. */
interface Layout {
  readonly o: number;
  readonly n: number;
  readonly z: number;
  readonly b: readonly number[];
  readonly c: readonly Layout[];
  readonly d?: readonly Layout[];
}

/** True for a value made by toWire. */
export function isArrowWire(v: unknown): v is ArrowWire {
  return v !== null && typeof v === "object" && (v as Record<string, unknown>)[TAG] instanceof Uint8Array;
}

/** `value` as plain data when it is an Arrow Table; anything else unchanged. */
export async function toWire(value: unknown): Promise<unknown> {
  if (!isArrowTable(value)) return value;
  const A = await arrow();
  const buffers: (ArrayBufferView | null)[] = [];
  const layout = (data: Arrow.Data): Layout => {
    const b = (data.buffers as unknown as (ArrayBufferView | undefined)[]).map((buf) =>
      buf && buf.byteLength > 0 ? buffers.push(buf) - 1 : -1,
    );
    const dict = (data as { dictionary?: Arrow.Vector }).dictionary;
    return {
      o: data.offset,
      n: data.length,
      z: data.nullCount,
      b,
      c: data.children.map(layout),
      ...(dict ? { d: dict.data.map(layout) } : {}),
    };
  };
  const batches = value.batches.map((batch) => layout(batch.data));
  const schema = A.tableToIPC(new A.Table(value.schema), "stream");
  return { [TAG]: schema, batches, buffers } satisfies ArrowWire;
}

/** The Table a wire value stands for, over the same buffers; anything else unchanged. */
export async function fromWire(value: unknown): Promise<unknown> {
  if (!isArrowWire(value)) return value;
  const A = await arrow();
  const schema = A.tableFromIPC(value[TAG]).schema;
  const data = (type: Arrow.DataType, l: Layout): Arrow.Data => {
    const bufs = l.b.map((i) => (i < 0 ? undefined : value.buffers[i]));
    const children = l.c.map((c, i) => data(type.children[i].type, c));
    const dictType = (type as { dictionary?: Arrow.DataType }).dictionary;
    const dict = l.d && dictType ? new A.Vector(l.d.map((d) => data(dictType, d))) : undefined;
    return new A.Data(type, l.o, l.n, l.z, bufs as never, children, dict);
  };
  const struct = new A.Struct(schema.fields);
  const batches = value.batches.map((l) => new A.RecordBatch(schema, data(struct, l) as never));
  return new A.Table(schema, batches);
}

/** Every value of `values` passed through `convert`, in a new object. */
export async function mapValues(
  values: Readonly<Record<string, unknown>>,
  convert: (v: unknown) => Promise<unknown>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) out[k] = await convert(v);
  return out;
}
