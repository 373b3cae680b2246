// A TCP relay in front of a test server that can die mid-transfer: after `cutAfterBytes` bytes
// from the client it destroys every connection and stops listening, as a killed server would; and
// a server that accepts and never answers.
import { createServer, connect, type Socket } from "node:net";

export interface TcpCut {
  readonly endpoint: string;
  /** Resolves once the relay has cut (the client is left talking to a closed port). */
  readonly cut: Promise<void>;
}

export async function startTcpCut(targetPort: number, cutAfterBytes: number): Promise<TcpCut> {
  const sockets = new Set<Socket>();
  let seen = 0;
  let done!: () => void;
  const cut = new Promise<void>((r) => (done = r));
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (seen < cutAfterBytes) return void upstream.write(chunk);
      server.close();
      sockets.forEach((s) => s.destroy());
      done();
    });
    upstream.on("data", (chunk) => client.write(chunk));
    for (const s of [client, upstream]) s.on("error", () => sockets.forEach((x) => x.destroy()));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  return { endpoint: `http://127.0.0.1:${port}`, cut };
}

/** A server that accepts connections and reads what is sent, but never answers (a stalled network path). */
export async function startSilentServer(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.resume();
    s.on("error", () => {});
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const stop = () =>
    new Promise<void>((r) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => r());
    });
  return { endpoint: `http://127.0.0.1:${port}`, stop };
}
