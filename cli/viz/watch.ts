// Watches a project's pipeline and config files so the served page can follow edits; changes are
// debounced into one callback. Runs are followed by polling their record (run-follow.ts): a
// watch on .mlc/runs missed the folder made by the first run and recompiled on every record write.
import { existsSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";

/** Calls `onChange` (debounced) when pipeline/config YAML changes; returns a stop function. */
export function watchProject(root: string, onChange: () => void, delayMs = 250): () => void {
  let timer: NodeJS.Timeout | null = null;
  const fire = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, delayMs);
  };
  const watchers: FSWatcher[] = [];
  const add = (path: string, recursive: boolean, filter?: (f: string) => boolean) => {
    if (!existsSync(path)) return;
    try {
      const w = watch(path, { recursive, persistent: false }, (_e, f) => {
        if (!filter || (f && filter(String(f)))) fire();
      });
      w.on("error", () => w.close());
      watchers.push(w);
    } catch {
      // Watching is a convenience: a filesystem without it still serves the page.
    }
  };
  add(root, false, (f) => /\.ya?ml$/.test(f));
  for (const dir of ["conf", "pipelines"]) add(join(root, dir), true);
  return () => {
    if (timer) clearTimeout(timer);
    watchers.forEach((w) => w.close());
  };
}
