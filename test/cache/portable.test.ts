// Cache state is portable (issue 15): paths in it are project-relative, so a checkout moved to
// another folder stays up to date and a cached node re-logs its artifacts from the new place.
import { appendFileSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mlc } from "../helpers/cli.js";
import { cleanupIncProjects, executed, incProject, lastRun } from "./project.js";

const moved: string[] = [];
afterAll(() => {
  cleanupIncProjects();
  for (const d of moved) rmSync(d, { recursive: true, force: true });
});

/** Every file under .mlc/cache/{nodes,hashes} as text. */
function stateTexts(root: string): string[] {
  return ["nodes", "hashes"].flatMap((d) =>
    readdirSync(join(root, ".mlc/cache", d)).map((f) => readFileSync(join(root, ".mlc/cache", d, f), "utf8")),
  );
}

describe("a moved checkout", () => {
  it("stays cached, re-logs its artifacts from where it now is, and no cache file holds the old path", () => {
    const root = incProject();
    appendFileSync(
      join(root, "pipeline.yml"),
      "  - { name: publish, func: ./src/nodes.ts#report, inputs: [shaped], outputs: published }\n",
    );
    appendFileSync(
      join(root, "conf/base/catalog.yml"),
      "published: { type: mlflow.artifact, dataset: { type: json, filepath: data/published.json } }\n",
    );
    const first = mlc(root, "run");
    expect(first.code, first.all).toBe(0);
    expect(lastRun(root).artifacts).toEqual([{ path: "data/published.json", artifact_path: null }]);
    for (const text of stateTexts(root)) expect(text).not.toContain(root);

    const to = `${root}-moved`;
    renameSync(root, to);
    moved.push(to);
    const again = mlc(to, "run");
    expect(again.code, again.all).toBe(0);
    expect(executed(to)).toEqual(["noisy"]);
    expect(lastRun(to).nodes.find((n) => n.name === "publish")?.status).toBe("cached");
    expect(lastRun(to).artifacts).toEqual([{ path: "data/published.json", artifact_path: null }]);
  });
});
