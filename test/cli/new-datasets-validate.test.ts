// Issue 19 item 7 at validate: excel, plotly and image are built-in types (the schema and MLC3003 know
// them), Kedro's names for them point at them, and excel's load_args/save_args keys are checked.
import { describe, expect, it } from "vitest";
import { diagnostics, project } from "./hostile.js";

describe("excel, plotly and image at validate", () => {
  it("validate the three types, and name them in the hint of Kedro's type names", () => {
    const ok =
      "raw:\n  type: json\n  filepath: data/raw.json\n" +
      "x:\n  type: excel\n  filepath: data/x.xlsx\n  load_args: { sheet_name: null, header: 0 }\n" +
      "  save_args: { sheet_name: out }\n" +
      "p:\n  type: plotly\n  filepath: data/p.json\n" +
      "i:\n  type: mlflow.artifact\n  dataset: { type: image, filepath: data/i.png }\n";
    const kedro = { "pandas.ExcelDataset": "excel", "plotly.JSONDataset": "plotly", "pillow.ImageDataset": "image" };
    const bad = Object.keys(kedro)
      .map((t, i) => `k${i}:\n  type: ${t}\n  filepath: data/k${i}\n`)
      .join("");
    const { diags } = diagnostics(project({ "conf/base/catalog.yml": ok + bad }));
    expect(diags.filter((d) => d.severity === "error" && !d.message.startsWith('dataset "k'))).toEqual([]);
    Object.values(kedro).forEach((mlcType, i) => {
      const d = diags.find((x) => x.code === "MLC3003" && x.message.startsWith(`dataset "k${i}"`));
      expect(d?.message).toContain(`is mlc's "${mlcType}"`);
    });
  });

  it("an excel key it does not take is MLC2001 at the key, with a suggestion", () => {
    const catalog =
      "raw:\n  type: json\n  filepath: data/raw.json\n" +
      "x:\n  type: excel\n  filepath: data/x.xlsx\n  load_args: { sheetname: a, header: 0 }\n  save_args: { index: false }\n";
    const { code, diags } = diagnostics(project({ "conf/base/catalog.yml": catalog }));
    expect(code).toBe(1);
    expect(diags.filter((d) => d.code === "MLC2001").map((d) => [d.line, d.message])).toEqual([
      [7, 'dataset "x" (excel): unknown load_args key "sheetname" (did you mean "sheet_name"?)'],
      [8, 'dataset "x" (excel): unknown save_args key "index"'],
    ]);
  });
});
