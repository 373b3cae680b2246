// Hook modules from mlc.yml: objects, classes and factories, combined in order, errors named.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { combineHooks, loadHooks } from "../../hooks/load.js";

const root = mkdtempSync(join(tmpdir(), "mlc-hooks-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
writeFileSync(
  join(root, "hooks.ts"),
  `export class Cls { calls: string[] = []; beforeNodeRun(n: { name: string }) { (globalThis as any).__hookLog.push("class " + n.name); } }
export const obj = { beforeNodeRun: (n: { name: string }) => (globalThis as any).__hookLog.push("object " + n.name) };
export function factory() { return { beforeNodeRun: (n: { name: string }) => (globalThis as any).__hookLog.push("factory " + n.name) }; }
export const broken = { afterNodeRun() { throw new Error("hook bug"); } };
export const notHooks = { hello: 1 };
`,
);

describe("hook manager", () => {
  it("loads objects, classes and factories and calls them in the listed order", async () => {
    (globalThis as any).__hookLog = [];
    const hooks = combineHooks(await loadHooks(["./hooks.ts#obj", "./hooks.ts#Cls", "./hooks.ts#factory"], root));
    expect(Object.keys(hooks)).toEqual(["beforeNodeRun"]);
    await hooks.beforeNodeRun!({ name: "n1" } as never, {}, {} as never);
    expect((globalThis as any).__hookLog).toEqual(["object n1", "class n1", "factory n1"]);
  });

  it("names the hook that threw (MLC5001)", async () => {
    const hooks = combineHooks(await loadHooks(["./hooks.ts#broken"], root));
    await expect(hooks.afterNodeRun!({} as never, {}, {}, {} as never)).rejects.toMatchObject({
      code: "MLC5001",
      message: expect.stringContaining("hook ./hooks.ts#broken afterNodeRun threw: hook bug"),
    });
  });

  it("rejects an export that is not hooks, and a missing export, with MLC3006", async () => {
    await expect(loadHooks(["./hooks.ts#notHooks"], root)).rejects.toMatchObject({ code: "MLC3006" });
    await expect(loadHooks(["./hooks.ts#nope"], root)).rejects.toMatchObject({ code: "MLC3006" });
  });
});
