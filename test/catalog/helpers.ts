// Shared helpers for catalog tests: temp projects, a recording sink, error capture.
import { mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect } from "vitest";
import { MlcError } from "../../compiler/diagnostics.js";
import type { DatasetConfig } from "../../compiler/types.js";
import { DataCatalog } from "../../catalog/catalog.js";
import type { RunSink } from "../../tracking/sink.js";

// Every temp project of the importing test file is removed when that file ends.
const made: string[] = [];
afterAll(() => made.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A temp project folder holding `files` (removed after the test file). */
export function project(files: Record<string, string | Uint8Array> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "mlc-cat-"));
  made.push(root);
  for (const [p, data] of Object.entries(files)) {
    mkdirSync(join(root, p, ".."), { recursive: true });
    writeFileSync(join(root, p), data);
  }
  return root;
}

/** A sink recording every call. */
export function recordingSink(): RunSink & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    logMetric: (...a) => void calls.push(["metric", ...a]),
    logParam: (...a) => void calls.push(["param", ...a]),
    setTag: (...a) => void calls.push(["tag", ...a]),
    logArtifact: (...a) => void calls.push(["artifact", ...a]),
  };
}

/** A catalog over `datasets` in `root`. */
export function catalog(
  root: string,
  datasets: Record<string, DatasetConfig>,
  extra: Partial<ConstructorParameters<typeof DataCatalog>[0]> = {},
): DataCatalog {
  return new DataCatalog({
    root,
    datasets,
    credentials: {},
    saveVersion: "2026-01-01T00.00.00.000Z",
    sink: recordingSink(),
    ...extra,
  });
}

/** The MlcError a promise rejects with (fails the test when it resolves or throws something else). */
export async function rejection(p: Promise<unknown>): Promise<MlcError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(MlcError);
    return e as MlcError;
  }
  throw new Error("expected a rejection");
}

/** Every file under `dir` (relative), recursively, including dot files. */
export function allFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, prefix + name + "/");
      else out.push(prefix + name);
    }
  };
  walk(dir, "");
  return out.sort();
}
