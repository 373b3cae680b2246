// Exit codes (SPEC section 5) and the error type for usage/configuration mistakes.

export const EXIT = { ok: 0, invalid: 1, usage: 2, internal: 3, interrupted: 130, outputClosed: 141 } as const;

/** A bad flag, missing file or bad configuration: printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
