// A node's cache key (SPEC section 9): its code, definition, parameter values, input versions and
// output catalog config, and the key schema version. Retries, timeouts, tags and the executor stay
// out, so a result made by one executor is a hit for another. The parts are kept next to the key:
// `mlc status` compares them with the last execution's to name the root cause of a rerun.
import type { DatasetConfig, IRNode } from "../compiler/types.js";
import { paramValues } from "../executors/invoke.js";
import type { CodeFingerprint } from "./fingerprint.js";
import { digest } from "./hash.js";

/** Bumped when what goes into a key changes: every node then reruns once. */
export const KEY_SCHEMA = 1;

export interface KeyParts {
  readonly schema: number;
  readonly code: Pick<CodeFingerprint, "files" | "packages">;
  /** Func ref (or sql query), inputs, outputs and how they bind to arguments and results. */
  readonly definition: string;
  /** Parameter input -> value (`parameters`: the whole map). */
  readonly params: Readonly<Record<string, unknown>>;
  /** Input dataset -> content version. */
  readonly inputs: Readonly<Record<string, string>>;
  /** Output dataset -> digest of its catalog config (no credentials). */
  readonly outputs: Readonly<Record<string, string>>;
}

/** The parts of `node`'s key, given its code fingerprint and its inputs' content versions. */
export function keyParts(
  node: IRNode,
  code: CodeFingerprint,
  parameters: Readonly<Record<string, unknown>>,
  inputs: Readonly<Record<string, string>>,
  configs: Readonly<Record<string, DatasetConfig | undefined>>,
): KeyParts {
  const { func, inputMode, inputKeys, outputMode, outputKeys } = node;
  const definition = JSON.stringify([
    func,
    node.inputs,
    inputMode,
    inputKeys ?? null,
    node.outputs,
    outputMode,
    outputKeys ?? null,
    // Last and only for sql nodes, so adding it left every func node's key as it was.
    ...(node.sql !== undefined ? [node.sql] : []),
  ]);
  const outputs: Record<string, string> = {};
  for (const o of node.outputs) {
    const c = configs[o];
    // The graph's config holds a credentials NAME only; it is left out so renaming an entry costs no rerun.
    outputs[o] = c ? digest(stableJson({ ...c, credentials: null })) : "memory";
  }
  return {
    schema: KEY_SCHEMA,
    code: { files: code.files, packages: code.packages },
    definition: digest(definition),
    params: paramValues(node, parameters),
    inputs,
    outputs,
  };
}

/** The key of a set of parts. */
export function keyOf(parts: KeyParts): string {
  return digest(stableJson(parts));
}

/** JSON with object keys sorted, so equal values give equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}
