/**
 * The reference training configurations of ../shared/bench/README.md, shared by slurry's
 * benchmark and the PyTorch reference (torch_gpt.py) so both measure the same model.
 */
/** Sizes named as in GPT2Config (vocab_size, n_layer, n_head, n_embd) and the training config (context, batch_size). */
export interface BenchPreset {
  vocab_size: number;
  n_layer: number;
  n_head: number;
  n_embd: number;
  context: number;
  batch_size: number;
}

export const BENCH_PRESETS: Record<string, BenchPreset> = {
  A: { vocab_size: 256, n_layer: 4, n_head: 4, n_embd: 128, context: 128, batch_size: 32 },
  B: { vocab_size: 4096, n_layer: 6, n_head: 6, n_embd: 384, context: 256, batch_size: 16 },
  C: { vocab_size: 512, n_layer: 2, n_head: 4, n_embd: 128, context: 64, batch_size: 64 },
  grok: { vocab_size: 115, n_layer: 1, n_head: 4, n_embd: 128, context: 4, batch_size: 512 },
};

/**
 * Training FLOPs per token, the model torch_gpt.py uses: 6 * N_mm + 12 * L * T * d, where
 * N_mm counts the parameters that take part in matmuls (all block weights and biases plus
 * the unembedding) and the attention term counts the full T x T (PaLM's formula).
 */
export function flopsPerToken(p: BenchPreset): number {
  const d = p.n_embd;
  const block = 12 * d * d + 13 * d; // c_attn, c_proj, c_fc, mlp c_proj weights+biases, two LayerNorms
  const nMatmul = p.n_layer * block + p.vocab_size * d;
  return 6 * nMatmul + 12 * p.n_layer * p.context * d;
}
