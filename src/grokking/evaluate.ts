/**
 * Evaluation of a grokking model: logits of many pairs (no gradients, in chunks), loss and
 * accuracy, the weight norm, and the Fourier progress measures of one step.
 */
import type { BufferPool } from '../engine/buffer-pool.js';
import type { Precision } from '../engine/precision.js';
import type { GPT } from '../model/gpt.js';
import { embeddingMeasures } from './fourier.js';
import { hasFourierCircuit, logitMeasures } from './logit-measures.js';
import type { GrokEvalRecord } from './records.js';
import { SEQ_LEN, type Examples, type GrokDataset } from './task.js';
import { argmaxOf } from '../util/argmax.js';

const CHUNK = 4096;

/** Logits at the '=' position for every example, [n, V] (float32, a copy). */
export function predict(model: GPT, ex: Examples, pool?: BufferPool, precision?: Precision): Float32Array {
  const V = model.config.vocab_size;
  const out = new Float32Array(ex.size * V);
  for (let start = 0; start < ex.size; start += CHUNK) {
    const n = Math.min(CHUNK, ex.size - start);
    const g = model.graph(false, { pool, precision });
    const logits = model.forward(g, ex.tokens.subarray(start * SEQ_LEN, (start + n) * SEQ_LEN), n, SEQ_LEN, {
      lastPosition: true,
    });
    out.set(logits.data, start * V);
    g.release();
  }
  return out;
}

/** Share of rows of logits [n, V] whose argmax is the label (ties: the first maximum). */
export function accuracy(logits: ArrayLike<number>, labels: Int32Array, V: number): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    if (argmaxOf(logits, i * V, V) === labels[i]) correct++;
  }
  return correct / labels.length;
}

/** Mean cross-entropy over all V logits (float64) and argmax accuracy of logits [n, V]. */
export function lossAndAccuracy(
  logits: ArrayLike<number>,
  labels: Int32Array,
  V: number,
): { loss: number; acc: number } {
  let loss = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = i * V;
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (logits[row + v] > max) max = logits[row + v];
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[row + v] - max);
    loss += max + Math.log(sum) - logits[row + labels[i]];
  }
  return { loss: loss / labels.length, acc: accuracy(logits, labels, V) };
}

export function weightNorm(model: GPT): number {
  let sum = 0;
  for (const t of model.params.values()) for (let i = 0; i < t.size; i++) sum += t.data[i] * t.data[i];
  return Math.sqrt(sum);
}

/** Places train and test logits on the p x p grid (row a * p + b); marks the training pairs. */
export function gridLogits(ds: GrokDataset, trainLogits: ArrayLike<number>, testLogits: ArrayLike<number>, V: number) {
  const p = ds.p;
  const logits = new Float32Array(p * p * V);
  const isTrain = new Uint8Array(p * p);
  const place = (ex: Examples, src: ArrayLike<number>, train: boolean) => {
    for (let i = 0; i < ex.size; i++) {
      const cell = ex.a[i] * p + ex.b[i];
      for (let v = 0; v < V; v++) logits[cell * V + v] = src[i * V + v];
      if (train) isTrain[cell] = 1;
    }
  };
  place(ds.train, trainLogits, true);
  place(ds.test, testLogits, false);
  return { logits, isTrain };
}

/** The measures of one evaluation: an eval record without its bookkeeping fields. */
export type StepMeasures = Omit<GrokEvalRecord, 'type' | 'step' | 'time'>;

/**
 * Every progress measure of the model's current parameters, given its train and test
 * logits. `keys` fixes the key frequencies (the final model's, after training); without it
 * the embedding's current key frequencies are used.
 */
export function measureStep(
  model: GPT,
  ds: GrokDataset,
  trainLogits: ArrayLike<number>,
  testLogits: ArrayLike<number>,
  keys?: number[],
): StepMeasures {
  const V = model.config.vocab_size;
  const d = model.config.n_embd;
  const train = lossAndAccuracy(trainLogits, ds.train.labels, V);
  const test = lossAndAccuracy(testLogits, ds.test.labels, V);
  const wte = model.param('transformer.wte.weight').data;
  const emb = embeddingMeasures(wte, ds.p, d, keys);
  let restricted_loss: number | null = null;
  let excluded_loss: number | null = null;
  if (hasFourierCircuit(ds.op)) {
    const grid = gridLogits(ds, trainLogits, testLogits, V);
    const m = logitMeasures(ds.op, ds.p, grid.logits, V, grid.isTrain, emb.keyFrequencies);
    restricted_loss = m.restrictedLoss;
    excluded_loss = m.excludedLoss;
  }
  return {
    train_loss: train.loss,
    train_acc: train.acc,
    test_loss: test.loss,
    test_acc: test.acc,
    weight_norm: weightNorm(model),
    spectrum: emb.spectrum,
    gini: emb.gini,
    key_frequencies: emb.keyFrequencies,
    key_share: emb.keyShare,
    restricted_loss,
    excluded_loss,
  };
}
