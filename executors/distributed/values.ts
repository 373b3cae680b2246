// Memory values between machines. A set of values (a node's memory inputs, or what a job returns)
// is serialised with v8 (Arrow Tables first in their plain wire form) and stored under a key of the
// run: in Redis when small or when no scratch is set, else as one file in `distributed.scratch`
// (a shared folder or s3:// prefix). Jobs and events carry only the reference, so nothing large
// sits in BullMQ's job hashes or event stream.
import { promises as fsp } from "node:fs";
import { resolve } from "node:path";
import { deserialize, serialize } from "node:v8";
import type { Redis } from "ioredis";
import { MlcError } from "../../compiler/diagnostics.js";
import type { CompiledProject } from "../../compiler/types.js";
import { datasetFiles } from "../../catalog/storage/files.js";
import { isRemote, joinUrl, storageFor } from "../../catalog/storage/storage.js";
import { mapValues, toWire } from "../parallel/arrow-wire.js";
import { keys } from "./queue.js";

export type ValueRef = { readonly redis: string } | { readonly file: string };

/** A value left behind by a coordinator that died expires after a day. */
const TTL_S = 24 * 3600;
/** Redis refuses strings over 512 MB. */
const REDIS_MAX = 512 * 1024 * 1024;

interface ScratchSettings {
  /** Folder or s3:// prefix shared by the coordinator and the workers. */
  readonly location?: string;
  readonly credentials?: unknown;
  /** Values up to this size go through Redis even with a scratch. */
  readonly inlineMax: number;
}

/** Values up to this size go through Redis when a scratch location is set (mlc.yml may say otherwise). */
const INLINE_MAX = 1024 * 1024;

/** The scratch settings of mlc.yml's `distributed:`, with the credentials entry they name. */
function scratchSettings(project: CompiledProject): ScratchSettings {
  const s = project.distributed;
  return {
    location: s.scratch,
    credentials: s.credentials ? project.credentials[s.credentials] : undefined,
    inlineMax: s.inline_max_bytes ?? INLINE_MAX,
  };
}

/** The values of one run, in Redis and the scratch location. */
export class ValueStore {
  private readonly prefix: string;
  private readonly scratch: ScratchSettings;

  constructor(
    private readonly redis: Redis,
    private readonly project: CompiledProject,
    private readonly queueName: string,
    private readonly runId: string,
  ) {
    this.prefix = keys.data(queueName, runId);
    this.scratch = scratchSettings(project);
  }

  /** The store of another run of the same project and queue (to clear what it left). */
  forRun(runId: string): ValueStore {
    return new ValueStore(this.redis, this.project, this.queueName, runId);
  }

  /** Stores `values` under `name` (unique within the run) and returns where. */
  async put(name: string, values: Readonly<Record<string, unknown>>): Promise<ValueRef> {
    const bytes = serialize(await mapValues(values, toWire));
    const { location } = this.scratch;
    if (location && bytes.length > this.scratch.inlineMax) {
      const file = isRemote(location) ? joinUrl(location, this.runId, `${name}.v8`) : this.local(name);
      await datasetFiles(this.project.root, this.scratch.credentials).writeLocal(file, (p) => fsp.writeFile(p, bytes));
      return { file };
    }
    if (bytes.length > REDIS_MAX)
      throw new MlcError(
        "MLC5005",
        `memory value "${name}" is ${bytes.length} bytes, more than Redis holds; set distributed.scratch in mlc.yml (a shared folder or s3://) or persist it`,
      );
    const key = this.prefix + name;
    await this.redis.set(key, bytes, "EX", TTL_S);
    return { redis: key };
  }

  async get(ref: ValueRef): Promise<Record<string, unknown>> {
    let bytes: Buffer | null;
    if ("redis" in ref) bytes = await this.redis.getBuffer(ref.redis);
    else
      bytes = await datasetFiles(this.project.root, this.scratch.credentials).readLocal(ref.file, (p) =>
        fsp.readFile(p),
      );
    if (!bytes)
      throw new MlcError(
        "MLC7003",
        `memory value ${"redis" in ref ? ref.redis : ref.file} is gone from the queue (Redis restarted?)`,
      );
    return deserialize(bytes) as Record<string, unknown>;
  }

  /** `get`, then the stored copy is deleted (a job's result is read once). */
  async take(ref: ValueRef): Promise<Record<string, unknown>> {
    const values = await this.get(ref);
    if ("redis" in ref) await this.redis.del(ref.redis);
    else if (isRemote(ref.file)) await (await storageFor(ref.file, this.scratch.credentials)).remove([ref.file]);
    else await fsp.rm(ref.file, { force: true });
    return values;
  }

  /** Deletes every value of the run: its keys in Redis and its folder in the scratch. */
  async clear(): Promise<void> {
    const found: string[] = [];
    const stream = this.redis.scanStream({ match: `${this.prefix}*`, count: 1000 });
    for await (const batch of stream as AsyncIterable<string[]>) found.push(...batch);
    if (found.length) await this.redis.del(...found);
    const { location } = this.scratch;
    if (!location) return;
    if (!isRemote(location)) return fsp.rm(this.local(""), { recursive: true, force: true });
    const storage = await storageFor(location, this.scratch.credentials);
    const folder = joinUrl(location, this.runId);
    const names = await storage.list(folder).catch(() => []);
    if (names.length) await storage.remove(names.map((n) => joinUrl(folder, n)));
  }

  private local(name: string): string {
    const folder = resolve(this.project.root, this.scratch.location!, this.runId);
    return name ? resolve(folder, `${name}.v8`) : folder;
  }
}
