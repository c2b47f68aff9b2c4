/**
 * A user-facing error: bad input, a missing or damaged file, an impossible config. The CLI
 * prints its message without a stack trace and exits non-zero. Messages name what was
 * wrong and where (the field, file or tensor), and what was expected.
 */
export class SlurryError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'SlurryError';
  }
}

/** Throws a SlurryError when `cond` is false. */
export function check(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new SlurryError(typeof message === 'string' ? message : message());
}
