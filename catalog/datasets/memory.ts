// `memory`: holds a value for the run, by reference (no copy), released after its last consumer.
import { MlcError } from "../../compiler/diagnostics.js";
import type { Dataset, DatasetType } from "../dataset.js";

/** A value kept in memory for one run. */
export class MemoryDataset implements Dataset {
  private value: unknown = undefined;
  private has = false;

  constructor(private readonly name: string) {}

  async load(): Promise<unknown> {
    if (!this.has) {
      throw new MlcError("MLC6001", `dataset "${this.name}" (memory) has no data: nothing saved it in this run`, {
        dataset: this.name,
      });
    }
    return this.value;
  }

  async save(data: unknown): Promise<void> {
    this.value = data;
    this.has = true;
  }

  async exists(): Promise<boolean> {
    return this.has;
  }

  async release(): Promise<void> {
    this.value = undefined;
    this.has = false;
  }

  /** Synchronous peek used by the catalog's fast path. */
  get loaded(): boolean {
    return this.has;
  }

  describe(): Record<string, unknown> {
    return { type: "memory" };
  }
}

/** Builds a `memory` dataset. */
export const memoryType: DatasetType = (ctx) => new MemoryDataset(ctx.name);
