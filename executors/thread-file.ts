// Worker-thread entries run as prebuilt JS from dist/ (no TypeScript loader per thread start).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** dist/executors/`rel` (e.g. "parallel/worker.js"), also when mlc runs from sources (tests). */
export function threadFile(rel: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const file = import.meta.url.endsWith(".ts") ? join(here, "..", "dist", "executors", rel) : join(here, rel);
  if (!existsSync(file)) throw new Error(`mlc: ${file} is missing; run \`npm run build\``);
  return file;
}
