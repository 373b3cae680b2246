// What esbuild's metafile says about a module: the local files it read (with mtime and size, to
// tell later whether any changed) and the packages it left as imports. The bundle cache and the
// cache key's code part (cache/fingerprint.ts) both read it.
import { isBuiltin } from "node:module";
import { resolve } from "node:path";
import { statSync } from "node:fs";

/** [path relative to root, mtimeMs, size] of every input, sorted by path. */
export function statInputs(meta: import("esbuild").Metafile, root: string): (readonly [string, number, number])[] {
  return Object.keys(meta.inputs)
    .sort()
    .map((rel) => {
      const st = statSync(resolve(root, rel));
      return [rel, st.mtimeMs, st.size] as const;
    });
}

/** Bare imports left external, as package names, sorted. */
export function externalPackages(meta: import("esbuild").Metafile): string[] {
  const names = Object.values(meta.inputs)
    .flatMap((i) => i.imports)
    .filter((i) => i.external && !isBuiltin(i.path) && !/^(file:|\.|\/)/.test(i.path))
    .map((i) => packageName(i.path));
  return [...new Set(names)].sort();
}

/** "lodash/fp" -> "lodash", "@scope/pkg/x" -> "@scope/pkg". */
export function packageName(spec: string): string {
  const parts = spec.split("/");
  return spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}
