// The code a node runs, compared between the coordinator and a worker: the cache key's code
// fingerprint (every local file of the bundle, every locked package) plus the node's definition.
// A worker whose checkout differs refuses the job (MLC5006) instead of running other code.
import type { IRNode } from "../../compiler/types.js";
import { codeFingerprint } from "../../cache/fingerprint.js";
import { digest } from "../../cache/hash.js";
import { stableJson } from "../../cache/key.js";
import type { CodeCheck } from "./messages.js";

/** The CodeCheck of `node` in the checkout at `root`. */
export async function codeCheck(node: IRNode, root: string): Promise<CodeCheck> {
  // Its line in pipeline.yml is not code: a comment above a node must not make workers stale.
  const definition = digest(stableJson({ ...node, source: null }));
  if (node.sql !== undefined) return { definition, files: {}, packages: {} };
  const { files, packages } = await codeFingerprint(node.func, root);
  return { definition, files, packages };
}

/** What differs between the coordinator's code and a worker's, or null when nothing does. */
export function codeDifference(theirs: CodeCheck, ours: CodeCheck): string | null {
  if (theirs.definition !== ours.definition) return "the node's definition in pipeline.yml differs";
  for (const [what, a, b] of [
    ["file", theirs.files, ours.files],
    ["package", theirs.packages, ours.packages],
  ] as const) {
    const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    const differs = names.find((n) => a[n] !== b[n]);
    if (differs) return `${what} ${differs} differs`;
  }
  return null;
}
