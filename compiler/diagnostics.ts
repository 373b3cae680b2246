// The one catalog of diagnostic codes (SPEC.md section 6) and the context phases report into.
// Codes are never reused; a retired code stays here, commented as retired.
import type { DocPath, RawDocument, SourceRef } from "./types.js";

export const CODES = {
  MLC1001: "YAML syntax error",
  MLC1002: "duplicate key in a YAML map",
  MLC1003: "file missing or unreadable",
  MLC2001: "unknown key",
  MLC2002: "missing required key",
  MLC2003: "wrong type or invalid value",
  MLC3001: "dataset has no producer and no catalog entry",
  MLC3002: "unknown parameter",
  MLC3003: "unknown dataset type",
  MLC3004: "interpolation error",
  MLC3005: "unknown credentials name",
  MLC3006: "func module or export not found",
  MLC3007: "included pipeline or named pipeline problem",
  MLC3008: "node inputs do not match its function's parameters",
  MLC4001: "cycle",
  MLC4002: "dataset produced by more than one node",
  MLC4003: "duplicate node name",
  MLC4004: "node reads and writes the same dataset",
  MLC4005: "selection leaves no nodes",
  MLC4006: "selection names an unknown item",
  MLC5001: "node function threw",
  MLC5002: "node timed out",
  MLC5003: "worker crashed or exited",
  MLC5004: "node returned the wrong shape",
  MLC5005: "value cannot cross threads",
  MLC5006: "a distributed worker's code differs from the coordinator's",
  MLC6001: "dataset load failed",
  MLC6002: "dataset save failed",
  MLC7001: "tracking server unreachable",
  MLC7002: "tracking server rejected a request",
  MLC7003: "the job queue (Redis) is unreachable or failed",
  MLC8001: "catalog entry is never used",
  MLC8002: "parameter is never used",
  MLC8003: "node passes more inputs than its function declares",
  MLC8004: "register: on a dataset while MLflow tracking is off",
  MLC2004: "outputs held by another run",
  MLC4007: "selection needs a memory dataset whose producer is not selected",
  MLC3009: "sql node query does not parse or reads an unknown table",
} as const;

export type DiagnosticCode = keyof typeof CODES;
export type Severity = "error" | "warning";

/** A located problem, as printed by `mlc validate` (SPEC section 6). Lines and columns are 1-based. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
  /** JSON path into the document, e.g. "/nodes/2/inputs/0". */
  readonly path?: string;
  readonly hint?: string;
  readonly expected?: string;
}

/** A problem as a phase reports it: placed by SourceRef; line:col are computed once, at the end. */
export interface Report {
  readonly code: DiagnosticCode;
  readonly severity?: Severity;
  readonly message: string;
  /** Where: a document path (preferred), or an explicit position, or nothing (file-less). */
  readonly at?: SourceRef | null;
  readonly pos?: {
    readonly file: string;
    readonly line: number;
    readonly column: number;
    readonly endLine?: number;
    readonly endColumn?: number;
  };
  readonly hint?: string;
  readonly expected?: string;
}

/** Locates a document path; implemented in locate.ts (lazy: parses positions only when asked). */
export type Locator = (
  doc: RawDocument,
  path: DocPath,
  key?: boolean,
) => {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
};

/** What every compiler phase receives: where the project is, the documents read, the reports so far. */
export class CompileContext {
  readonly docs = new Map<string, RawDocument>();
  readonly reports: Report[] = [];
  /**
   * What a file that could not be read (already reported) leaves incomplete: the checks that would
   * only report its missing content (no catalog entry, unknown or unused parameter) then stay quiet.
   */
  readonly incomplete = new Set<"catalog" | "parameters" | "pipeline">();
  constructor(readonly root: string) {}

  report(r: Report): void {
    this.reports.push(r);
  }
  get errorCount(): number {
    return this.reports.filter((r) => (r.severity ?? "error") === "error").length;
  }
  hasErrors(): boolean {
    return this.errorCount > 0;
  }

  /** Turns reports into located, sorted, de-duplicated diagnostics. */
  finalize(locate: Locator): Diagnostic[] {
    const out: Diagnostic[] = [];
    const seen = new Set<string>();
    for (const r of this.reports) {
      const d = place(r, this.docs, locate);
      const k = `${d.file}:${d.line}:${d.column}:${d.code}:${d.message}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(d);
    }
    return out.sort(compareDiagnostics);
  }
}

function place(r: Report, docs: Map<string, RawDocument>, locate: Locator): Diagnostic {
  const base = {
    code: r.code,
    severity: r.severity ?? ("error" as Severity),
    message: r.message,
    ...(r.hint ? { hint: r.hint } : {}),
    ...(r.expected ? { expected: r.expected } : {}),
  };
  if (r.pos) return { ...base, ...r.pos };
  if (r.at) {
    const doc = docs.get(r.at.file);
    const path = toPointer(r.at.path);
    if (!doc) return { ...base, file: r.at.file, line: 1, column: 1, path };
    return { ...base, file: r.at.file, ...locate(doc, r.at.path, r.at.key), path };
  }
  return { ...base, file: "", line: 1, column: 1 };
}

/** RFC 6901 JSON Pointer for a document path. */
export function toPointer(path: DocPath): string {
  return path.map((p) => "/" + String(p).replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    cmp(a.file, b.file) || a.line - b.line || a.column - b.column || cmp(a.code, b.code) || cmp(a.message, b.message)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An error crossing the public API or runtime boundary, carrying a code (runtime MLC5xxx-7xxx). */
export class MlcError extends Error {
  constructor(
    readonly code: DiagnosticCode,
    message: string,
    readonly details: {
      node?: string;
      dataset?: string;
      file?: string;
      line?: number;
      column?: number;
      hint?: string;
    } = {},
  ) {
    super(message);
    this.name = "MlcError";
  }
}
