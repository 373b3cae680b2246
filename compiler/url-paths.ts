// URL filepaths at compile time (SPEC section 11): a scheme mlc can read, a key inside the
// bucket, no "." or ".." segments.
import { hasDotSegment, schemeOf, SUPPORTED_SCHEMES } from "../catalog/storage/storage.js";
import type { CompileContext } from "./diagnostics.js";

/**
 * A URL filepath must use a scheme mlc can read (SPEC section 11): `s3:` written as a folder name
 * on local disk is a silent surprise. Its path may not climb with `.` or `..` segments.
 */
export function reportBadUrl(
  name: string,
  key: string,
  url: string,
  at: { file: string; path: (string | number)[] } | null,
  ctx: CompileContext,
): void {
  const scheme = schemeOf(url);
  if (scheme !== null && !(SUPPORTED_SCHEMES as readonly string[]).includes(scheme)) {
    ctx.report({
      code: "MLC2003",
      message: `dataset "${name}": ${key} "${url}" uses the unsupported URL scheme "${scheme}://"`,
      at,
      hint: `supported: ${SUPPORTED_SCHEMES.map((s) => `${s}://`).join(", ")} and local paths`,
    });
  } else if (scheme === "s3" && !/^s3:\/\/[^/]+\/./i.test(url)) {
    ctx.report({
      code: "MLC2003",
      message: `dataset "${name}": ${key} "${url}" names no key inside the bucket`,
      at,
      hint: "write s3://bucket/path/to/file",
    });
  } else if (/^[^/]+:\/\/[^/]*@/.test(url)) {
    // The message shows no part of it: the user:password part is a secret.
    ctx.report({
      code: "MLC2003",
      message: `dataset "${name}": ${key} holds a user name or password in its URL`,
      at,
      hint: "put them in conf/local/credentials.yml; graph.json, viz and run records show the filepath",
    });
  } else if (hasDotSegment(url)) {
    ctx.report({
      code: "MLC2003",
      message: `dataset "${name}": ${key} "${url}" has a "." or ".." segment`,
      at,
      hint: "object keys are taken literally: write the path without them",
    });
  }
}
