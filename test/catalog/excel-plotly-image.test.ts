// Issue 19 item 7: excel (exceljs), plotly and image datasets through real files in temp projects.
import ExcelJS from "exceljs";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { catalog, project, recordingSink, rejection } from "./helpers.js";

/** A workbook made with exceljs directly: a title row above the header, a formula, rich text, two sheets. */
async function workbook(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const a = wb.addWorksheet("shuttles");
  a.addRow(["id", "engines", "price", "d_check_complete"]);
  a.addRow([1, 2, "$1,715.0", "f"]);
  a.addRow([2, { formula: "B2+1", result: 3 }, { richText: [{ text: "$3," }, { text: "405.0" }] }, "t"]);
  a.addRow([3, null, "$9.0", "t"]);
  const b = wb.addWorksheet("notes");
  b.addRow(["made by hand"]);
  b.addRow(["k", "v"]);
  b.addRow(["x", 1]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe("excel", () => {
  it("loads the first sheet by default as rows keyed by the header row", async () => {
    const root = project({ "data/w.xlsx": await workbook() });
    const rows = await catalog(root, { w: { type: "excel", filepath: "data/w.xlsx" } }).load("w");
    expect(rows).toEqual([
      { id: 1, engines: 2, price: "$1,715.0", d_check_complete: "f" },
      { id: 2, engines: 3, price: "$3,405.0", d_check_complete: "t" },
      { id: 3, engines: null, price: "$9.0", d_check_complete: "t" },
    ]);
  });

  it("takes sheet_name (name or index), header, and several sheets as a map", async () => {
    const root = project({ "data/w.xlsx": await workbook() });
    const load = (load_args: Record<string, unknown>) =>
      catalog(root, { w: { type: "excel", filepath: "data/w.xlsx", load_args } }).load("w");
    expect(await load({ sheet_name: "notes", header: 1 })).toEqual([{ k: "x", v: 1 }]);
    expect(await load({ sheet_name: 1, header: null })).toEqual([
      { 1: "made by hand", 2: null },
      { 1: "k", 2: "v" },
      { 1: "x", 2: 1 },
    ]);
    const all = (await load({ sheet_name: null })) as Record<string, unknown[]>;
    expect(Object.keys(all)).toEqual(["shuttles", "notes"]);
    expect(all.shuttles).toHaveLength(3);
    const some = (await load({ sheet_name: ["notes"], header: 1 })) as Record<string, unknown[]>;
    expect(some).toEqual({ notes: [{ k: "x", v: 1 }] });
    const err = await rejection(load({ sheet_name: "nope" }));
    expect(err.code).toBe("MLC6001");
    expect(err.message).toContain('no sheet "nope" (sheets: "shuttles", "notes")');
  });

  it("saves rows to a named sheet and a map to one sheet per key; exceljs reads them back", async () => {
    const root = project();
    const rows = [
      { a: 1, b: "x" },
      { a: 2, c: true },
    ];
    const one = { type: "excel", filepath: "data/o.xlsx", save_args: { sheet_name: "out" } };
    await catalog(root, { o: one }).save("o", rows);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(readFileSync(join(root, "data/o.xlsx")) as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toEqual(["out"]);
    expect(wb.worksheets[0].getRow(1).values).toEqual([undefined, "a", "b", "c"]);
    expect(await catalog(root, { o: one }).load("o")).toEqual([
      { a: 1, b: "x", c: null },
      { a: 2, b: null, c: true },
    ]);
    const many = { type: "excel", filepath: "data/m.xlsx", load_args: { sheet_name: null } };
    await catalog(root, { m: many }).save("m", { first: rows, second: [{ z: 9 }] });
    expect(await catalog(root, { m: many }).load("m")).toEqual({
      first: [
        { a: 1, b: "x", c: null },
        { a: 2, b: null, c: true },
      ],
      second: [{ z: 9 }],
    });
    const err = await rejection(catalog(root, { o: one }).save("o", "not rows"));
    expect(err.code).toBe("MLC6002");
    expect(err.message).toContain("expects an array of row objects or {sheet name: rows}");
  });
});

describe("plotly", () => {
  const fig = { data: [{ type: "bar", x: ["a", "b"], y: [1, 2] }], layout: { title: { text: "t" } } };

  it("saves a figure as JSON {data, layout} and loads it back", async () => {
    const root = project();
    const cfg = { p: { type: "plotly", filepath: "data/08_reporting/p.json" } };
    await catalog(root, cfg).save("p", fig);
    expect(JSON.parse(readFileSync(join(root, "data/08_reporting/p.json"), "utf8"))).toEqual(fig);
    expect(await catalog(root, cfg).load("p")).toEqual(fig);
  });

  it("refuses what is not a figure, on save and on load", async () => {
    const root = project({ "data/bad.json": '{"layout": {}}' });
    const cfg = { p: { type: "plotly", filepath: "data/p.json" }, bad: { type: "plotly", filepath: "data/bad.json" } };
    const err = await rejection(catalog(root, cfg).save("p", { data: [1] }));
    expect(err.code).toBe("MLC6002");
    expect(err.message).toContain('trace 0 of "data" must be an object, got number');
    const bad = await rejection(catalog(root, cfg).load("bad"));
    expect(bad.code).toBe("MLC6001");
    expect(bad.message).toContain('a Plotly figure needs "data": an array of traces');
  });
});

describe("image", () => {
  // The smallest valid PNG (1x1, transparent).
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "base64",
  );
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>';

  it("keeps PNG bytes and SVG text, and refuses anything else", async () => {
    const root = project();
    const cfg = {
      p: { type: "image", filepath: "data/i.png" },
      s: { type: "image", filepath: "data/i.svg" },
      g: { type: "image", filepath: "data/i.gif" },
    };
    await catalog(root, cfg).save("p", png);
    await catalog(root, cfg).save("s", svg);
    expect(readFileSync(join(root, "data/i.png")).equals(png)).toBe(true);
    expect(await catalog(root, cfg).load("p")).toEqual(png);
    expect(await catalog(root, cfg).load("s")).toBe(svg);
    expect((await rejection(catalog(root, cfg).save("p", "text"))).message).toContain("a .png expects bytes");
    expect((await rejection(catalog(root, cfg).save("p", Buffer.from("GIF89a")))).message).toContain("not a PNG");
    expect((await rejection(catalog(root, cfg).save("s", "<html/>"))).message).toContain("not SVG");
    expect((await rejection(catalog(root, cfg).save("g", png))).message).toContain(
      'must end in .png or .svg, not ".gif"',
    );
  });

  it("wrapped in mlflow.artifact, the saved file is logged as an artifact", async () => {
    const root = project();
    const sink = recordingSink();
    const cfg = {
      chart: { type: "mlflow.artifact", artifact_path: "plots", dataset: { type: "image", filepath: "data/c.png" } },
    };
    await catalog(root, cfg, { sink }).save("chart", png);
    expect(sink.calls).toEqual([["artifact", join(root, "data/c.png"), "plots"]]);
  });
});
