/**
 * A user-facing error: bad input, a missing or damaged file, an impossible config. The CLI
 * prints its message without a stack trace and exits non-zero. Messages name what was
 * wrong and where (the field, file or tensor), and what was expected.
 */
export class SlurryError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
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
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly problem: string,
  ) {
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

/** What an operating-system error code means to a user, and what to do about it. */
const SYSTEM_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on the device (free some space, then rerun: the run or corpus continues where it stopped)',
  EDQUOT: 'disk quota exceeded (free some space, then rerun)',
  EIO: 'input/output error from the device (check the disk, then rerun)',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'a part of this path is a file, expected a directory',
  EEXIST: 'already exists',
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  EFBIG: 'file too large',
};

/**
 * An error from the operating system (a Node errno error: ENOSPC, EIO, EISDIR, ...) as a
 * SlurryError naming the path and what happened; anything else is returned unchanged.
 */
export function systemError(err: unknown, path?: string): unknown {
  const e = err as NodeJS.ErrnoException & { dest?: string };
  if (err instanceof SlurryError || !(err instanceof Error) || typeof e.code !== 'string' || !e.syscall) return err;
  const where = e.path ?? path;
  // mkdir of a path that exists is a file where a directory belongs.
  const meaning =
    e.code === 'EEXIST' && e.syscall === 'mkdir'
      ? 'is a file, expected a directory'
      : (SYSTEM_ERRORS[e.code] ?? e.message.replace(/^[A-Z]+: /, '').split(',')[0]);
  return new SlurryError(
    `${where ? `${where}: ` : ''}${meaning} (${e.code} in ${e.syscall}${e.dest ? ` to ${e.dest}` : ''})`,
  );
}
