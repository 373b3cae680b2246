// Optional native or heavy packages (DuckDB, pg, better-sqlite3) are loaded on first use, so a
// project that never touches a database never loads them; a missing one is MLC3003 naming the
// package to install, as kedro-datasets' extras do. All of them are CommonJS: require() loads
// them without the ESM loader's export scan of the CJS source (~60 ms for DuckDB alone).
import { createRequire } from "node:module";
import { MlcError } from "../compiler/diagnostics.js";

const require = createRequire(import.meta.url);

/** The CommonJS package `pkg` (its module.exports); MLC3003 with an install hint when it is not installed. */
export function requireOptional<T>(pkg: string, neededBy: string): T {
  try {
    return require(pkg) as T;
  } catch (err) {
    throw missing(pkg, neededBy, err);
  }
}

function missing(pkg: string, neededBy: string, err: unknown): unknown {
  const code = (err as { code?: string })?.code;
  // A package that is installed but fails to resolve one of its own imports is a broken install, not a missing one.
  if (code !== "MODULE_NOT_FOUND" || !String((err as Error).message).includes(`'${pkg}'`)) return err;
  return new MlcError("MLC3003", `${neededBy} needs the npm package "${pkg}", which is not installed`, {
    hint: `install it in the project: npm install ${pkg}`,
  });
}
