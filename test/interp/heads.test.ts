/**
 * Head scores on models with known answers: a two-layer attention-only transformer whose
 * weights are set by hand to implement an induction circuit (a previous-token head in layer
 * 0 feeding an induction head in layer 1), and a fresh model (every score at chance).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureHeads } from '../../src/interp/measure.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { Rng } from '../../src/util/rng.js';

const V = 8; // token 7 is EOT
const P = 16;
const C = 2 * V + P; // residual: token one-hot | position one-hot | previous token one-hot
const TOK = 0;
const POS = V;
const PREV = V + P;
const BETA = 40 * Math.sqrt(C); // attention logit of a match, after the 1/sqrt(head size) scale: 40

function plantedInductionModel(): GPT {
  const config = parseGPTConfig({
    vocab_size: V,
    n_layer: 2,
    n_head: 1,
    n_embd: C,
    n_positions: P,
    n_inner: 4,
    layer_norm: false,
    activation_function: 'relu',
    tie_word_embeddings: false,
  });
  const model = GPT.init(config, 0);
  for (const { tensor } of model.parameters()) tensor.data.fill(0);
  const set = (name: string, cols: number, r: number, c: number, v: number) =>
    (model.param(name).data[r * cols + c] = v);
  for (let t = 0; t < V; t++) set('transformer.wte.weight', C, t, TOK + t, 1);
  for (let p = 0; p < P; p++) set('transformer.wpe.weight', C, p, POS + p, 1);
  const attn = (l: number) => `transformer.h.${l}.attn.c_attn.weight`; // [C, 3C]: q | k | v
  // Layer 0, previous-token head: q = position p, k = position s + 1, v = the token -> PREV.
  for (let p = 0; p < P; p++) {
    set(attn(0), 3 * C, POS + p, POS + p, BETA);
    if (p + 1 < P) set(attn(0), 3 * C, POS + p, C + POS + p + 1, 1);
  }
  for (let t = 0; t < V; t++) set(attn(0), 3 * C, TOK + t, 2 * C + PREV + t, 1);
  for (let i = 0; i < C; i++) set('transformer.h.0.attn.c_proj.weight', C, i, i, 1);
  // Layer 1, induction head: q = the current token, k = the previous token stored at each position.
  for (let t = 0; t < V; t++) {
    set(attn(1), 3 * C, TOK + t, TOK + t, BETA);
    set(attn(1), 3 * C, PREV + t, C + TOK + t, 1);
  }
  return model;
}

test('a planted induction head scores ~1 on prefix matching; its previous-token head ~1 on previous-token', () => {
  const heads = measureHeads(plantedInductionModel(), { vocabSize: V, eotId: V - 1 }, 16, 3);
  assert.equal(heads.length, 15);
  const prefix = heads.prefix_matching.mean;
  const previous = heads.previous_token.mean;
  assert.ok(prefix[1][0] > 0.99, `layer 1 prefix matching ${prefix[1][0]}`);
  assert.ok(previous[0][0] > 0.99, `layer 0 previous-token ${previous[0][0]}`);
  // Each head does its own job only.
  assert.ok(prefix[0][0] < 0.1, `layer 0 prefix matching ${prefix[0][0]}`);
  assert.ok(heads.duplicate_token.mean[1][0] < 0.1);
  assert.ok(heads.prefix_matching.chance < 0.2);
});

test('a fresh model: every head scores at chance, within its bootstrap interval over sequences', () => {
  const config = parseGPTConfig({ vocab_size: 64, n_layer: 2, n_head: 2, n_embd: 32, n_positions: 32 });
  const heads = measureHeads(GPT.init(config, 5), { vocabSize: 64, eotId: 63 }, 16, 1);
  const rng = new Rng(9);
  for (const name of ['previous_token', 'duplicate_token', 'prefix_matching'] as const) {
    const s = heads[name];
    s.items.forEach((layer, l) =>
      layer.forEach((seqs, h) => {
        const means = Array.from({ length: 400 }, () => {
          let sum = 0;
          for (let i = 0; i < seqs.length; i++) sum += seqs[rng.int(seqs.length)];
          return sum / seqs.length;
        }).sort((a, b) => a - b);
        const [lo, hi] = [means[9], means[390]];
        // Attention at init is uniform up to the tiny init logits: the interval, widened by
        // that residue (0.002), holds chance.
        assert.ok(
          lo - 0.002 <= s.chance && s.chance <= hi + 0.002,
          `${name} L${l}H${h}: [${lo}, ${hi}] vs chance ${s.chance}`,
        );
      }),
    );
  }
});
