// Turning anything thrown into the plain ErrorInfo that run records and events carry.
import { MlcError } from "../compiler/diagnostics.js";
import type { ErrorInfo } from "../runs/record.js";
import { scrubber } from "../catalog/secrets.js";
import type { RunContext } from "./executor.js";

/** ErrorInfo of `err`: its MLC code when it has one, else `fallbackCode`; `stack` only when given. */
export function toErrorInfo(err: unknown, fallbackCode = "MLC5001", stack?: string): ErrorInfo {
  const code = err instanceof MlcError ? err.code : (codeOf(err) ?? fallbackCode);
  const message = err instanceof Error ? err.message : typeof err === "string" ? err : safeString(err);
  const st = stack ?? (err as { userStack?: unknown } | null)?.userStack;
  return typeof st === "string" && st ? { code, message, stack: st } : { code, message };
}

/** An error that crossed a thread or a module boundary keeps its code as a plain property. */
function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^MLC\d{4}$/.test(code) ? code : undefined;
}

function safeString(v: unknown): string {
  try {
    return `non-Error value thrown: ${JSON.stringify(v) ?? String(v)}`;
  } catch {
    return `non-Error value thrown: ${String(v)}`;
  }
}

let planned: ErrorInfo | null = null;

/** Notes the error of a run that mlc is about to end by exiting (the watchdog stopped a node). */
export function endingWith(error: ErrorInfo): void {
  planned = error;
}

/** The error noted by `endingWith`, read by run-project's exit guard to record the run. */
export function plannedExitError(): ErrorInfo | null {
  return planned;
}

export type Clean = <E extends ErrorInfo | undefined>(e: E) => E;

/**
 * Credential values replaced by *** in an error's text. Every failure of every runner, hook and
 * dataset passes here before it reaches an event, a record, MLflow or the terminal, so a node or
 * a custom dataset that puts a secret into an error message (or a stray throw) cannot leak it.
 */
export function errorScrubber(ctx: RunContext): Clean {
  const scrub = scrubber(ctx.project.credentials);
  return <E extends ErrorInfo | undefined>(e: E): E => {
    if (!e) return e;
    const message = scrub(e.message);
    const stack = e.stack === undefined ? undefined : scrub(e.stack);
    return (
      message === e.message && stack === e.stack ? e : { ...e, message, ...(stack !== undefined ? { stack } : {}) }
    ) as E;
  };
}
