// The values of credentials.yml, and a scrubber that replaces them with *** in any text. Used
// wherever text that user or dataset code produced leaves the process: dataset errors
// (catalog.ts), node failures of every executor (scheduler.ts), stray exceptions.

/** Every string (and long number) inside the credentials, longest first so overlaps scrub fully. */
export function secretStrings(creds: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === "string" && v.length >= 3) out.add(v);
    else if (typeof v === "number" && String(v).length >= 4) out.add(String(v));
    else if (v && typeof v === "object") for (const x of Object.values(v)) walk(x);
  };
  walk(creds);
  return [...out].sort((a, b) => b.length - a.length);
}

/** `text` with every secret of `secrets` replaced by ***. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join("***");
  return out;
}

/** A scrubber over the values of `credentials` (the identity when there are none). */
export function scrubber(credentials: unknown): (text: string) => string {
  const secrets = secretStrings(credentials);
  return secrets.length === 0 ? (t) => t : (t) => scrubText(t, secrets);
}
