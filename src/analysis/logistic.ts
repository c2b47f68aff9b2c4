/**
 * The 4-parameter logistic in x = log10(tokens) and its least-squares fit.
 *
 *   y(x) = floor + (ceiling - floor) * sigma(slope * (x - midpoint)),  sigma(z) = 1/(1+e^-z)
 *
 * slope is per decade and positive (a rising curve). The checkpoint at step 0 has tokens = 0,
 * x = -Infinity, where the curve equals its floor: the untrained model anchors the floor
 * instead of being dropped, and no log(0) is ever taken.
 *
 * The fit is deterministic and robust to bad starting points: a grid over (midpoint, slope)
 * where floor and amplitude are solved exactly by linear least squares at each node
 * (variable projection), then Levenberg-Marquardt on all four parameters from the best node.
 */

export interface LogisticParams {
  floor: number;
  ceiling: number;
  /** log10(tokens) at half of the rise. */
  midpoint: number;
  /** Steepness per decade of tokens (> 0). */
  slope: number;
}

export interface LogisticFit {
  params: LogisticParams;
  sse: number;
  /** 1 - SSE/SST; null when the data are constant. */
  r2: number | null;
  rmse: number;
}

export const sigmoid = (z: number): number => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));
export const logit = (p: number): number => Math.log(p / (1 - p));

export function logisticAt(p: LogisticParams, x: number): number {
  if (x === -Infinity) return p.floor;
  return p.floor + (p.ceiling - p.floor) * sigmoid(p.slope * (x - p.midpoint));
}

/** x where the curve has completed `share` of its own rise (floor to ceiling). */
export function positionOf(p: LogisticParams, share: number): number {
  return p.midpoint + logit(share) / p.slope;
}

/** Width in decades between two shares of the rise (10% to 90% by default). */
export function widthOf(p: LogisticParams, lo = 0.1, hi = 0.9): number {
  return (logit(hi) - logit(lo)) / p.slope;
}

/**
 * x where the curve reaches the absolute level `y`; null when the curve never reaches it
 * (y outside the open interval between floor and ceiling).
 */
export function positionOfLevel(p: LogisticParams, y: number): number | null {
  const share = (y - p.floor) / (p.ceiling - p.floor);
  if (!(share > 0 && share < 1)) return null;
  return positionOf(p, share);
}

/** Range of steepness the fit may use, expressed as 10-90% widths in decades. */
const MIN_WIDTH = 0.02; // a step between two checkpoints: steeper changes nothing in the fit
const MAX_WIDTH = 20; // wider than the whole probed range: a straight line
const WIDTH_FACTOR = 2 * Math.log(9);
const LOG_SLOPE_MIN = Math.log(WIDTH_FACTOR / MAX_WIDTH);
const LOG_SLOPE_MAX = Math.log(WIDTH_FACTOR / MIN_WIDTH);
/** How far (decades) the midpoint may sit outside the finite x range. */
const MIDPOINT_MARGIN = 3;
const GRID_MIDPOINT_MARGIN = 1;
const GRID_MIDPOINT_STEP = 0.2;
const GRID_WIDTHS = [0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8];

interface Theta {
  f: number; // floor
  a: number; // amplitude (ceiling - floor) >= 0
  m: number; // midpoint
  q: number; // log(slope)
}

/**
 * Least-squares fit of the rising logistic to (x, y). x may contain -Infinity (step 0).
 * Needs at least 4 points with at least 2 distinct finite x values.
 */
export function fitLogistic(x: ArrayLike<number>, y: ArrayLike<number>): LogisticFit {
  return logisticFitter(x)(y);
}

/**
 * A fitter for many curves on the same x (the bootstrap refits one frame hundreds of
 * times): the sigmoid of every grid node at every x is computed once.
 */
export function logisticFitter(x: ArrayLike<number>): (y: ArrayLike<number>) => LogisticFit {
  const n = x.length;
  if (n < 4) throw new Error(`fitLogistic: need >= 4 points (got ${n})`);
  let xMin = Infinity;
  let xMax = -Infinity;
  for (let i = 0; i < n; i++) {
    if (x[i] === -Infinity) continue;
    if (!Number.isFinite(x[i])) throw new Error(`fitLogistic: non-finite x at point ${i}`);
    xMin = Math.min(xMin, x[i]);
    xMax = Math.max(xMax, x[i]);
  }
  if (!(xMax > xMin)) throw new Error('fitLogistic: need two distinct finite x values');
  const grid = buildGrid(x, xMin, xMax);
  const mLo = xMin - MIDPOINT_MARGIN;
  const mHi = xMax + MIDPOINT_MARGIN;
  return (y) => {
    if (y.length !== n) throw new Error(`fitLogistic: ${y.length} values for ${n} points`);
    for (let i = 0; i < n; i++) if (!Number.isFinite(y[i])) throw new Error(`fitLogistic: non-finite y at point ${i}`);
    const best = levenbergMarquardt(x, y, gridStart(grid, y), mLo, mHi);
    const sse = sumSquares(x, y, best);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += y[i];
    mean /= n;
    let sst = 0;
    for (let i = 0; i < n; i++) sst += (y[i] - mean) ** 2;
    return {
      params: { floor: best.f, ceiling: best.f + best.a, midpoint: best.m, slope: Math.exp(best.q) },
      sse,
      r2: sst > 1e-300 ? 1 - sse / sst : null,
      rmse: Math.sqrt(sse / n),
    };
  };
}

/** Grid nodes (midpoint, slope) with each node's sigmoid at every x and its sums. */
interface Grid {
  n: number;
  m: Float64Array;
  q: Float64Array;
  /** Row-major [node * n + i]. */
  sig: Float64Array;
  sum: Float64Array;
  sumSq: Float64Array;
}

function buildGrid(x: ArrayLike<number>, xMin: number, xMax: number): Grid {
  const n = x.length;
  const steps = Math.round((xMax - xMin + 2 * GRID_MIDPOINT_MARGIN) / GRID_MIDPOINT_STEP);
  const nodes = (steps + 1) * GRID_WIDTHS.length;
  const g: Grid = {
    n,
    m: new Float64Array(nodes),
    q: new Float64Array(nodes),
    sig: new Float64Array(nodes * n),
    sum: new Float64Array(nodes),
    sumSq: new Float64Array(nodes),
  };
  let node = 0;
  for (let k = 0; k <= steps; k++) {
    const m = xMin - GRID_MIDPOINT_MARGIN + k * GRID_MIDPOINT_STEP;
    for (const w of GRID_WIDTHS) {
      const s = WIDTH_FACTOR / w;
      g.m[node] = m;
      g.q[node] = Math.log(s);
      for (let i = 0; i < n; i++) {
        const v = x[i] === -Infinity ? 0 : sigmoid(s * (x[i] - m));
        g.sig[node * n + i] = v;
        g.sum[node] += v;
        g.sumSq[node] += v * v;
      }
      node++;
    }
  }
  return g;
}

/**
 * Best grid node: at fixed (midpoint, slope) the curve is linear in floor and amplitude,
 * so both are solved exactly (amplitude clamped to >= 0) and the SSE follows from sums.
 */
function gridStart(g: Grid, y: ArrayLike<number>): Theta {
  const n = g.n;
  let sy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sy += y[i];
    syy += y[i] * y[i];
  }
  // The flat curve (amplitude 0) is the fallback.
  let best: Theta = { f: sy / n, a: 0, m: g.m[0], q: g.q[0] };
  let bestSse = syy - (sy * sy) / n;
  for (let node = 0; node < g.m.length; node++) {
    const ss = g.sum[node];
    const sss = g.sumSq[node];
    let sys = 0;
    const row = node * n;
    for (let i = 0; i < n; i++) sys += y[i] * g.sig[row + i];
    const det = n * sss - ss * ss;
    if (det <= 1e-12) continue;
    let a = (n * sys - ss * sy) / det;
    if (a < 0) a = 0;
    const f = (sy - a * ss) / n;
    const sse = syy - 2 * f * sy - 2 * a * sys + n * f * f + 2 * f * a * ss + a * a * sss;
    if (sse < bestSse) {
      bestSse = sse;
      best = { f, a, m: g.m[node], q: g.q[node] };
    }
  }
  return best;
}

function sig(x: number, t: Theta, s: number): number {
  return x === -Infinity ? 0 : sigmoid(s * (x - t.m));
}

function sumSquares(x: ArrayLike<number>, y: ArrayLike<number>, t: Theta): number {
  const s = Math.exp(t.q);
  let sse = 0;
  for (let i = 0; i < x.length; i++) sse += (y[i] - t.f - t.a * sig(x[i], t, s)) ** 2;
  return sse;
}

function clampTheta(t: Theta, mLo: number, mHi: number): Theta {
  return {
    f: t.f,
    a: Math.max(0, t.a),
    m: Math.min(mHi, Math.max(mLo, t.m)),
    q: Math.min(LOG_SLOPE_MAX, Math.max(LOG_SLOPE_MIN, t.q)),
  };
}

/** Box-constrained Levenberg-Marquardt (projection onto the bounds after each step). */
function levenbergMarquardt(x: ArrayLike<number>, y: ArrayLike<number>, start: Theta, mLo: number, mHi: number): Theta {
  const n = x.length;
  let t = clampTheta(start, mLo, mHi);
  let sse = sumSquares(x, y, t);
  let lambda = 1e-3;
  const jtj = new Float64Array(16);
  const jtr = new Float64Array(4);
  const row = new Float64Array(4);
  for (let iter = 0; iter < 200; iter++) {
    const s = Math.exp(t.q);
    jtj.fill(0);
    jtr.fill(0);
    for (let i = 0; i < n; i++) {
      const v = sig(x[i], t, s);
      const r = y[i] - t.f - t.a * v;
      const dv = v * (1 - v); // 0 at x = -Infinity, so the limits below are 0 there
      row[0] = 1;
      row[1] = v;
      row[2] = x[i] === -Infinity ? 0 : -t.a * dv * s;
      row[3] = x[i] === -Infinity ? 0 : t.a * dv * s * (x[i] - t.m);
      for (let p = 0; p < 4; p++) {
        jtr[p] += row[p] * r;
        for (let q = 0; q < 4; q++) jtj[p * 4 + q] += row[p] * row[q];
      }
    }
    let improved = false;
    while (lambda < 1e12) {
      const A = Float64Array.from(jtj);
      for (let p = 0; p < 4; p++) A[p * 5] += lambda * (jtj[p * 5] + 1e-12);
      const d = solve4(A, jtr);
      if (d) {
        const cand = clampTheta({ f: t.f + d[0], a: t.a + d[1], m: t.m + d[2], q: t.q + d[3] }, mLo, mHi);
        const cSse = sumSquares(x, y, cand);
        if (cSse < sse) {
          const gain = sse - cSse;
          t = cand;
          sse = cSse;
          lambda = Math.max(lambda / 3, 1e-12);
          improved = true;
          if (gain <= 1e-12 * (sse + 1e-12)) return t;
          break;
        }
      }
      lambda *= 4;
    }
    if (!improved) return t;
  }
  return t;
}

/** Solves the 4x4 system A d = b by Gaussian elimination with partial pivoting. */
function solve4(A: Float64Array, b: Float64Array): Float64Array | null {
  const M = Float64Array.from(A);
  const v = Float64Array.from(b);
  for (let c = 0; c < 4; c++) {
    let piv = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(M[r * 4 + c]) > Math.abs(M[piv * 4 + c])) piv = r;
    if (Math.abs(M[piv * 4 + c]) < 1e-300) return null;
    if (piv !== c) {
      for (let k = 0; k < 4; k++) [M[c * 4 + k], M[piv * 4 + k]] = [M[piv * 4 + k], M[c * 4 + k]];
      [v[c], v[piv]] = [v[piv], v[c]];
    }
    for (let r = c + 1; r < 4; r++) {
      const f = M[r * 4 + c] / M[c * 4 + c];
      for (let k = c; k < 4; k++) M[r * 4 + k] -= f * M[c * 4 + k];
      v[r] -= f * v[c];
    }
  }
  const d = new Float64Array(4);
  for (let r = 3; r >= 0; r--) {
    let acc = v[r];
    for (let k = r + 1; k < 4; k++) acc -= M[r * 4 + k] * d[k];
    d[r] = acc / M[r * 4 + r];
  }
  return d;
}
