// The dataset type names mlc ships (SPEC section 3): the compiler checks `type:` against them (MLC3003)
// and catalog/registry.ts maps each to its lazily imported implementation. A module of its own so the
// compiler knows the names without loading the registry and what it imports.

/** The built-in dataset type names, sorted (hints list them in this order). */
export const BUILTIN_TYPES: readonly string[] = Object.freeze([
  "binary",
  "csv",
  "excel",
  "image",
  "json",
  "jsonl",
  "memory",
  "mlflow.artifact",
  "mlflow.metric",
  "mlflow.metrics",
  "parquet",
  "partitioned",
  "plotly",
  "sql.query",
  "sql.table",
  "text",
  "yaml",
]);

/**
 * Kedro's dataset types (kedro-datasets, kedro.io, kedro-mlflow) and the mlc type that does their job,
 * for the hint of a ported catalog. Keys are lowercased, without the `kedro_datasets.` prefix, with
 * Kedro's older `DataSet` spelling folded into `Dataset`.
 */
const KEDRO_TYPES: Readonly<Record<string, string>> = {
  "pandas.csvdataset": "csv",
  "polars.csvdataset": "csv",
  "pandas.parquetdataset": "parquet",
  "polars.parquetdataset": "parquet",
  "polars.eagerpolarsdataset": "parquet",
  "pandas.jsondataset": "json",
  "json.jsondataset": "json",
  "yaml.yamldataset": "yaml",
  "text.textdataset": "text",
  "pickle.pickledataset": "binary",
  "pandas.exceldataset": "excel",
  "polars.exceldataset": "excel",
  "plotly.jsondataset": "plotly",
  "plotly.plotlydataset": "plotly",
  "pillow.imagedataset": "image",
  "matplotlib.matplotlibwriter": "image",
  "matplotlib.matplotlibdataset": "image",
  memorydataset: "memory",
  "io.memorydataset": "memory",
  "kedro.io.memorydataset": "memory",
  "partitions.partitioneddataset": "partitioned",
  partitioneddataset: "partitioned",
  "kedro.io.partitioneddataset": "partitioned",
  "kedro_mlflow.io.artifacts.mlflowartifactdataset": "mlflow.artifact",
  "kedro_mlflow.io.metrics.mlflowmetricdataset": "mlflow.metric",
  "kedro_mlflow.io.metrics.mlflowmetrichistorydataset": "mlflow.metric",
  "kedro_mlflow.io.metrics.mlflowmetricshistorydataset": "mlflow.metrics",
  "kedro_mlflow.io.models.mlflowmodeltrackingdataset": "mlflow.artifact",
};

/** The mlc type for a Kedro dataset type name, or undefined when `type` is not one we know. */
export function kedroEquivalent(type: string): string | undefined {
  const key = type
    .replace(/^kedro_datasets\./, "")
    .replace(/DataSet$/, "Dataset")
    .toLowerCase();
  return KEDRO_TYPES[key];
}
