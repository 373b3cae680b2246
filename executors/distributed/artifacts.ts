// Artifacts a node logs on a worker (an mlflow.artifact save) are files in the WORKER's checkout,
// which may be on another machine: their bytes travel back with the job's values, and the
// coordinator writes them at the same project-relative path in its own checkout before the log
// calls are replayed, so the run record and MLflow see the same files as under a local executor.
import { promises as fsp } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import type { SinkCall } from "../sink-calls.js";

/** Project-relative path -> bytes of every file logged inside the checkout at `root`. */
export type ArtifactFiles = Record<string, Uint8Array>;

function inside(root: string, path: string): string | null {
  const rel = relative(root, path);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split("\\").join("/") : null;
}

/** On the worker: log calls with paths made project-relative, and the files they name. */
export async function packArtifacts(logs: readonly SinkCall[], root: string) {
  const files: ArtifactFiles = {};
  const calls: SinkCall[] = [];
  for (const call of logs) {
    const rel = call.method === "logArtifact" && typeof call.args[0] === "string" ? inside(root, call.args[0]) : null;
    if (rel === null) {
      calls.push(call);
      continue;
    }
    const path = join(root, rel);
    const st = await fsp.stat(path);
    const names = st.isDirectory() ? (await fsp.readdir(path, { recursive: true })).map(String) : [""];
    for (const name of names) {
      const file = name ? join(path, name) : path;
      if ((await fsp.stat(file)).isFile()) files[inside(root, file)!] = await fsp.readFile(file);
    }
    calls.push({ method: call.method, args: [rel, ...call.args.slice(1)] });
  }
  return { logs: calls, files };
}

/** On the coordinator: writes the files under `root` and resolves the relative paths of the calls. */
export async function unpackArtifacts(
  logs: readonly SinkCall[],
  files: ArtifactFiles | undefined,
  root: string,
): Promise<SinkCall[]> {
  for (const [rel, bytes] of Object.entries(files ?? {})) {
    const dest = resolve(root, rel);
    if (!inside(root, dest)) continue; // a worker never names a file outside the project
    await fsp.mkdir(dirname(dest), { recursive: true });
    await fsp.writeFile(dest, bytes);
  }
  return logs.map((call) =>
    call.method === "logArtifact" && typeof call.args[0] === "string" && !isAbsolute(call.args[0])
      ? { method: call.method, args: [join(root, call.args[0]), ...call.args.slice(1)] }
      : call,
  );
}
