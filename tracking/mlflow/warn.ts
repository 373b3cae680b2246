// Tracking warnings: one line on stderr, never credentials (URLs are printed without them).

/** Prints one warning line on stderr. */
export function warn(code: string, message: string): void {
  process.stderr.write(`mlc: warning ${code} ${message}\n`);
}
