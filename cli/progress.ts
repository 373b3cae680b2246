// Progress of `mlc run` on stderr: on a terminal a live status line (node n/N, name, elapsed) with
// a line per finished node; piped or under CI=true plain lines only (no cursor tricks).
import type { RunEvent } from "../executors/executor.js";
import type { NodeRecord } from "../runs/record.js";

/** Formats milliseconds for people: "12 ms", "1.2 s", "2m 03s". */
export function human(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return `${m}m ${String(Math.floor((ms % 60_000) / 1000)).padStart(2, "0")}s`;
}

/** Colours when allowed (a terminal without NO_COLOR). */
export function paint(on: boolean) {
  const wrap = (code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { green: wrap("32"), red: wrap("31"), yellow: wrap("33"), dim: wrap("2"), bold: wrap("1") };
}

/** Receives run events and prints them; `stop()` clears the live line. */
export interface Progress {
  onEvent(e: RunEvent): void;
  stop(): void;
}

/** A progress printer for `stream`: live when it is a TTY and CI is not set, plain lines otherwise, silent when quiet. */
export function createProgress(stream: NodeJS.WriteStream, opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet) return { onEvent() {}, stop() {} };
  const live = !!stream.isTTY && process.env.CI !== "true";
  return live ? liveProgress(stream, paint(!process.env.NO_COLOR)) : plainProgress(stream);
}

function mark(r: NodeRecord, p: ReturnType<typeof paint>): string {
  return r.status === "completed"
    ? p.green("done")
    : r.status === "failed"
      ? p.red("failed")
      : p.yellow(r.status.replace("_", " "));
}

function endLine(e: Extract<RunEvent, { type: "node-end" }>, p: ReturnType<typeof paint>): string {
  const r = e.record;
  const tries = r.attempts > 1 ? `, ${r.attempts} attempts` : "";
  const err = r.error ? ` ${r.error.code}` : "";
  return `[${e.index}/${e.total}] ${r.name}: ${mark(r, p)}${err} (${human(r.duration_ms)}${tries})\n`;
}

function plainProgress(stream: NodeJS.WriteStream): Progress {
  const p = paint(false);
  return {
    onEvent(e) {
      if (e.type === "node-start")
        stream.write(`[${e.index}/${e.total}] ${e.node}: started${e.attempt > 1 ? ` (attempt ${e.attempt})` : ""}\n`);
      else if (e.type === "node-end") stream.write(endLine(e, p));
      else stream.write(`${e.node}: attempt ${e.attempt} failed (${e.error.code}: ${e.error.message}); retrying\n`);
    },
    stop() {},
  };
}

function liveProgress(stream: NodeJS.WriteStream, p: ReturnType<typeof paint>): Progress {
  const running = new Map<string, { index: number; total: number; since: number }>();
  let shown = false;
  const clear = () => {
    if (shown) stream.write("\r\x1b[2K");
    shown = false;
  };
  const draw = () => {
    clear();
    if (running.size === 0) return;
    const now = performance.now();
    const parts = [...running].map(([name, r]) => `[${r.index}/${r.total}] ${name} ${p.dim(human(now - r.since))}`);
    const line = parts.join("  ");
    const width = stream.columns || 100;
    stream.write(line.length > width + 20 ? line.slice(0, width - 1) : line);
    shown = true;
  };
  const timer = setInterval(draw, 200);
  timer.unref();
  return {
    onEvent(e) {
      if (e.type === "node-start") running.set(e.node, { index: e.index, total: e.total, since: performance.now() });
      else if (e.type === "node-end") {
        running.delete(e.record.name);
        clear();
        stream.write(endLine(e, p));
      } else {
        clear();
        stream.write(p.yellow(`${e.node}: attempt ${e.attempt} failed (${e.error.code}); retrying\n`));
      }
      draw();
    },
    stop() {
      clearInterval(timer);
      clear();
    },
  };
}
