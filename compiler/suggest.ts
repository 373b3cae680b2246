// "Did you mean" suggestions from the names in scope.

/**
 * Edit distance counting an adjacent transposition as one edit (optimal string alignment:
 * "trian" -> "train" is 1, the commonest typo), iterative, O(a*b) time and O(b) memory.
 */
export function distance(a: string, b: string): number {
  if (a === b) return 0;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        cur[j] = Math.min(cur[j], before[j - 2] + 1);
    }
    before = prev;
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Close matches for `name` among `candidates`, best first (at most `max`).
 * A namespaced candidate whose last segments equal `name` (node1 -> katie.node1) always matches.
 */
export function suggest(name: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: { c: string; d: number }[] = [];
  const lower = name.toLowerCase();
  for (const c of new Set(candidates)) {
    if (c === name) continue;
    if (c.endsWith("." + name)) {
      scored.push({ c, d: 0 });
      continue;
    }
    const d = distance(lower, c.toLowerCase());
    const limit = Math.max(1, Math.floor(Math.max(name.length, c.length) / 3));
    if (d <= limit) scored.push({ c, d });
  }
  scored.sort((x, y) => x.d - y.d || (x.c < y.c ? -1 : x.c > y.c ? 1 : 0));
  return scored.slice(0, max).map((s) => s.c);
}

/** " (did you mean "a" or "b"?)" or "" when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const s = suggest(name, candidates);
  if (s.length === 0) return "";
  return ` (did you mean ${s.map((x) => JSON.stringify(x)).join(" or ")}?)`;
}
