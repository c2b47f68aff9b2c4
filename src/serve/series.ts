/**
 * Curve arithmetic shared by the page and its tests (pure, no DOM): debiased exponential
 * smoothing, and min/max decimation into pixel columns that is correct on a log axis.
 */

/**
 * Exponential moving average with bias correction (as TensorBoard and Adam do): with
 * weight w, s_k = w s_{k-1} + (1 - w) y_k and the value drawn is s_k / (1 - w^k), so the
 * first points are not pulled towards zero. Non-finite values are skipped (drawn as gaps).
 */
export function debiasedEma(ys: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(ys.length);
  let s = 0;
  let k = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i];
    if (!Number.isFinite(y)) {
      out[i] = NaN;
      continue;
    }
    k++;
    s = weight * s + (1 - weight) * y;
    out[i] = weight === 0 ? y : s / (1 - weight ** k);
  }
  return out;
}

export interface Decimated {
  x: number[];
  y: number[];
}

/**
 * At most four points per pixel column (the first, lowest, highest and last of the column,
 * in x order: "M4"), so a curve of any length draws the same lines as the full data, and no
 * spike is lost. Columns are cut in screen space: on a log axis a column spans a constant
 * ratio of x, not a constant width, so early steps keep their detail. xs must be sorted
 * ascending; points outside [lo, hi] are dropped except the nearest one each side (so a
 * zoomed line runs to the edge). On a log axis x <= 0 has no position and is dropped.
 */
export function decimate(
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  lo: number,
  hi: number,
  columns: number,
  log: boolean,
): Decimated {
  const out: Decimated = { x: [], y: [] };
  const f = log ? Math.log10 : (v: number) => v;
  if (log && lo <= 0) lo = Number.MIN_VALUE;
  const f0 = f(lo);
  const span = f(hi) - f0 || 1;
  let prevOutside = -1;
  let col = -1;
  let first = -1,
    min = -1,
    max = -1,
    last = -1;
  const flush = () => {
    if (first < 0) return;
    for (const i of [...new Set([first, min, max, last])].sort((a, b) => a - b)) {
      out.x.push(xs[i]);
      out.y.push(ys[i]);
    }
    first = -1;
  };
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (!Number.isFinite(y) || (log && !(x > 0))) continue;
    if (x < lo) {
      prevOutside = i;
      continue;
    }
    if (prevOutside >= 0) {
      out.x.push(xs[prevOutside]);
      out.y.push(ys[prevOutside]);
      prevOutside = -1;
    }
    if (x > hi) {
      flush();
      out.x.push(x);
      out.y.push(y);
      return out;
    }
    const c = Math.min(columns - 1, Math.floor(((f(x) - f0) / span) * columns));
    if (c !== col) {
      flush();
      col = c;
      first = min = max = last = i;
      continue;
    }
    if (y < ys[min]) min = i;
    if (y > ys[max]) max = i;
    last = i;
  }
  flush();
  return out;
}
