// Quoted mapping keys for the subset YAML parser (yaml-fast.ts): `"{name}_data":` is how dataset
// factory patterns are written in catalogs (a plain `{` would start a flow mapping). Only the
// simple form is taken: one line, no escapes; anything else makes the caller bail to js-yaml.

/**
 * Offset of the ":" after a quoted key starting at `s` (line ends at `end`) in `t`, or -1.
 * Keys with a backslash ("...") or a doubled quote ('...'), or control characters, are refused.
 */
export function quotedKeyEnd(t: string, s: number, end: number): number {
  const q = t.charCodeAt(s);
  if (q !== 34 && q !== 39) return -1;
  const close = t.indexOf(q === 34 ? '"' : "'", s + 1);
  if (close === -1 || close >= end || (q === 39 && t.charCodeAt(close + 1) === 39)) return -1;
  for (let k = s + 1; k < close; k++) {
    const c = t.charCodeAt(k);
    if (c < 32 || c === 92) return -1; // control character, backslash escape
  }
  let k = close + 1;
  while (k < end && t.charCodeAt(k) === 32) k++;
  if (k >= end || t.charCodeAt(k) !== 58 || (k + 1 < end && t.charCodeAt(k + 1) !== 32)) return -1;
  return k;
}

/** The text of the quoted key at `s` (quotedKeyEnd accepted it): a string, never resolved as js-yaml resolves only plain scalars. */
export function quotedKey(t: string, s: number): string {
  return t.slice(s + 1, t.indexOf(t.charCodeAt(s) === 34 ? '"' : "'", s + 1));
}
