/** Index (from offset) of the largest of values[offset .. offset + length): the first, on a tie. */
export function argmaxOf(values: ArrayLike<number>, offset: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[offset + i] > values[offset + best]) best = i;
  return best;
}
