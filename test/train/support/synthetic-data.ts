/**
 * A small synthetic corpus behind the TrainingData interface, for tests of the trainer:
 * three sources a tiny model learns at different speeds (a counting sequence, a repeated
 * pattern, uniform noise), a character tokenizer, and a sampler where batch k is a pure
 * function of (seed, k, weights, B, T), like the real corpus's.
 */
import type { Batch } from '../../../src/data/sampler.js';
import type { SourceInfo, TrainingData } from '../../../src/train/training-data.js';
import { Rng } from '../../../src/util/rng.js';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz .,;!?';

/** A source's token stream; `split` varies the noise but not the pattern, as held-out text would. */
function stream(name: string, n: number, seed: number, split: string): Int32Array {
  const V = ALPHABET.length;
  const out = new Int32Array(n);
  if (name === 'count') for (let i = 0; i < n; i++) out[i] = i % V;
  else if (name === 'repeat') {
    const rng = Rng.derive(seed, name);
    const pattern = Array.from({ length: 5 }, () => rng.int(V));
    for (let i = 0; i < n; i++) out[i] = pattern[i % pattern.length];
  } else {
    const rng = Rng.derive(seed, name, split);
    for (let i = 0; i < n; i++) out[i] = rng.int(V);
  }
  return out;
}

export function syntheticData(opts: { tokens?: number; seed?: number; dir?: string } = {}): TrainingData {
  const n = opts.tokens ?? 4096;
  const seed = opts.seed ?? 1;
  const specs: SourceInfo[] = [
    { name: 'count', kind: 'reasoning', tokens: n },
    { name: 'repeat', kind: 'books', tokens: n },
    { name: 'noise', kind: 'news', tokens: n / 2 },
  ];
  const train = specs.map((s) => stream(s.name, s.tokens, seed, 'train'));
  const heldOut = specs.map((s) => stream(s.name, 1024, seed, 'val'));
  const V = ALPHABET.length + 1;
  const eotId = ALPHABET.length;

  const fill = (
    pick: (row: number) => { source: number; offset: number },
    streams: Int32Array[],
    B: number,
    T: number,
  ): Batch => {
    const batch = { inputs: new Int32Array(B * T), targets: new Int32Array(B * T), sources: new Uint8Array(B * T) };
    for (let b = 0; b < B; b++) {
      const { source, offset } = pick(b);
      const s = streams[source];
      batch.inputs.set(s.subarray(offset, offset + T), b * T);
      batch.targets.set(s.subarray(offset + 1, offset + T + 1), b * T);
      batch.sources.fill(source, b * T, (b + 1) * T);
    }
    return batch;
  };

  return {
    dir: opts.dir ?? `synthetic-${seed}-${n}`,
    sources: specs,
    tokenizer: {
      vocabSize: V,
      eotId,
      encode: (text) => [...text].map((ch) => ALPHABET.indexOf(ch)).filter((i) => i >= 0),
      decode: (ids) => Array.from(ids, (i) => (i === eotId ? '\n' : (ALPHABET[i] ?? ''))).join(''),
    },
    tokenizerJson: JSON.stringify({
      version: '1.0',
      model: { type: 'WordLevel', vocab: Object.fromEntries([...ALPHABET].map((ch, i) => [ch, i])) },
    }),
    fingerprint: `synthetic:${seed}:${n}`,
    batch(dataSeed, k, weights, B, T) {
      return fill(
        (row) => {
          const rng = Rng.derive(dataSeed, k, row);
          let u = rng.next();
          let source = 0;
          while (source < weights.length - 1 && (u -= weights[source]) >= 0) source++;
          return { source, offset: rng.int(train[source].length - T - 1) };
        },
        train,
        B,
        T,
      );
    },
    validation(source, count, B, T) {
      return Array.from({ length: count }, (_, i) =>
        fill((row) => ({ source, offset: ((i * B + row) * 7 * T) % (heldOut[source].length - T - 1) }), heldOut, B, T),
      );
    },
  };
}
