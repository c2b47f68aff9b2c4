/**
 * The train/validation split: each document goes to validation with probability
 * `valFraction`, decided by a hash of (seed, source, document id), so the split of a
 * document never depends on which other documents exist. Every source with two or more
 * documents gets at least one in each split.
 */
import { hashString, hashUniform } from './random.js';

export function splitDocuments<D extends { id: string }>(
  docs: readonly D[],
  source: string,
  valFraction: number,
  seed: number,
): { train: D[]; val: D[] } {
  const u = docs.map((d) => hashUniform(seed, hashString(source), hashString(d.id)));
  const isVal = u.map((x) => x < valFraction);
  if (docs.length >= 2) {
    const extreme = (pick: (a: number, b: number) => boolean) =>
      u.reduce((best, x, i) => (pick(x, u[best]!) ? i : best), 0);
    if (!isVal.includes(true)) isVal[extreme((a, b) => a < b)] = true;
    if (!isVal.includes(false)) isVal[extreme((a, b) => a > b)] = false;
  }
  return { train: docs.filter((_, i) => !isVal[i]), val: docs.filter((_, i) => isVal[i]) };
}
