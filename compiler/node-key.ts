// Where a key of a compiled node's definition sits (file:line:col), for errors raised at run time:
// graph.json keeps only the node's file and line, so its YAML item is found again by that line.
// Only a failure asks, so the file is parsed whole here, once per failure.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Node as YamlNode } from "yaml";
import { yamlPackage } from "./locate.js";
import type { IRNode } from "./types.js";

export interface KeyPosition {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The file's text, for a code frame. */
  readonly text: string;
}

/** Position of `key:` in the map defining `node` (the map starting on the node's line), or null. */
export function nodeKeyPosition(root: string, node: Pick<IRNode, "source">, key: string): KeyPosition | null {
  const { file, line } = node.source;
  let text: string;
  try {
    text = readFileSync(join(root, file), "utf8");
  } catch {
    return null;
  }
  const yaml = yamlPackage();
  const lc = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: lc, uniqueKeys: false });
  let found: YamlNode | null = null;
  yaml.visit(doc, {
    Map(_, map) {
      if (!map.range || lc.linePos(map.range[0]).line !== line) return undefined;
      const pair = map.items.find((p) => yaml.isScalar(p.key) && p.key.value === key);
      if (!pair || !yaml.isNode(pair.key)) return undefined;
      found = pair.key;
      return yaml.visit.BREAK;
    },
  });
  const start = (found as YamlNode | null)?.range?.[0];
  if (start === undefined) return null;
  const pos = lc.linePos(start);
  return { file, line: pos.line, column: pos.col, text };
}
