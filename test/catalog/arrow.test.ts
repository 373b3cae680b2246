// Arrow Tables through the csv and parquet datasets: `load_args: { as: arrow }`, a Table saved
// to either format, and `save_args.schema` pinning column types (checked by reading the written
// parquet back with hyparquet's metadata and with DuckDB).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tableFromArrays, type Table } from "apache-arrow";
import { asyncBufferFromFile, parquetMetadataAsync } from "hyparquet";
import { describe, expect, it } from "vitest";
import { catalog, project, rejection } from "./helpers.js";

const CSV = "city,price,qty,ok\nparis,1.5,2,true\nlyon,2,3,false\nnice,,1,true\n";

async function parquetTypes(path: string): Promise<Record<string, string>> {
  const meta = await parquetMetadataAsync(await asyncBufferFromFile(path));
  return Object.fromEntries(meta.schema.slice(1).map((s) => [s.name, String(s.type)]));
}

describe("Arrow tables in csv and parquet datasets", () => {
  it("csv loads as an Arrow Table with typed columns and nulls when load_args say as: arrow; rows stay the default", async () => {
    const root = project({ "a.csv": CSV });
    const cat = catalog(root, {
      t: { type: "csv", filepath: "a.csv", load_args: { as: "arrow" } },
      rows: { type: "csv", filepath: "a.csv" },
    });
    const t = (await cat.load("t")) as Table;
    expect(t.numRows).toBe(3);
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      "city:Utf8",
      "price:Float64",
      "qty:Int32",
      "ok:Bool",
    ]);
    expect(t.getChild("price")!.toJSON()).toEqual([1.5, 2, null]);
    expect(Array.isArray(await cat.load("rows"))).toBe(true);
  });

  it("an Arrow Table saves to csv and to parquet; save_args.schema keeps whole-number floats DOUBLE", async () => {
    const root = project();
    const table = tableFromArrays({
      city: ["paris", "lyon"],
      price: new Float64Array([2, 3]),
      qty: new Int32Array([1, 2]),
    });
    const cat = catalog(root, {
      c: { type: "csv", filepath: "out/t.csv", save_args: { schema: { price: "float64" } } },
      p: { type: "parquet", filepath: "out/t.parquet" },
      rows: { type: "parquet", filepath: "out/rows.parquet", save_args: { schema: { price: "float64" } } },
      back: { type: "parquet", filepath: "out/t.parquet", load_args: { as: "arrow" } },
    });
    await cat.save("c", table);
    expect(readFileSync(join(root, "out/t.csv"), "utf8")).toBe("city,price,qty\nparis,2,1\nlyon,3,2\n");
    await cat.save("p", table);
    expect(await parquetTypes(join(root, "out/t.parquet"))).toEqual({
      city: "BYTE_ARRAY",
      price: "DOUBLE",
      qty: "INT32",
    });
    // Rows of whole numbers would be INT32 by inference: the pinned type wins.
    await cat.save("rows", [{ city: "paris", price: 2 }]);
    expect(await parquetTypes(join(root, "out/rows.parquet"))).toEqual({ city: "BYTE_ARRAY", price: "DOUBLE" });
    const back = (await cat.load("back")) as Table;
    expect(back.toArray().map((r) => r.toJSON())).toEqual([
      { city: "paris", price: 2, qty: 1 },
      { city: "lyon", price: 3, qty: 2 },
    ]);
  });

  it("a bad as or schema value is a coded error naming the dataset", async () => {
    const root = project({ "a.csv": CSV });
    const cat = catalog(root, {
      bad_as: { type: "csv", filepath: "a.csv", load_args: { as: "pandas" } },
      bad_schema: { type: "parquet", filepath: "b.parquet", save_args: { schema: { price: "money" } } },
    });
    const load = await rejection(cat.load("bad_as"));
    expect(load).toMatchObject({ code: "MLC6001" });
    expect(load.message).toMatch(/bad_as.*load_args.as must be "arrow" or "rows", got "pandas"/);
    const save = await rejection(cat.save("bad_schema", [{ price: 1 }]));
    expect(save).toMatchObject({ code: "MLC6002" });
    expect(save.message).toMatch(/bad_schema.*save_args.schema.price: unknown type "money"/);
  });
});
