/**
 * Fourier analysis over Z_p (Nanda et al. 2023): a network that has grokked modular
 * addition represents each residue x by cos(w_k x), sin(w_k x) for a few key frequencies
 * w_k = 2 pi k / p, so its embedding, written in the Fourier basis, is sparse.
 *
 * Basis (real, orthonormal over x = 0..p-1): the constant 1/sqrt(p); for each frequency
 * k = 1..floor((p-1)/2) the pair cos(w_k x) sqrt(2/p), sin(w_k x) sqrt(2/p); for even p also
 * the Nyquist term cos(pi x)/sqrt(p) as frequency p/2 (it has no sine).
 */

/** Frequencies 1..floor(p/2): the non-constant frequencies of Z_p. */
export function frequencies(p: number): number[] {
  return Array.from({ length: Math.floor(p / 2) }, (_, i) => i + 1);
}

export interface BasisVector {
  /** 0 for the constant. */
  freq: number;
  kind: 'const' | 'cos' | 'sin';
  v: Float64Array;
}

/** The p basis vectors: constant, cos 1, sin 1, cos 2, sin 2, ... */
export function fourierBasis(p: number): BasisVector[] {
  const basis: BasisVector[] = [
    { freq: 0, kind: 'const', v: Float64Array.from({ length: p }, () => 1 / Math.sqrt(p)) },
  ];
  for (const k of frequencies(p)) {
    const w = (2 * Math.PI * k) / p;
    if (2 * k === p) {
      basis.push({
        freq: k,
        kind: 'cos',
        v: Float64Array.from({ length: p }, (_, x) => Math.cos(w * x) / Math.sqrt(p)),
      });
      continue;
    }
    basis.push({
      freq: k,
      kind: 'cos',
      v: Float64Array.from({ length: p }, (_, x) => Math.cos(w * x) * Math.sqrt(2 / p)),
    });
    basis.push({
      freq: k,
      kind: 'sin',
      v: Float64Array.from({ length: p }, (_, x) => Math.sin(w * x) * Math.sqrt(2 / p)),
    });
  }
  return basis;
}

export interface EmbeddingSpectrum {
  /** Squared norm of the embedding's component along the constant basis vector. */
  constant: number;
  /** power[k-1]: squared norm of its components along cos(w_k x) and sin(w_k x), k = 1..floor(p/2). */
  power: number[];
  /** Squared Frobenius norm of the p residue rows (= constant + sum of power). */
  total: number;
}

/**
 * Spectrum of an embedding matrix: `weight` holds at least p rows of width d (row x is
 * residue x; extra rows such as '=' are ignored). Because the basis is orthonormal, the
 * powers and the constant add up to the squared norm of the p rows.
 */
export function embeddingSpectrum(weight: ArrayLike<number>, p: number, d: number): EmbeddingSpectrum {
  const power = new Array<number>(frequencies(p).length).fill(0);
  let constant = 0;
  let total = 0;
  for (let i = 0; i < p * d; i++) total += weight[i] ** 2;
  const coef = new Float64Array(d);
  for (const { freq, v } of fourierBasis(p)) {
    coef.fill(0);
    for (let x = 0; x < p; x++) {
      for (let j = 0; j < d; j++) coef[j] += v[x] * weight[x * d + j];
    }
    let sq = 0;
    for (let j = 0; j < d; j++) sq += coef[j] ** 2;
    if (freq === 0) constant = sq;
    else power[freq - 1] += sq;
  }
  return { constant, power, total };
}

/**
 * Gini coefficient of non-negative values (0: all equal; towards 1: all mass on one):
 * G = sum_i (2i - n - 1) x_(i) / (n sum x), with x sorted ascending and i = 1..n.
 */
export function gini(values: readonly number[]): number {
  const xs = [...values].sort((a, b) => a - b);
  const n = xs.length;
  const sum = xs.reduce((a, b) => a + b, 0);
  if (n === 0 || sum === 0) return 0;
  let acc = 0;
  xs.forEach((x, i) => (acc += (2 * (i + 1) - n - 1) * x));
  return acc / (n * sum);
}

/**
 * A frequency is key when its power is at least KEY_FREQUENCY_FACTOR times the mean power
 * over all non-constant frequencies. A random embedding has every frequency near the mean
 * (its powers fluctuate by about sqrt(2/(2d)) relative, about 9% for d = 128), so it has no
 * key frequency; a grokked one concentrates its norm in a handful of them.
 */
export const KEY_FREQUENCY_FACTOR = 3;

/** Key frequencies of a spectrum, ascending. */
export function keyFrequencies(spectrum: EmbeddingSpectrum): number[] {
  const mean = spectrum.power.reduce((a, b) => a + b, 0) / spectrum.power.length;
  const keys: number[] = [];
  spectrum.power.forEach((pw, i) => {
    if (mean > 0 && pw >= KEY_FREQUENCY_FACTOR * mean) keys.push(i + 1);
  });
  return keys;
}

/** Share of the embedding's squared norm (residue rows, constant included) held by `keys`. */
export function keyShare(spectrum: EmbeddingSpectrum, keys: readonly number[]): number {
  if (spectrum.total === 0) return 0;
  return keys.reduce((s, k) => s + spectrum.power[k - 1], 0) / spectrum.total;
}

/**
 * The progress measures of an embedding (Nanda et al. 2023): the spectrum as shares of the
 * squared norm, the Gini coefficient of the per-frequency norms sqrt(power_k) (constant
 * excluded; Nanda et al. take it over the norms of the Fourier components), the key
 * frequencies (the embedding's own unless `keys` fixes them) and the share they hold.
 */
export function embeddingMeasures(weight: ArrayLike<number>, p: number, d: number, keys?: readonly number[]) {
  const spectrum = embeddingSpectrum(weight, p, d);
  const keyFreqs = keys ? [...keys] : keyFrequencies(spectrum);
  return {
    spectrum: spectrum.power.map((pw) => (spectrum.total > 0 ? pw / spectrum.total : 0)),
    gini: gini(spectrum.power.map(Math.sqrt)),
    keyFrequencies: keyFreqs,
    keyShare: keyShare(spectrum, keyFreqs),
  };
}
