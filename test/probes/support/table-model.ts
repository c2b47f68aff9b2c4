/**
 * A GPT whose greedy next token is a lookup table on the current token (a bigram model in
 * GPT weights): no LayerNorm, blocks that add nothing (zero output projections), one-hot
 * token embeddings, no positions, and an unembedding that scores `table[a]` highest after
 * `a`. Tokens outside the table give all-zero logits (ties resolve to token 0).
 */
import { parseGPTConfig } from '../../../src/model/config.js';
import { GPT } from '../../../src/model/gpt.js';

export function tableModel(vocabSize: number, table: ReadonlyMap<number, number>, n_positions = 64): GPT {
  const C = vocabSize;
  const config = parseGPTConfig({
    vocab_size: vocabSize,
    n_layer: 1,
    n_head: 1,
    n_embd: C,
    n_positions,
    layer_norm: false,
    tie_word_embeddings: false,
  });
  const model = GPT.init(config, 1);
  for (const name of ['attn.c_proj', 'mlp.c_proj']) {
    model.param(`transformer.h.0.${name}.weight`).data.fill(0);
    model.param(`transformer.h.0.${name}.bias`).data.fill(0);
  }
  const wte = model.param('transformer.wte.weight').data;
  wte.fill(0);
  for (let v = 0; v < vocabSize; v++) wte[v * C + v] = 1;
  model.param('transformer.wpe.weight').data.fill(0);
  const head = model.param('lm_head.weight').data;
  head.fill(0);
  for (const [from, to] of table) head[to * C + from] = 10;
  return model;
}
