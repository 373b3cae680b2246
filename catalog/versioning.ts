// Versioned datasets, as Kedro: `<filepath>/<version>/<basename>`, versions are sortable timestamps.
import { promises as fsp } from "node:fs";
import { basename, join } from "node:path";
import { MlcError } from "../compiler/diagnostics.js";
import { urlBasename } from "./storage/staged.js";
import { isRemote, joinUrl, storageFor } from "./storage/storage.js";

/** A Kedro-style sortable save version: `2026-11-26T03.21.31.123Z` (ISO time, ':' -> '.'). */
export function newSaveVersion(date: Date = new Date()): string {
  return date.toISOString().replace(/:/g, ".");
}

/** Datasets that know which version they loaded or saved this run (for run records). */
export interface VersionAware {
  versionUsed(): string | null;
}

/** True when `ds` reports the version it used. */
export function isVersionAware(ds: unknown): ds is VersionAware {
  return typeof (ds as Partial<VersionAware>)?.versionUsed === "function";
}

/** Where a versioned dataset saves this run. */
export function versionedSavePath(base: string, version: string): string {
  if (isRemote(base)) return joinUrl(base, version, urlBasename(base));
  return join(base, version, basename(base));
}

/** Versions present under `base` (folders holding `<basename>`), oldest first. */
export async function listVersions(base: string, credentials?: unknown): Promise<string[]> {
  if (isRemote(base)) {
    const file = urlBasename(base);
    const keys = await (await storageFor(base, credentials)).list(base);
    return keys.flatMap((k) => (k.endsWith(`/${file}`) && k.split("/").length === 2 ? [k.split("/")[0]] : [])).sort();
  }
  let names: string[];
  try {
    names = await fsp.readdir(base);
  } catch {
    return [];
  }
  const file = basename(base);
  const checks = await Promise.all(
    names.map(async (v) => ((await fsp.stat(join(base, v, file)).catch(() => null)) ? v : null)),
  );
  return checks.filter((v): v is string => v !== null).sort();
}

/**
 * The file a versioned dataset loads: the pinned version, else the latest one.
 * Missing versions are MLC6001 naming the dataset and what is available.
 */
export async function versionedLoadPath(
  dataset: string,
  base: string,
  shownBase: string,
  pinned: string | undefined,
  credentials?: unknown,
): Promise<{ path: string; version: string }> {
  const versions = await listVersions(base, credentials);
  if (pinned !== undefined) {
    if (!isSafeVersion(pinned)) {
      throw new MlcError("MLC6001", `dataset "${dataset}": invalid version "${pinned}"`, { dataset, file: shownBase });
    }
    if (!versions.includes(pinned)) {
      const avail = versions.length ? `available: ${versions.join(", ")}` : "no versions exist yet";
      throw new MlcError(
        "MLC6001",
        `dataset "${dataset}": version "${pinned}" not found under ${shownBase} (${avail})`,
        {
          dataset,
          file: shownBase,
        },
      );
    }
    return { path: versionedSavePath(base, pinned), version: pinned };
  }
  const latest = versions[versions.length - 1];
  if (latest === undefined) {
    throw new MlcError("MLC6001", `dataset "${dataset}": no saved version found under ${shownBase}`, {
      dataset,
      file: shownBase,
    });
  }
  return { path: versionedSavePath(base, latest), version: latest };
}

/** A version is one folder name: no separators, not '.' or '..'. */
export function isSafeVersion(v: string): boolean {
  return v.length > 0 && v !== "." && v !== ".." && !/[\\/\0]/.test(v);
}
