/**
 * The reference tree-attention kernel against the causal attention kernel: a causal batch
 * written as tree queries (each row's keys the rows before it, split between the block and
 * the list at random) gives the same output, whatever the order of the listed keys.
 */
import { test } from 'node:test';
import { referenceKernels as ref } from '../../src/engine/reference/kernels.js';
import { Rng } from '../../src/util/rng.js';
import { assertClose } from './native-support.js';

test('tree attention over "all earlier rows" is causal attention', () => {
  const rng = new Rng('tree-attention/causal');
  for (const [B, T, C, H] of [
    [1, 1, 4, 1],
    [2, 7, 12, 3],
    [3, 17, 16, 2],
  ]) {
    const qkv = Float64Array.from({ length: B * T * 3 * C }, () => rng.normal());
    const want = new Float64Array(B * T * C);
    ref.attentionForward(want, new Float64Array(B * H * T * T), qkv, B, T, C, H);
    const n = B * T;
    const rows = Int32Array.from({ length: n }, (_, j) => j);
    // Row b*T + t: the first `split` of its keys as the block, the rest listed (shuffled).
    const spanStart = Int32Array.from(rows, (j) => j - (j % T));
    const spanLen = Int32Array.from(rows, (j) => rng.int((j % T) + 2));
    const extraStart = new Int32Array(n + 1);
    const extra: number[] = [];
    for (let j = 0; j < n; j++) {
      const listed = Array.from({ length: (j % T) + 1 - spanLen[j] }, (_, u) => spanStart[j] + spanLen[j] + u);
      extra.push(...rng.shuffle(listed));
      extraStart[j + 1] = extra.length;
    }
    const got = new Float64Array(B * T * C);
    ref.treeAttentionForward(got, qkv, rows, spanStart, spanLen, extraStart, Int32Array.from(extra), n, C, H);
    assertClose(got, want, 1e-12, `B=${B} T=${T} C=${C} H=${H}`);
  }
});
