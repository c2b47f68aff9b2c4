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

/**
 * A bad value of a config field, named by its path (`train_frac`, `optimizer.lr`):
 * "train_frac 1.5: expected a fraction ...", or "model: ..." without a value. Library code
 * names fields; the CLI renames them to the flags that set them (cli/flags.ts).
 */
export class FieldError extends SlurryError {
  constructor(readonly field: string, readonly value: unknown, readonly problem: string) {
    super(describeField(field, value, problem));
  }

  /** The same error naming `name` (a flag) instead of the field. */
  renamed(name: string): SlurryError {
    return new SlurryError(describeField(name, this.value, this.problem), this.exitCode);
  }
}

function describeField(name: string, value: unknown, problem: string): string {
  return value === undefined ? `${name}: ${problem}` : `${name} ${String(value)}: ${problem}`;
}

/** Throws a SlurryError when `cond` is false. */
export function check(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) throw new SlurryError(typeof message === 'string' ? message : message());
}
