/**
 * Linear probes: a ridge-regularised least-squares classifier on one-hot labels (closed
 * form, deterministic: the same data gives the same probe), read out by argmax. Features
 * are standardised with the training rows' statistics; the ridge is RIDGE times the mean
 * feature variance (1 after standardising) times the number of training rows.
 *
 * Control task (Hewitt and Liang 2019): every word type gets a random label drawn from the
 * task's label distribution, fixed by a seed, so a probe can only score above chance on it
 * by memorising types. Selectivity = task accuracy - control accuracy, on held-out rows.
 */
import { Rng } from '../util/rng.js';
import { argmaxOf } from '../util/argmax.js';
import { choleskySolve, crossProduct } from './matrix.js';

export const RIDGE = 1e-3;

export interface ProbeData {
  /** Features [n, d], row-major. */
  x: ArrayLike<number>;
  d: number;
  /** Label of each row, 0 .. classes-1. */
  labels: Int32Array;
  classes: number;
}

export interface LinearProbe {
  d: number;
  classes: number;
  mean: Float64Array;
  /** 1 / standard deviation of each feature (0 for a constant feature). */
  invStd: Float64Array;
  /** Weights [d, classes] and bias [classes]. */
  w: Float64Array;
  bias: Float64Array;
}

export function fitLinearProbe(data: ProbeData, rows: Int32Array): LinearProbe {
  const { d, classes } = data;
  const n = rows.length;
  if (n === 0) throw new Error('fitLinearProbe: no training rows');
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += data.x[r * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  for (const r of rows) for (let j = 0; j < d; j++) sq[j] += (data.x[r * d + j] - mean[j]) ** 2;
  const invStd = sq.map((s) => (s > 1e-12 * n ? 1 / Math.sqrt(s / n) : 0));
  const z = new Float32Array(n * d);
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) z[i * d + j] = (data.x[r * d + j] - mean[j]) * invStd[j];
  });
  const gram = Float64Array.from(crossProduct(z, z, n, d, d));
  for (let j = 0; j < d; j++) gram[j * d + j] += RIDGE * n + 1e-9;
  // Centred one-hot targets: the bias is the class frequency, the weights fit the rest.
  const freq = new Float64Array(classes);
  rows.forEach((r) => freq[data.labels[r]]++);
  for (let k = 0; k < classes; k++) freq[k] /= n;
  const xty = new Float64Array(d * classes);
  rows.forEach((r, i) => {
    const k = data.labels[r];
    for (let j = 0; j < d; j++) xty[j * classes + k] += z[i * d + j];
  });
  return { d, classes, mean, invStd, w: choleskySolve(gram, xty, d, classes), bias: freq };
}

/** The probe's class for each of `rows`. */
export function predict(p: LinearProbe, x: ArrayLike<number>, rows: Int32Array): Int32Array {
  const { d, classes } = p;
  const out = new Int32Array(rows.length);
  const z = new Float64Array(d);
  const score = new Float64Array(classes);
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) z[j] = (x[r * d + j] - p.mean[j]) * p.invStd[j];
    score.set(p.bias);
    for (let j = 0; j < d; j++) {
      const zj = z[j];
      if (zj === 0) continue;
      for (let k = 0; k < classes; k++) score[k] += zj * p.w[j * classes + k];
    }
    out[i] = argmaxOf(score, 0, classes);
  });
  return out;
}

/** 1 where the probe fitted on `train` labels a `test` row correctly, 0 elsewhere. */
export function probeHits(data: ProbeData, train: Int32Array, test: Int32Array): Uint8Array {
  const pred = predict(fitLinearProbe(data, train), data.x, test);
  return Uint8Array.from(test, (r, i) => (pred[i] === data.labels[r] ? 1 : 0));
}

/**
 * Control labels: each type (a word, a token id) gets one label drawn from the empirical
 * distribution of `labels`, by a generator derived from the seed and the type, so a type's
 * control label does not depend on which other rows are present.
 */
export function controlLabels(
  types: readonly (string | number)[],
  labels: Int32Array,
  classes: number,
  seed: number,
): Int32Array {
  const counts = new Float64Array(classes);
  labels.forEach((k) => counts[k]++);
  const cdf: number[] = [];
  let acc = 0;
  for (let k = 0; k < classes; k++) cdf.push((acc += counts[k] / labels.length));
  const byType = new Map<string | number, number>();
  return Int32Array.from(types, (t) => {
    let k = byType.get(t);
    if (k === undefined) {
      const u = Rng.derive(seed, 'control', String(t)).next();
      k = cdf.findIndex((c) => u < c);
      if (k < 0) k = classes - 1;
      byType.set(t, k);
    }
    return k;
  });
}

/** Accuracy of always answering the most frequent training label, on the test rows. */
export function majorityBaseline(labels: Int32Array, classes: number, train: Int32Array, test: Int32Array): number {
  const counts = new Float64Array(classes);
  train.forEach((r) => counts[labels[r]]++);
  const best = argmaxOf(counts, 0, classes);
  let hits = 0;
  test.forEach((r) => (hits += labels[r] === best ? 1 : 0));
  return test.length ? hits / test.length : 0;
}
