/**
 * Validation at the boundary: parse a value with a zod schema and turn every issue into
 * one SlurryError that names where the value came from, the field path and what was
 * expected (e.g. `run.yaml: field "model.n_head": Too small: expected number to be >0`),
 * all issues on one line, separated by semicolons.
 */
import type { z } from 'zod';
import { SlurryError } from './errors.js';

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new SlurryError(`${where}: ${describeIssues(result.error).join('; ')}`);
}

/** Each issue of a failed parse as `field "a.b[2]": what was expected` (unknown keys named). */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = fieldPath(issue.path);
    const keys = issue.code === 'unrecognized_keys' ? ` (${(issue as { keys: string[] }).keys.join(', ')})` : '';
    return `${path ? `field "${path}": ` : ''}${issue.message}${keys}`;
  });
}

/** A zod issue path as `sources[2].kind`. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)),
    '',
  );
}
