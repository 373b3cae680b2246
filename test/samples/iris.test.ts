// The iris sample's ML code, tested directly on the shipped CSV.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { splitData, type IrisRow } from "../../samples/iris/src/split.js";
import { evaluateModel, trainModel } from "../../samples/iris/src/model.js";

const CSV = new URL("../../samples/iris/data/01_raw/iris.csv", import.meta.url);
const PARAMS = { learning_rate: 0.5, iterations: 500, l2: 0.001 };

function rows(): IrisRow[] {
  const [header, ...lines] = readFileSync(CSV, "utf8").trim().split("\n");
  expect(header).toBe("sepal_length,sepal_width,petal_length,petal_width,species");
  return lines.map((l) => {
    const [a, b, c, d, species] = l.split(",");
    return { sepal_length: +a, sepal_width: +b, petal_length: +c, petal_width: +d, species };
  });
}

describe("iris sample", () => {
  it("ships Fisher's 150 flowers (R's datasets::iris values)", () => {
    const data = rows();
    expect(data).toHaveLength(150);
    const sum = (k: keyof IrisRow) => Math.round(data.reduce((s, r) => s + Number(r[k]), 0) * 10) / 10;
    expect([sum("sepal_length"), sum("sepal_width"), sum("petal_length"), sum("petal_width")]).toEqual([
      876.5, 458.6, 563.7, 179.9,
    ]);
  });

  it("splits stratified and reproducibly", () => {
    const [train, test] = splitData(rows(), 0.2, 42);
    expect(train).toHaveLength(120);
    expect(test).toHaveLength(30);
    for (const s of ["setosa", "versicolor", "virginica"]) expect(test.filter((r) => r.species === s)).toHaveLength(10);
    expect(splitData(rows(), 0.2, 42)[1]).toEqual(test);
    expect(splitData(rows(), 0.2, 43)[1]).not.toEqual(test);
  });

  it.each([1, 7, 42])("reaches accuracy >= 0.9 on the held-out flowers (random_state %i)", (seed) => {
    const [train, test] = splitData(rows(), 0.2, seed);
    const [accuracy, report] = evaluateModel(trainModel(train, PARAMS), test);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(report).toMatchObject({ test_rows: 30 });
  });
});
