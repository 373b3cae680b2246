// `binary` refuses what would not round-trip: a class instance loses its methods in v8
// serialisation, so saving one is MLC6002 naming the class, unless the class gives toJSON().
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { catalog, project, rejection } from "./helpers.js";

class Model {
  constructor(readonly weights: number[]) {}
  predict(x: number): number {
    return this.weights[0] * x;
  }
}

class Portable extends Model {
  toJSON() {
    return { weights: this.weights };
  }
  static fromJSON(v: { weights: number[] }) {
    return new Portable(v.weights);
  }
}

const entry = { m: { type: "binary", filepath: "data/m.bin" } };

describe("binary and class instances", () => {
  it("refuses an instance anywhere in the value, naming the class and where it sits, and writes nothing", async () => {
    const root = project();
    for (const [value, where] of [
      [new Model([2]), "the value"],
      [{ fitted: { model: new Model([2]) } }, ".fitted.model"],
      [[1, new Map([["k", new Model([1])]])], "[1].get(k)"],
    ] as const) {
      const err = await rejection(catalog(root, entry).save("m", value));
      expect(err.code).toBe("MLC6002");
      expect(err.message).toContain(`${where} is an instance of class Model`);
      expect(err.message).toContain("custom dataset type");
    }
    expect(existsSync(join(root, "data/m.bin"))).toBe(false);
  });

  it("a class with toJSON() is saved as its plain form, which fromJSON() rebuilds", async () => {
    const root = project();
    await catalog(root, entry).save("m", { model: new Portable([3]), at: new Date(0) });
    const back = (await catalog(root, entry).load("m")) as { model: { weights: number[] }; at: Date };
    expect(back.model).toEqual({ weights: [3] });
    expect(back.at).toEqual(new Date(0));
    expect(Portable.fromJSON(back.model).predict(2)).toBe(6);
  });

  it("still keeps what v8 clones faithfully", async () => {
    const root = project();
    const value = {
      a: new Float64Array([1.5]),
      m: new Map([[1, new Set([2n])]]),
      b: Buffer.from("x"),
      e: new RangeError("r"),
    };
    await catalog(root, entry).save("m", value);
    const back = (await catalog(root, entry).load("m")) as typeof value;
    expect(back.a).toEqual(new Float64Array([1.5]));
    expect(back.m.get(1)).toEqual(new Set([2n]));
  });
});
