// A ported Kedro catalog: every Kedro dataset type name gets the mlc type in its MLC3003 message.
import { describe, expect, it } from "vitest";
import { BUILTIN_TYPES } from "../../compiler/dataset-types.js";
import { diagnostics, project } from "./hostile.js";

const KEDRO: Record<string, string> = {
  "pandas.CSVDataset": "csv",
  "kedro_datasets.pandas.CSVDataset": "csv",
  "pandas.CSVDataSet": "csv",
  "polars.CSVDataset": "csv",
  "pandas.ParquetDataset": "parquet",
  "polars.ParquetDataset": "parquet",
  "polars.EagerPolarsDataset": "parquet",
  "pandas.JSONDataset": "json",
  "json.JSONDataset": "json",
  "yaml.YAMLDataset": "yaml",
  "text.TextDataset": "text",
  "pickle.PickleDataset": "binary",
  MemoryDataset: "memory",
  "kedro.io.MemoryDataset": "memory",
  "partitions.PartitionedDataset": "partitioned",
  PartitionedDataset: "partitioned",
  "kedro_mlflow.io.artifacts.MlflowArtifactDataset": "mlflow.artifact",
  "kedro_mlflow.io.metrics.MlflowMetricDataset": "mlflow.metric",
  "kedro_mlflow.io.metrics.MlflowMetricHistoryDataset": "mlflow.metric",
  "kedro_mlflow.io.metrics.MlflowMetricsHistoryDataset": "mlflow.metrics",
  "kedro_mlflow.io.models.MlflowModelTrackingDataset": "mlflow.artifact",
};

describe("Kedro dataset type names", () => {
  it("each is MLC3003 at its type: naming the mlc type that does its job", () => {
    const names = Object.keys(KEDRO);
    const catalog = names.map((t, i) => `d${i}:\n  type: ${t}\n  filepath: data/d${i}\n`).join("");
    const { code, diags } = diagnostics(
      project({ "conf/base/catalog.yml": `raw:\n  type: json\n  filepath: data/raw.json\n${catalog}` }),
    );
    expect(code).toBe(1);
    names.forEach((t, i) => {
      expect(BUILTIN_TYPES).toContain(KEDRO[t]);
      const d = diags.find((x) => x.code === "MLC3003" && x.message.startsWith(`dataset "d${i}"`));
      expect(d, t).toMatchObject({ file: "conf/base/catalog.yml", line: 3 * i + 5, column: 9 });
      expect(d!.message, t).toContain(`is mlc's "${KEDRO[t]}"`);
    });
  });
});

describe("pandas load_args and save_args", () => {
  it("each unknown key is MLC2001 at the key: pandas names with the mlc way, csv typos with a suggestion", () => {
    const catalog =
      "raw:\n  type: json\n  filepath: data/raw.json\n" +
      "c:\n  type: csv\n  filepath: data/c.csv\n  load_args: { sep: ';', delimiter: ',', fromLine: 2, delimitr: x, header: false }\n" +
      "  save_args: { index: false, header: true }\n" +
      "j:\n  type: json\n  filepath: data/j.json\n  load_args: { orient: records }\n  save_args: { indent: 2 }\n";
    const { code, diags } = diagnostics(project({ "conf/base/catalog.yml": catalog }));
    expect(code).toBe(1);
    const unknown = diags.filter((d) => d.code === "MLC2001").map((d) => [d.line, d.column, d.message, d.hint]);
    expect(unknown).toEqual([
      [7, 16, 'dataset "c" (csv): unknown load_args key "sep"', '"sep" is a pandas argument: use "delimiter"'],
      [7, 55, 'dataset "c" (csv): unknown load_args key "delimitr" (did you mean "delimiter"?)', expect.any(String)],
      [8, 16, 'dataset "c" (csv): unknown save_args key "index"', expect.stringContaining("no index")],
      [12, 16, 'dataset "j" (json): unknown load_args key "orient"', expect.stringContaining("pandas argument")],
    ]);
  });
});
