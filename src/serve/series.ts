/**
 * Curve arithmetic shared by the page and its tests (pure, no DOM): debiased exponential
 * smoothing, min/max decimation into pixel columns that is correct on a log axis, and the
 * number formats of axes and legends.
 */

/** The performance mark a page sets once its first chart with points is drawn (the open-time benchmark reads it). */
export const FIRST_CHART = 'slurry:first-chart';

/** Where an exponential moving average stands after some points: s_k and w^k. */
interface EmaState {
  s: number;
  wk: number;
}

/** Smooths ys[from, to) into out, continuing from `state` (updated). */
function emaInto(ys: ArrayLike<number>, weight: number, from: number, to: number, state: EmaState, out: Float64Array) {
  let { s, wk } = state;
  for (let i = from; i < to; i++) {
    const y = ys[i];
    if (!Number.isFinite(y)) {
      out[i] = NaN;
      continue;
    }
    wk *= weight;
    s = weight * s + (1 - weight) * y;
    out[i] = weight === 0 ? y : s / (1 - wk);
  }
  state.s = s;
  state.wk = wk;
}

/**
 * Exponential moving average with bias correction (as TensorBoard and Adam do): with
 * weight w, s_k = w s_{k-1} + (1 - w) y_k and the value drawn is s_k / (1 - w^k), so the
 * first points are not pulled towards zero. Non-finite values are skipped (drawn as gaps).
 */
export function debiasedEma(ys: ArrayLike<number>, weight: number): Float64Array {
  const out = new Float64Array(ys.length);
  emaInto(ys, weight, 0, ys.length, { s: 0, wk: 1 }, out);
  return out;
}

const smoothed = new WeakMap<ArrayBufferLike, EmaState & { weight: number; n: number; out: Float64Array }>();

/**
 * debiasedEma of a column that only grows (a live metric table, a view from its start of
 * a buffer whose first values never change): the result is kept with the buffer and
 * extended by the points added since the last call, so a redraw after an append smooths
 * the new points only.
 */
export function smoothedColumn(ys: Float64Array, weight: number): Float64Array {
  let c = smoothed.get(ys.buffer);
  if (!c || c.weight !== weight || ys.byteOffset !== 0 || c.n > ys.length) {
    c = { weight, n: 0, s: 0, wk: 1, out: new Float64Array(0) };
    if (ys.byteOffset === 0) smoothed.set(ys.buffer, c);
  }
  if (c.out.length < ys.length) {
    const grown = new Float64Array(Math.max(ys.length, c.out.length * 2));
    grown.set(c.out.subarray(0, c.n));
    c.out = grown;
  }
  emaInto(ys, weight, c.n, ys.length, c, c.out);
  c.n = ys.length;
  return c.out.subarray(0, c.n);
}

export interface Decimated {
  x: number[];
  y: number[];
}

/** The first index whose x is >= v (xs sorted ascending). */
function lowerBound(xs: ArrayLike<number>, v: number): number {
  let a = 0;
  let b = xs.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (xs[m] < v) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * At most four points per pixel column (the first, lowest, highest and last of the column,
 * in x order: "M4"), so a curve of any length draws the same lines as the full data, and no
 * spike is lost. Columns are cut in screen space: on a log axis a column spans a constant
 * ratio of x, not a constant width, so early steps keep their detail. xs must be sorted
 * ascending; points outside [lo, hi] are dropped except the nearest one each side (so a
 * zoomed line runs to the edge). On a log axis x <= 0 has no position and is dropped.
 * One pass with no logarithm per point: a point only costs comparisons against its
 * column's right edge, which is computed once per column.
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
  if (log && lo <= 0) lo = Number.MIN_VALUE;
  const f = log ? Math.log10 : (v: number) => v;
  const f0 = f(lo);
  const span = f(hi) - f0 || 1;
  const columnOf = (x: number) => Math.min(columns - 1, Math.floor(((f(x) - f0) / span) * columns));
  // Where the next column may start: a hair below its exact edge, so that rounding never
  // lets a point skip the column test (columnOf decides; this only spares the logarithm).
  const nextEdge = (c: number) => {
    if (c >= columns - 1) return Infinity;
    const e = log ? 10 ** (f0 + (span * (c + 1)) / columns) : f0 + (span * (c + 1)) / columns;
    return e - Math.abs(e) * 1e-9;
  };
  const usable = (i: number) => Number.isFinite(ys[i]) && (!log || xs[i] > 0);
  const emit = (i: number) => {
    out.x.push(xs[i]);
    out.y.push(ys[i]);
  };
  const start = lowerBound(xs, lo);
  let before = start - 1;
  while (before >= 0 && !usable(before)) before--;
  let col = -1;
  let edge = -Infinity;
  let first = -1;
  let min = -1;
  let max = -1;
  let last = -1;
  const flush = () => {
    if (first < 0) return;
    const a = min < max ? min : max;
    const b = min < max ? max : min;
    emit(first);
    if (a !== first) emit(a);
    if (b !== a && b !== first) emit(b);
    if (last !== b && last !== first) emit(last);
    first = -1;
  };
  for (let i = start; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (!Number.isFinite(y) || (log && !(x > 0))) continue;
    if (before >= 0) {
      emit(before);
      before = -1;
    }
    if (x > hi) {
      flush();
      emit(i);
      return out;
    }
    if (x >= edge) {
      const c = columnOf(x);
      if (c > col) {
        flush();
        col = c;
        edge = nextEdge(c);
        first = min = max = last = i;
        continue;
      }
    }
    if (y < ys[min]) min = i;
    if (y > ys[max]) max = i;
    last = i;
  }
  flush();
  return out;
}

export function formatTick(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)}B`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a === 0) return '0';
  if (a < 1e-3) return v.toExponential(0);
  return `${+v.toPrecision(3)}`;
}

/**
 * A value in the legend (under the cursor): four significant digits, in scientific notation
 * when tiny or huge, so a learning rate of 3e-4 reads 3e-4 and not 0 (uPlot's default rounds
 * to a few decimals).
 */
export function formatValue(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return v.toExponential(3).replace(/\.?0+e/, 'e');
  return `${+v.toPrecision(4)}`;
}
