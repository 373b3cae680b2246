// Red Hat's yaml-language-server (the one VS Code's YAML extension runs), started over stdio and
// driven with LSP through vscode-jsonrpc, so schema tests see what an editor user sees.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-jsonrpc/node.js";
import type { MessageConnection } from "vscode-jsonrpc";

const REPO = resolve(import.meta.dirname, "../..");

export interface CompletionItem {
  readonly label: string;
  readonly documentation?: string | { value: string };
}
export interface LspDiagnostic {
  readonly message: string;
  readonly range: { start: { line: number; character: number } };
}

export interface YamlLsp {
  /** Opens (or replaces) `text` as the document at `file` (a path). */
  open(file: string, text: string): Promise<void>;
  completion(file: string, line: number, character: number): Promise<CompletionItem[]>;
  hover(file: string, line: number, character: number): Promise<string>;
  /** The diagnostics the server publishes for `file` after its latest open. */
  diagnostics(file: string): Promise<LspDiagnostic[]>;
  close(): Promise<void>;
}

/** Starts the server on the folder `rootDir`; documents name their schema with a modeline, as README says. */
export async function startYamlLsp(rootDir: string): Promise<YamlLsp> {
  const bin = join(dirname(createRequire(join(REPO, "package.json")).resolve("yaml-language-server/package.json")));
  const child: ChildProcess = spawn(process.execPath, [join(bin, "bin/yaml-language-server"), "--stdio"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const conn: MessageConnection = createMessageConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  const published = new Map<string, { version: number; diags: LspDiagnostic[] }>();
  const waiting = new Map<string, () => void>();
  conn.onNotification("textDocument/publishDiagnostics", (p: { uri: string; diagnostics: LspDiagnostic[] }) => {
    published.set(p.uri, { version: versions.get(p.uri) ?? 0, diags: p.diagnostics });
    waiting.get(p.uri)?.();
  });
  // The server asks for its settings and for schema contents it cannot read by itself; answer plainly.
  conn.onRequest("workspace/configuration", (p: { items: { section?: string }[] }) =>
    p.items.map((i) => (i.section === "yaml" ? YAML_SETTINGS : null)),
  );
  conn.onRequest("client/registerCapability", () => null);
  conn.onNotification(() => undefined);
  conn.listen();
  const rootUri = pathToFileURL(rootDir).href;
  await conn.sendRequest("initialize", {
    processId: process.pid,
    rootUri,
    workspaceFolders: [{ uri: rootUri, name: "project" }],
    capabilities: {
      workspace: { configuration: true },
      textDocument: {
        completion: { completionItem: { documentationFormat: ["plaintext"] } },
        hover: { contentFormat: ["plaintext"] },
        publishDiagnostics: {},
      },
    },
  });
  conn.sendNotification("initialized", {});
  conn.sendNotification("workspace/didChangeConfiguration", { settings: { yaml: YAML_SETTINGS } });
  const versions = new Map<string, number>();
  const uri = (file: string) => pathToFileURL(file).href;
  return {
    async open(file, text) {
      const u = uri(file);
      const version = (versions.get(u) ?? 0) + 1;
      versions.set(u, version);
      published.delete(u);
      const method = version === 1 ? "textDocument/didOpen" : "textDocument/didChange";
      if (version === 1) conn.sendNotification(method, { textDocument: { uri: u, languageId: "yaml", version, text } });
      else conn.sendNotification(method, { textDocument: { uri: u, version }, contentChanges: [{ text }] });
    },
    async completion(file, line, character) {
      const r = (await conn.sendRequest("textDocument/completion", {
        textDocument: { uri: uri(file) },
        position: { line, character },
      })) as { items: CompletionItem[] } | CompletionItem[] | null;
      return Array.isArray(r) ? r : (r?.items ?? []);
    },
    async hover(file, line, character) {
      const r = (await conn.sendRequest("textDocument/hover", {
        textDocument: { uri: uri(file) },
        position: { line, character },
      })) as { contents: string | { value: string } } | null;
      return !r ? "" : typeof r.contents === "string" ? r.contents : r.contents.value;
    },
    diagnostics(file) {
      const u = uri(file);
      const have = published.get(u);
      if (have) return Promise.resolve(have.diags);
      return new Promise((done) => waiting.set(u, () => done(published.get(u)!.diags)));
    },
    async close() {
      await conn.sendRequest("shutdown").catch(() => undefined);
      conn.sendNotification("exit");
      conn.dispose();
      if (child.exitCode === null) await new Promise((d) => child.once("exit", d));
    },
  };
}

const YAML_SETTINGS = { validate: true, completion: true, hover: true, schemaStore: { enable: false } };
