// Matrix expansion of one node: the cartesian product of its value lists, in key order as written.

/** One matrix member: its `{{ matrix.* }}` variables and the `@v1-v2` name suffix. */
export interface MatrixMember {
  readonly vars: Readonly<Record<string, unknown>>;
  readonly suffix: string;
}

/** A matrix value as it appears in a member name: characters outside the node-name set become '_'. */
export function sanitizeMatrixValue(v: unknown): string {
  const s = typeof v === "string" ? v : (JSON.stringify(v) ?? String(v));
  return s.replace(/[^A-Za-z0-9_.-]/g, "_") || "_";
}

/** More members than this in one node's matrix is a mistake, not a sweep (MLC2003). */
export const MAX_MATRIX_MEMBERS = 10_000;

/** How many members `matrix` expands to, computed without expanding it. */
export function matrixSize(matrix: Readonly<Record<string, unknown>>): number {
  let n = 1;
  for (const raw of Object.values(matrix)) n *= Array.isArray(raw) ? raw.length : 1;
  return n;
}

/**
 * Members of `matrix` ({factors: [8, 32], lr: [0.1]} -> @8-0.1, @32-0.1), first key varying slowest.
 * A scalar value counts as a one-element list; an empty list yields no members.
 */
export function matrixMembers(matrix: Readonly<Record<string, unknown>>): MatrixMember[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const [key, raw] of Object.entries(matrix)) {
    const values = Array.isArray(raw) ? raw : [raw];
    const next: Record<string, unknown>[] = [];
    for (const c of combos) for (const v of values) next.push({ ...c, [key]: v });
    combos = next;
  }
  const keys = Object.keys(matrix);
  return combos.map((vars) => ({ vars, suffix: "@" + keys.map((k) => sanitizeMatrixValue(vars[k])).join("-") }));
}
