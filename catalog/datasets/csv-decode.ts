// The text of a CSV file, read in chunks and decoded as `load_args.encoding` says (UTF-8 by
// default). Bytes that are not valid in that encoding are an error naming their byte offset, as
// pandas' strict codecs do, instead of silently becoming U+FFFD. A BOM is kept: the reader's
// `bom` option decides.
import { createReadStream } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { ParseError } from "./file.js";

type Decode = (chunk: Buffer, final: boolean) => string;

/** `encoding` as a decoder of chunks; unknown names are a ParseError. */
function decoderFor(name: string): Decode {
  if (isUtf8(name)) return webDecoder("utf-8");
  if (Buffer.isEncoding(name) && !/^(base64|base64url|hex)$/i.test(name)) {
    // Node's own decoders: latin1 is ISO-8859-1 exactly (the WHATWG label means windows-1252).
    const decoder = new StringDecoder(name);
    return (chunk, final) => (final ? decoder.end() : decoder.write(chunk));
  }
  try {
    return webDecoder(name);
  } catch {
    throw new ParseError(`load_args.encoding ${JSON.stringify(name)} is not an encoding Node.js knows`);
  }
}

/** A strict WHATWG decoder (utf-8, windows-1252, shift_jis, ...): invalid bytes throw a TypeError. */
function webDecoder(label: string): Decode {
  const decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true });
  return (chunk, final) => decoder.decode(chunk, { stream: !final });
}

/** utf-8-sig is pandas' name for UTF-8 with a BOM (stripped by `bom`, the default). */
const isUtf8 = (name: string) => /^utf-?8(-?sig)?$/i.test(name.replace(/_/g, "-"));

/** Decoded chunks of the file at `path`. */
export async function* decodedChunks(path: string, encoding: unknown, chunkSize: number): AsyncGenerator<string> {
  const name = typeof encoding === "string" ? encoding : "utf8";
  const decode = decoderFor(name);
  const utf8 = isUtf8(name);
  let offset = 0;
  let prev: Buffer | null = null;
  for await (const chunk of createReadStream(path, { highWaterMark: chunkSize }) as AsyncIterable<Buffer>) {
    yield decodeOrThrow(decode, chunk, false, { prev, offset, utf8, encoding: name });
    prev = chunk;
    offset += chunk.length;
  }
  const tail = decodeOrThrow(decode, Buffer.alloc(0), true, { prev, offset, utf8, encoding: name });
  if (tail) yield tail;
}

interface Where {
  prev: Buffer | null;
  offset: number;
  utf8: boolean;
  encoding: string;
}

function decodeOrThrow(decode: Decode, chunk: Buffer, final: boolean, at: Where): string {
  try {
    return decode(chunk, final);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    if (!at.utf8) {
      const from = at.offset - (at.prev?.length ?? 0);
      throw new ParseError(`bytes ${from}-${at.offset + chunk.length} are not valid ${at.encoding}`);
    }
    const bad = badUtf8Offset(at.prev, chunk, at.offset);
    throw new ParseError(
      `byte 0x${bad.byte.toString(16).padStart(2, "0")} at offset ${bad.offset} is not valid UTF-8 ` +
        `(if the file is in another encoding, say so in load_args, e.g. encoding: latin1)`,
    );
  }
}

/**
 * Where the first invalid UTF-8 sequence of `prev` + `chunk` starts (`chunk` begins at byte
 * `offset` of the file). Only called after the strict decoder threw, so it may be slow: the
 * replacing decoder turns the first invalid sequence into the first U+FFFD that the file does not
 * spell as EF BF BD, and everything before it is valid, so its UTF-8 length is its byte offset.
 */
function badUtf8Offset(prev: Buffer | null, chunk: Buffer, offset: number): { offset: number; byte: number } {
  const both = prev ? Buffer.concat([prev, chunk]) : chunk;
  const base = offset - (prev?.length ?? 0);
  // `prev` decoded, so a character starts within its first 4 bytes (the rest of an earlier one before).
  let start = 0;
  while (prev && start < 4 && (both[start] & 0xc0) === 0x80) start++;
  const text = both.subarray(start).toString("utf8");
  for (let i = text.indexOf("\ufffd"); i >= 0; i = text.indexOf("\ufffd", i + 1)) {
    const at = start + Buffer.byteLength(text.slice(0, i));
    const spelled = both[at] === 0xef && both[at + 1] === 0xbf && both[at + 2] === 0xbd;
    if (!spelled) return { offset: base + at, byte: both[at] };
  }
  return { offset: base + both.length, byte: both[both.length - 1] };
}
