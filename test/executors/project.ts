// Copies a test/fixtures/run project into a temp folder with node_modules/mlc-pipelines linked to
// this repository (node code imports the BUILT package: run `npm run build` first).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "..", "..");
const made: string[] = [];

/** A fresh copy of fixture `name`; removed by `cleanupProjects()`. */
export function fixtureProject(name: string): string {
  if (!existsSync(join(REPO, "dist", "index.js")))
    throw new Error("dist/index.js is missing: run `npm run build` before these tests");
  const dir = mkdtempSync(join(tmpdir(), `mlc-run-${name}-`));
  cpSync(join(REPO, "test", "fixtures", "run", name), dir, { recursive: true });
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(REPO, join(dir, "node_modules", "mlc-pipelines"), "dir");
  made.push(dir);
  return dir;
}

export function cleanupProjects(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Parsed JSON file under `root`. */
export function readJson(root: string, rel: string): unknown {
  return JSON.parse(readFileSync(join(root, rel), "utf8"));
}

let runValidator: (((data: unknown) => boolean) & { errors?: unknown }) | null = null;

/** Validates a run record against schema/run.schema.json; returns the Ajv errors (empty when valid). */
export async function runRecordErrors(record: unknown): Promise<unknown[]> {
  if (!runValidator) {
    const { Ajv2020 } = await import("ajv/dist/2020.js");
    const schema = JSON.parse(readFileSync(join(REPO, "schema", "run.schema.json"), "utf8"));
    runValidator = new Ajv2020({ allErrors: true, strict: true, validateFormats: false }).compile(schema);
  }
  return runValidator(record) ? [] : ((runValidator.errors as unknown[]) ?? []);
}
