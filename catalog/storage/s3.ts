// `s3://bucket/key` through @aws-sdk/client-s3: downloads stream to a file; uploads stream a file
// in one PUT, or above MLC_S3_MULTIPART_MB (default 256) through lib-storage's multipart Upload,
// which S3 shows only once it is completed: a cut upload never replaces the previous object.
// Requests are retried with exponential backoff a bounded number of times, each stopped after
// MLC_STORAGE_TIMEOUT_MS without a byte. Settings come from the credentials entry, else the standard AWS
// environment variables and shared config files.
import { createReadStream, createWriteStream, promises as fsp } from "node:fs";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { idleTimeoutMs, noAnswer, shownUrl, StorageError, type ObjectStat, type Storage } from "./storage.js";

/** The keys of a credentials entry for S3 (SPEC section 11); all optional. */
interface S3Credentials {
  aws_access_key_id?: string;
  aws_secret_access_key?: string;
  aws_session_token?: string;
  region_name?: string;
  endpoint_url?: string;
  /** Path-style addressing (`endpoint/bucket/key`); default true with an endpoint_url. */
  path_style?: boolean;
}

/** Attempts per request (the first and two retries); the SDK backs off exponentially between them. */
const MAX_ATTEMPTS = 3;
const PART_SIZE = 8 * 1024 * 1024;
const MB = 1024 * 1024;

const QUIET = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

const clients = new Map<string, { client: S3Client; once: S3Client }>();

/**
 * A client per configuration, and its twin without SDK retries for streamed PUTs: a stream read
 * once cannot be sent again, so putFile retries with a fresh stream itself.
 */
function clientFor(raw: unknown): { client: S3Client; once: S3Client } {
  const c = (raw && typeof raw === "object" ? raw : {}) as S3Credentials;
  const key = JSON.stringify([
    c.aws_access_key_id,
    c.aws_session_token,
    c.region_name,
    c.endpoint_url,
    c.path_style,
    idleTimeoutMs(),
  ]);
  let pair = clients.get(key);
  if (!pair) {
    // The SDK warns on stderr, in every mlc command, that its releases of 2027 need Node 22.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    const config = {
      // No region named: the SDK's chain (AWS_REGION, ~/.aws/config); S3-compatible stores ignore it.
      ...(c.region_name ? { region: c.region_name } : c.endpoint_url ? { region: "us-east-1" } : {}),
      ...(c.endpoint_url ? { endpoint: c.endpoint_url } : {}),
      forcePathStyle: c.path_style ?? Boolean(c.endpoint_url),
      ...(c.aws_access_key_id && c.aws_secret_access_key
        ? {
            credentials: {
              accessKeyId: c.aws_access_key_id,
              secretAccessKey: c.aws_secret_access_key,
              ...(c.aws_session_token ? { sessionToken: c.aws_session_token } : {}),
            },
          }
        : {}),
      // CRC checksums on every byte in JavaScript cost more than the transfer on a fast link; S3
      // still checks each part's MD5-based ETag and TCP checks the rest.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      // An idle timeout, not a total one: a 1 GB transfer may take minutes, a stalled one stops
      // after this long without a byte. (The SDK's requestTimeout only warns unless told to throw.)
      requestHandler: { connectionTimeout: 5000, socketTimeout: idleTimeoutMs() },
    } as const;
    pair = {
      client: new S3Client({ ...config, maxAttempts: MAX_ATTEMPTS, retryMode: "standard" }),
      // Without a logger of its own the SDK writes to the console that a streamed PUT cannot be
      // retried; putFile does that itself and reports the failure as MLC6002.
      once: new S3Client({ ...config, maxAttempts: 1, logger: QUIET }),
    };
    clients.set(key, pair);
  }
  return pair;
}

/** Runs `send` up to MAX_ATTEMPTS times while it fails with a network error, a 5xx or throttling. */
async function withRetries<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const e = err as { $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
      const status = e.$metadata?.httpStatusCode;
      const retryable = e.$retryable !== undefined || status === undefined || status >= 500 || status === 429;
      if (!retryable || attempt >= MAX_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}

/** Bucket and key of `s3://bucket/key`. */
export function parseS3Url(url: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(url);
  if (!m) throw new StorageError(`not an s3:// URL: ${url}`, "other");
  return { bucket: m[1], key: m[2] };
}

/** A StorageError an S3 failure maps to, naming the URL (credentials never appear in SDK messages). */
function s3Error(url: string, err: unknown): StorageError {
  const e = err as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  const name = e.name ?? e.code ?? "";
  const at = shownUrl(url);
  if (name === "NoSuchBucket") return new StorageError(`bucket of ${at} does not exist`, "not-found");
  if (name === "NoSuchKey" || name === "NotFound" || status === 404)
    return new StorageError(`object not found: ${at}`, "not-found");
  if (name === "AccessDenied" || name === "InvalidAccessKeyId" || name === "SignatureDoesNotMatch" || status === 403)
    return new StorageError(`access denied to ${at} (${name || "403"}): check the credentials entry`, "denied");
  const net = e.code ?? name;
  if (name === "TimeoutError" && /inactivity/.test(e.message ?? ""))
    return new StorageError(
      `cannot reach the S3 endpoint for ${at} (${noAnswer()}) after ${MAX_ATTEMPTS} attempts`,
      "unreachable",
    );
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EPIPE|Timeout|socket hang up/i.test(`${net} ${e.message}`))
    return new StorageError(
      `cannot reach the S3 endpoint for ${at} (${net || e.message}) after ${MAX_ATTEMPTS} attempts`,
      "unreachable",
    );
  return new StorageError(`${at}: ${name ? `${name}: ` : ""}${e.message ?? String(err)}`, "other");
}

/** The S3 storage configured by one credentials entry (clients are shared per configuration). */
export function s3Storage(credentials: unknown): Storage {
  const { client, once } = clientFor(credentials);
  return {
    async download(url, dest) {
      const { bucket, key } = parseS3Url(url);
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        await pipeline(res.Body as Readable, createWriteStream(dest));
      } catch (err) {
        throw s3Error(url, err);
      }
    },
    async upload(url, file) {
      const { bucket: Bucket, key: Key } = parseS3Url(url);
      const size = (await fsp.stat(file)).size;
      try {
        if (size > Number(process.env.MLC_S3_MULTIPART_MB ?? 256) * MB) {
          const Body = createReadStream(file);
          await new Upload({ client, params: { Bucket, Key, Body }, partSize: PART_SIZE }).done();
        } else {
          const put = () => new PutObjectCommand({ Bucket, Key, Body: createReadStream(file), ContentLength: size });
          await withRetries(() => once.send(put()));
        }
      } catch (err) {
        throw s3Error(url, err);
      }
    },
    async stat(url): Promise<ObjectStat | null> {
      const { bucket, key } = parseS3Url(url);
      try {
        const h = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return {
          size: h.ContentLength ?? 0,
          mtimeMs: h.LastModified?.getTime() ?? 0,
          ...(h.ETag ? { etag: h.ETag.replace(/"/g, "") } : {}),
        };
      } catch (err) {
        const se = s3Error(url, err);
        if (se.kind === "not-found" && !/bucket/.test(se.message)) return null;
        throw se;
      }
    },
    async list(url) {
      const { bucket, key } = parseS3Url(url);
      const prefix = key === "" || key.endsWith("/") ? key : `${key}/`;
      const out: string[] = [];
      try {
        for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix }))
          for (const o of page.Contents ?? []) if (o.Key) out.push(o.Key.slice(prefix.length));
      } catch (err) {
        throw s3Error(url, err);
      }
      return out.sort();
    },
    async copy(from, to) {
      // CopyObject takes objects up to 5 GB, S3's limit for a single-request copy.
      const src = parseS3Url(from);
      const dst = parseS3Url(to);
      const CopySource = `${src.bucket}/${src.key.split("/").map(encodeURIComponent).join("/")}`;
      try {
        await client.send(new CopyObjectCommand({ Bucket: dst.bucket, Key: dst.key, CopySource }));
      } catch (err) {
        throw s3Error(from, err);
      }
    },
    async remove(urls) {
      // One request per bucket and 1,000 keys (the most DeleteObjects takes).
      for (let i = 0; i < urls.length; i += 1000) {
        const batch = urls.slice(i, i + 1000).map(parseS3Url);
        const Bucket = batch[0].bucket;
        try {
          await client.send(
            new DeleteObjectsCommand({ Bucket, Delete: { Objects: batch.map((b) => ({ Key: b.key })), Quiet: true } }),
          );
        } catch (err) {
          throw s3Error(urls[i], err);
        }
      }
    },
  };
}
