/**
 * Schema validation at the data pipeline's edges (config, manifest, probe files): parse
 * with zod and turn the first problem into a SlurryError that names where it was (file,
 * line) and which field, and what was expected.
 */
import type { z } from 'zod';
import { SlurryError } from '../util/errors.js';

/** Formats a zod issue path as `a.b[2].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/**
 * Parses `value` with `schema`; on failure throws a SlurryError `WHERE: field FIELD: MESSAGE`.
 * `where` names the source of the value (a file path, `file:line`, or `build config`).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = formatPath(issue.path);
  throw new SlurryError(`${where}: ${field ? `field "${field}": ` : ''}${issue.message}`);
}
