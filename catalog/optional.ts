// Optional native or heavy packages (DuckDB, pg, better-sqlite3) are imported on first use, so a
// project that never touches a database never loads them; a missing one is MLC3003 naming the
// package to install, as kedro-datasets' extras do.
import { MlcError } from "../compiler/diagnostics.js";

const loaded = new Map<string, Promise<unknown>>();

/** The module `pkg`, imported once; MLC3003 with an install hint when it is not installed. */
export function importOptional<T>(pkg: string, neededBy: string): Promise<T> {
  let p = loaded.get(pkg);
  if (!p) {
    p = import(pkg).catch((err: unknown) => {
      loaded.delete(pkg);
      throw missing(pkg, neededBy, err);
    });
    loaded.set(pkg, p);
  }
  return p as Promise<T>;
}

function missing(pkg: string, neededBy: string, err: unknown): unknown {
  const code = (err as { code?: string })?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return err;
  // A package that is installed but fails to resolve one of its own imports is a broken install, not a missing one.
  if (!String((err as Error).message).includes(`'${pkg}'`)) return err;
  return new MlcError("MLC3003", `${neededBy} needs the npm package "${pkg}", which is not installed`, {
    hint: `install it in the project: npm install ${pkg}`,
  });
}
