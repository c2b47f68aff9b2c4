/**
 * TopK sparse autoencoders (Gao et al. 2024, "Scaling and evaluating sparse autoencoders"):
 *
 *   z     = TopK(ReLU(W_enc (x - b_dec) + b_enc))     only the k largest latents kept
 *   x_hat = W_dec z + b_dec
 *
 * trained on the mean squared error, plus the AuxK loss: the latents that have not fired for
 * `deadTokens` tokens reconstruct the main error e = x - x_hat with their own top auxK,
 * weighted by auxCoef (e is held fixed: only the dead latents learn from it). The encoder
 * starts as the transpose of the decoder, decoder rows have unit norm (the gradient's
 * component along each row is removed before the step and rows renormalised after it),
 * b_dec starts at the data mean. Inputs are scaled so their mean squared norm is d.
 *
 * Everything is float32 on flat buffers; the encoder's dense product runs on the engine's
 * GEMM, the rest touches only the k (+ auxK) active latents of each row.
 */
import { kernels } from '../engine/backend.js';
import { SlurryError } from '../util/errors.js';
import { Rng } from '../util/rng.js';

export interface SaeConfig {
  /** Number of latents. */
  latents: number;
  /** Active latents per input. */
  k: number;
  /** Dead latents used by the AuxK loss per input (OpenAI: d / 2). */
  auxK: number;
  auxCoef: number;
  /** Tokens without firing after which a latent counts as dead (for AuxK). */
  deadTokens: number;
  lr: number;
  batch: number;
  epochs: number;
  seed: number;
}

export interface Sae {
  d: number;
  m: number;
  k: number;
  /** Inputs are divided by this before encoding (and outputs multiplied). */
  scale: number;
  /** [m, d]: row j is latent j's encoder. */
  wEnc: Float32Array;
  bEnc: Float32Array;
  /** [m, d]: row j is latent j's unit-norm decoder direction. */
  wDec: Float32Array;
  bDec: Float32Array;
}

/** Bytes the SAE's training needs beyond its input; a larger request is refused. */
export function saeTrainingBytes(d: number, cfg: Pick<SaeConfig, 'latents' | 'batch'>): number {
  // Parameters, their gradients and two Adam moments (4 copies of 2 m d), plus the batch's
  // pre-activations [batch, m].
  return 4 * (4 * 2 * cfg.latents * d + cfg.batch * cfg.latents);
}

/** Refuses an SAE whose buffers would not fit in `limitBytes`: one line naming the sizes. */
export function checkSaeFits(d: number, cfg: Pick<SaeConfig, 'latents' | 'batch'>, limitBytes: number): void {
  const need = saeTrainingBytes(d, cfg);
  if (need > limitBytes) {
    const gib = (b: number) => (b / 2 ** 30).toFixed(2);
    throw new SlurryError(
      `SAE with ${cfg.latents} latents on ${d}-dim activations needs ${gib(need)} GiB; the limit is ${gib(limitBytes)} GiB (lower --sae-latents)`,
    );
  }
}

/** Sparse codes of n rows: for each row k latent indices and their values (0 when not firing). */
export interface Codes {
  n: number;
  k: number;
  index: Int32Array;
  value: Float32Array;
}

export function trainSae(x: Float32Array, n: number, d: number, cfg: SaeConfig): Sae {
  const { latents: m, k } = cfg;
  if (k > m) throw new SlurryError(`SAE: k (${k}) exceeds the number of latents (${m})`);
  const rng = Rng.derive(cfg.seed, 'sae');
  let sq = 0;
  for (let i = 0; i < n * d; i++) sq += x[i] * x[i];
  const scale = Math.sqrt(sq / n / d) || 1;
  const xs = Float32Array.from(x, (v) => v / scale);
  const wDec = new Float32Array(m * d);
  for (let i = 0; i < m * d; i++) wDec[i] = rng.normal();
  normaliseRows(wDec, m, d);
  const sae: Sae = {
    d,
    m,
    k,
    scale,
    wEnc: Float32Array.from(wDec),
    bEnc: new Float32Array(m),
    wDec,
    bDec: new Float32Array(d),
  };
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sae.bDec[j] += xs[i * d + j] / n;

  const params = [sae.wEnc, sae.bEnc, sae.wDec, sae.bDec];
  const grads = params.map((p) => new Float32Array(p.length));
  const [gEnc, gBEnc, gDec, gBDec] = grads;
  const mom1 = params.map((p) => new Float32Array(p.length));
  const mom2 = params.map((p) => new Float32Array(p.length));
  const B = Math.min(cfg.batch, n);
  const xc = new Float32Array(B * d);
  const pre = new Float32Array(B * m);
  const lastFired = new Float64Array(m);
  const top = new TopK(m);
  const auxIdx: number[] = [];
  const e = new Float32Array(d);
  const dxh = new Float32Array(d);
  let seen = 0;
  let step = 0;
  const order = Array.from({ length: n }, (_, i) => i);
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    rng.shuffle(order);
    for (let start = 0; start + B <= n; start += B) {
      for (const g of grads) g.fill(0);
      for (let r = 0; r < B; r++) {
        const src = order[start + r] * d;
        for (let j = 0; j < d; j++) xc[r * d + j] = xs[src + j] - sae.bDec[j];
      }
      encodeDense(sae, xc, B, pre);
      const dead = [...lastFired.keys()].filter((j) => seen - lastFired[j] >= cfg.deadTokens);
      const norm = 2 / (B * d);
      for (let r = 0; r < B; r++) {
        const row = pre.subarray(r * m, (r + 1) * m);
        const active = top.select(row, k);
        // e = x - x_hat, with x - b_dec = xc.
        for (let j = 0; j < d; j++) e[j] = xc[r * d + j];
        for (const a of active) {
          const z = row[a];
          if (z <= 0) continue;
          lastFired[a] = seen + r;
          for (let j = 0; j < d; j++) e[j] -= z * sae.wDec[a * d + j];
        }
        for (let j = 0; j < d; j++) dxh[j] = -norm * e[j];
        backwardRow(sae, row, active, dxh, xc.subarray(r * d, (r + 1) * d), gEnc, gBEnc, gDec, gBDec);
        if (dead.length > 0 && cfg.auxK > 0) {
          // AuxK: the dead latents' own top auxK reconstruct e (held fixed).
          auxIdx.length = 0;
          for (const j of topOf(row, dead, cfg.auxK)) if (row[j] > 0) auxIdx.push(j);
          if (auxIdx.length === 0) continue;
          const resid = Float32Array.from(e);
          for (const a of auxIdx) for (let j = 0; j < d; j++) resid[j] -= row[a] * sae.wDec[a * d + j];
          for (let j = 0; j < d; j++) dxh[j] = -cfg.auxCoef * norm * resid[j];
          backwardRow(sae, row, auxIdx, dxh, xc.subarray(r * d, (r + 1) * d), gEnc, gBEnc, gDec, null);
        }
      }
      seen += B;
      // Keep decoder rows on the unit sphere: no gradient along a row.
      for (let a = 0; a < m; a++) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += gDec[a * d + j] * sae.wDec[a * d + j];
        if (dot !== 0) for (let j = 0; j < d; j++) gDec[a * d + j] -= dot * sae.wDec[a * d + j];
      }
      step++;
      params.forEach((p, i) => adam(p, grads[i], mom1[i], mom2[i], cfg.lr, step));
      normaliseRows(sae.wDec, m, d);
    }
  }
  return sae;
}

/** Adds one row's gradient, given d(loss)/d(x_hat) for a reconstruction from `active`. */
function backwardRow(
  sae: Sae,
  pre: Float32Array,
  active: readonly number[],
  dxh: Float32Array,
  xc: Float32Array,
  gEnc: Float32Array,
  gBEnc: Float32Array,
  gDec: Float32Array,
  gBDec: Float32Array | null,
): void {
  const d = sae.d;
  if (gBDec) for (let j = 0; j < d; j++) gBDec[j] += dxh[j];
  for (const a of active) {
    const z = pre[a];
    if (z <= 0) continue;
    let dz = 0;
    for (let j = 0; j < d; j++) {
      gDec[a * d + j] += z * dxh[j];
      dz += dxh[j] * sae.wDec[a * d + j];
    }
    gBEnc[a] += dz;
    for (let j = 0; j < d; j++) gEnc[a * d + j] += dz * xc[j];
    // b_dec enters the encoder as x - b_dec.
    if (gBDec) for (let j = 0; j < d; j++) gBDec[j] -= dz * sae.wEnc[a * d + j];
  }
}

function adam(p: Float32Array, g: Float32Array, m1: Float32Array, m2: Float32Array, lr: number, t: number): void {
  const b1 = 0.9;
  const b2 = 0.999;
  const c1 = 1 - b1 ** t;
  const c2 = 1 - b2 ** t;
  for (let i = 0; i < p.length; i++) {
    m1[i] = b1 * m1[i] + (1 - b1) * g[i];
    m2[i] = b2 * m2[i] + (1 - b2) * g[i] * g[i];
    p[i] -= (lr * (m1[i] / c1)) / (Math.sqrt(m2[i] / c2) + 1e-8);
  }
}

function normaliseRows(w: Float32Array, m: number, d: number): void {
  for (let a = 0; a < m; a++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += w[a * d + j] ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let j = 0; j < d; j++) w[a * d + j] *= inv;
  }
}

/** pre [n, m] = xc W_encᵀ + b_enc for centred rows xc [n, d] (xc = x / scale - b_dec). */
function encodeDense(sae: Sae, xc: Float32Array, n: number, pre: Float32Array): void {
  kernels().gemm(false, true, n, sae.m, sae.d, 1, xc, sae.d, sae.wEnc, sae.d, 0, pre, sae.m);
  kernels().addBias(pre, sae.bEnc, n, sae.m);
}

/** The k largest entries of a row (indices), by quickselect on a scratch copy. */
class TopK {
  private readonly scratch: Float32Array;
  private readonly out: number[] = [];

  constructor(m: number) {
    this.scratch = new Float32Array(m);
  }

  select(row: Float32Array, k: number): number[] {
    const m = row.length;
    this.out.length = 0;
    if (k >= m) {
      for (let j = 0; j < m; j++) this.out.push(j);
      return this.out;
    }
    const s = this.scratch;
    s.set(row);
    const threshold = kthLargest(s, k);
    // Strictly greater first, then ties in index order until k.
    for (let j = 0; j < m; j++) if (row[j] > threshold) this.out.push(j);
    for (let j = 0; j < m && this.out.length < k; j++) if (row[j] === threshold) this.out.push(j);
    return this.out;
  }
}

/** The k-th largest value of s (s is reordered). */
function kthLargest(s: Float32Array, k: number): number {
  let lo = 0;
  let hi = s.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = s[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (s[i] > pivot) i++;
      while (s[j] < pivot) j--;
      if (i <= j) {
        const t = s[i];
        s[i] = s[j];
        s[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return s[target];
  }
  return s[target];
}

function topOf(row: Float32Array, candidates: readonly number[], k: number): number[] {
  if (candidates.length <= k) return [...candidates];
  return [...candidates].sort((a, b) => row[b] - row[a] || a - b).slice(0, k);
}

/** Sparse codes of rows x [n, d] (in the input's units). */
export function encode(sae: Sae, x: ArrayLike<number>, n: number): Codes {
  const { d, m, k } = sae;
  const index = new Int32Array(n * k);
  const value = new Float32Array(n * k);
  const chunk = 256;
  const xc = new Float32Array(chunk * d);
  const pre = new Float32Array(chunk * m);
  const top = new TopK(m);
  for (let start = 0; start < n; start += chunk) {
    const rows = Math.min(chunk, n - start);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) xc[r * d + j] = x[(start + r) * d + j] / sae.scale - sae.bDec[j];
    }
    encodeDense(sae, xc, rows, pre);
    for (let r = 0; r < rows; r++) {
      const row = pre.subarray(r * m, (r + 1) * m);
      top.select(row, k).forEach((a, s) => {
        index[(start + r) * k + s] = a;
        value[(start + r) * k + s] = Math.max(0, row[a]);
      });
    }
  }
  return { n, k, index, value };
}

/** Reconstructions [n, d] of codes (in the input's units). */
export function decode(sae: Sae, codes: Codes): Float32Array {
  const { d } = sae;
  const out = new Float32Array(codes.n * d);
  for (let i = 0; i < codes.n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) out[o + j] = sae.bDec[j];
    for (let s = 0; s < codes.k; s++) {
      const z = codes.value[i * codes.k + s];
      if (z <= 0) continue;
      const a = codes.index[i * codes.k + s] * d;
      for (let j = 0; j < d; j++) out[o + j] += z * sae.wDec[a + j];
    }
    for (let j = 0; j < d; j++) out[o + j] *= sae.scale;
  }
  return out;
}

/** Fraction of variance unexplained: sum ||x - x_hat||² / sum ||x - mean(x)||². */
export function fvu(x: ArrayLike<number>, xHat: ArrayLike<number>, n: number, d: number): number {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j] / n;
  let err = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      err += (x[i * d + j] - xHat[i * d + j]) ** 2;
      total += (x[i * d + j] - mean[j]) ** 2;
    }
  }
  return total > 0 ? err / total : 0;
}

/** How often each latent fires (z > 0) over the codes' rows. */
export function densities(codes: Codes, m: number): Float64Array {
  const f = new Float64Array(m);
  for (let i = 0; i < codes.index.length; i++) if (codes.value[i] > 0) f[codes.index[i]]++;
  return f.map((c) => c / codes.n);
}
