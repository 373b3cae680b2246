// The cache state under .mlc/cache/: per node, the key and parts of its last successful execution
// and the content versions of what it saved (nodes/<digest>.json), plus small memory outputs kept
// so a rerunning consumer of an up-to-date producer gets its value (values/<digest>.bin, v8
// serialised; an Arrow Table in the plain form the parallel executor moves between threads, since
// v8 would load the class instance back as a bare object). Written by overwrite(), not synced: a
// state torn by a crash or a second writer fails to parse, and a node without a readable state runs;
// a kept value is checked against the size and hash its state records when a consumer reads it.
import { existsSync, promises as fsp, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { deserialize, serialize } from "node:v8";
import { MlcError } from "../compiler/diagnostics.js";
import { bytesVersion, cacheDir, digest, overwrite, projectPath, type Memo } from "./hash.js";
import type { KeyParts } from "./key.js";
import type { SinkCall } from "../executors/sink-calls.js";
import { fromWire, toWire } from "../executors/parallel/arrow-wire.js";
import { uncloneable } from "../executors/parallel/transfer.js";

/** Memory values larger than this are not kept: their consumers rerun the producer instead. */
const MAX_KEPT_BYTES = 64 << 20;

export interface NodeState {
  readonly node: string;
  readonly key: string;
  readonly parts: KeyParts;
  /** Output dataset -> content version saved (memory outputs: the key). */
  readonly outputs: Readonly<Record<string, string>>;
  /** Memory (and run-scoped) outputs whose values are kept under values/. */
  readonly kept: readonly string[];
  /** Kept output -> the version (size and hash) of its bytes under values/. */
  readonly values?: Readonly<Record<string, string>>;
  /** Memory outputs not kept, and why (the node reruns whenever it would be up to date). */
  readonly unkept?: Readonly<Record<string, string>>;
  /** What the execution logged, replayed into a run that skips the node. */
  readonly logs: readonly SinkCall[];
  readonly run_id: string;
}

export function nodeStatePath(root: string, node: string): string {
  return join(cacheDir(root), "nodes", `${digest(node)}.json`);
}

export function valuePath(root: string, key: string, dataset: string): string {
  return join(cacheDir(root), "values", `${digest(`${key}\0${dataset}`)}.bin`);
}

/**
 * The last successful execution of `node`, or null. Read synchronously: the file is small, and a
 * no-op run reads one per node, where the thread pool's round trips (open, stat, read, close)
 * cost about ten times the read.
 */
export async function readNodeState(root: string, node: string): Promise<NodeState | null> {
  try {
    const s = JSON.parse(readFileSync(nodeStatePath(root, node), "utf8")) as NodeState;
    return s.node === node ? { ...s, logs: artifactPaths(s.logs ?? [], (p) => resolve(root, p)) } : null;
  } catch {
    return null;
  }
}

/** Records a successful execution; memory values v8 cannot round-trip unchanged or too big are not kept. */
export async function writeNodeState(
  root: string,
  state: Omit<NodeState, "kept" | "unkept" | "values">,
  values: Readonly<Record<string, unknown>>,
): Promise<void> {
  const kept: string[] = [];
  const versions: Record<string, string> = {};
  const unkept: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    const bytes = await keepable(value);
    if (typeof bytes === "string") {
      unkept[name] = bytes;
      continue;
    }
    overwrite(valuePath(root, state.key, name), bytes);
    kept.push(name);
    versions[name] = bytesVersion(bytes);
  }
  const logs = artifactPaths(state.logs, (p) => projectPath(root, p));
  overwrite(
    nodeStatePath(root, state.node),
    JSON.stringify({ ...state, logs, kept, values: versions, ...(Object.keys(unkept).length ? { unkept } : {}) }),
  );
}

/** The bytes that keep `value`, or why it cannot be kept. */
async function keepable(value: unknown): Promise<Buffer | string> {
  const plain = await toWire(value);
  const problem = uncloneable(plain);
  if (problem !== null) return `it holds ${problem}`;
  let bytes: Buffer;
  try {
    bytes = serialize(plain);
  } catch (err) {
    return `v8 cannot serialise it (${(err as Error).message})`;
  }
  if (bytes.length > MAX_KEPT_BYTES)
    return `${Math.ceil(bytes.length / (1 << 20))} MB, over the ${MAX_KEPT_BYTES >> 20} MB kept`;
  return bytes;
}

/**
 * The logged artifact files of a state with `map` applied to their paths: kept project-relative on
 * disk (a moved or copied checkout still re-logs them, and the state holds no machine's paths).
 */
function artifactPaths(logs: readonly SinkCall[], map: (path: string) => string): SinkCall[] {
  return logs.map((c) =>
    c.method === "logArtifact" && typeof c.args[0] === "string"
      ? { ...c, args: [map(c.args[0]), ...c.args.slice(1)] }
      : c,
  );
}

/**
 * A kept memory value, read only when a consumer that runs needs it: a run whose consumers are all
 * up to date never reads (or deserialises) one.
 */
export class KeptValue {
  private value: Promise<unknown> | undefined;
  constructor(
    readonly path: string,
    private readonly version: string | undefined,
    private readonly dataset: string,
    private readonly producer: string,
  ) {}
  read(): Promise<unknown> {
    return (this.value ??= fsp.readFile(this.path).then((bytes) => {
      if (this.version !== undefined && bytesVersion(bytes) !== this.version)
        throw new MlcError(
          "MLC6001",
          `the kept value of "${this.dataset}" is damaged: ${this.path} does not hold the bytes node ` +
            `"${this.producer}" saved (a crash while writing it?); \`mlc run --force-nodes ${this.producer}\` makes it again`,
          { dataset: this.dataset },
        );
      return fromWire(deserialize(bytes));
    }));
  }
}

/** The kept memory outputs of a state, not read yet; null when one is gone. */
export function keptValues(root: string, state: NodeState): Record<string, KeptValue> | null {
  const out: Record<string, KeptValue> = {};
  for (const name of state.kept) {
    const path = valuePath(root, state.key, name);
    if (!existsSync(path)) return null;
    out[name] = new KeptValue(path, state.values?.[name], name, state.node);
  }
  return out;
}

/** Drops state no node of `live` refers to: nodes/ of other names, values/ of old keys, hash memos of gone files. */
export async function collectGarbage(root: string, live: readonly string[]): Promise<{ removed: number }> {
  const dir = cacheDir(root);
  const keepStates = new Set(live.map((n) => `${digest(n)}.json`));
  const keepValues = new Set<string>();
  let removed = 0;
  const rm = async (p: string) => {
    await fsp.rm(p, { force: true });
    removed++;
  };
  for (const f of await fsp.readdir(join(dir, "nodes")).catch(() => [] as string[])) {
    if (!keepStates.has(f)) {
      await rm(join(dir, "nodes", f));
      continue;
    }
    const s = JSON.parse(await fsp.readFile(join(dir, "nodes", f), "utf8").catch(() => "null")) as NodeState | null;
    for (const k of s?.kept ?? []) keepValues.add(valuePath(root, s!.key, k));
  }
  for (const f of await fsp.readdir(join(dir, "values")).catch(() => [] as string[]))
    if (!keepValues.has(join(dir, "values", f))) await rm(join(dir, "values", f));
  for (const f of await fsp.readdir(join(dir, "hashes")).catch(() => [] as string[])) {
    const memo = JSON.parse(await fsp.readFile(join(dir, "hashes", f), "utf8").catch(() => "[]")) as Partial<Memo>;
    const gone = typeof memo[4] !== "string" || !(await fsp.stat(resolve(root, memo[4])).catch(() => null));
    if (gone) await rm(join(dir, "hashes", f));
  }
  return { removed };
}
