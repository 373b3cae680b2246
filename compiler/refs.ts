// SourceRefs into a node's YAML definition, shared by resolve and buildGraph so every
// diagnostic about a node points at the exact key or list item the user wrote.
import type { ResolvedNode, SourceRef } from "./types.js";

/** The node's `name` value (or the node itself when its source is not a map item). */
export function nameRef(node: ResolvedNode): SourceRef {
  return { file: node.source.file, path: [...node.source.path, "name"] };
}

/** The node's `func` value. */
export function funcRef(node: ResolvedNode): SourceRef {
  return { file: node.source.file, path: [...node.source.path, "func"] };
}

/** The i-th input or output as written: the scalar, the list item or the map value. */
export function ioRef(node: ResolvedNode, side: "inputs" | "outputs", i: number): SourceRef {
  const mode = side === "inputs" ? node.inputMode : node.outputMode;
  const keys = side === "inputs" ? node.inputKeys : node.outputKeys;
  const base = [...node.source.path, side];
  if (mode === "list") return { file: node.source.file, path: [...base, i] };
  if (mode === "map" && keys) return { file: node.source.file, path: [...base, keys[i]] };
  return { file: node.source.file, path: base };
}

/** True for parameter references (`params:x`, `parameters`): not datasets. */
export function isParamRef(name: string): boolean {
  return name === "parameters" || name.startsWith("params:");
}
