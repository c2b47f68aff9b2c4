/**
 * The first place two JSON values differ, as a dotted path with both values, so a refused
 * resume can say which key was edited ("optimizer.lr: 0.003 -> 0.001").
 */
export interface Difference {
  path: string;
  before: unknown;
  after: unknown;
}

export function firstDifference(before: unknown, after: unknown, path = ''): Difference | null {
  if (Object.is(before, after)) return null;
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (!isObject(before) || !isObject(after) || Array.isArray(before) !== Array.isArray(after)) {
    return { path: path || '(root)', before, after };
  }
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  for (const key of keys) {
    const d = firstDifference(before[key], after[key], path ? `${path}.${key}` : key);
    if (d) return d;
  }
  return null;
}

export function describeDifference(d: Difference): string {
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  return `${d.path}: ${show(d.before)} -> ${show(d.after)}`;
}
