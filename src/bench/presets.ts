/**
 * The reference training configurations of ../shared/bench/README.md, shared by slurry's
 * benchmark and the PyTorch reference (torch_gpt.py) so both measure the same model.
 */
export interface BenchPreset {
  vocab: number;
  n_layer: number;
  n_head: number;
  d_model: number;
  T: number;
  B: number;
}

export const BENCH_PRESETS: Record<string, BenchPreset> = {
  A: { vocab: 256, n_layer: 4, n_head: 4, d_model: 128, T: 128, B: 32 },
  B: { vocab: 4096, n_layer: 6, n_head: 6, d_model: 384, T: 256, B: 16 },
  C: { vocab: 512, n_layer: 2, n_head: 4, d_model: 128, T: 64, B: 64 },
  grok: { vocab: 115, n_layer: 1, n_head: 4, d_model: 128, T: 4, B: 512 },
};

/**
 * Training FLOPs per token, the model torch_gpt.py uses: 6 * N_mm + 12 * L * T * d, where
 * N_mm counts the parameters that take part in matmuls (all block weights and biases plus
 * the unembedding) and the attention term counts the full T x T (PaLM's formula).
 */
export function flopsPerToken(p: BenchPreset): number {
  const d = p.d_model;
  const block = 12 * d * d + 13 * d; // c_attn, c_proj, c_fc, mlp c_proj weights+biases, two LayerNorms
  const nMatmul = p.n_layer * block + p.vocab * d;
  return 6 * nMatmul + 12 * p.n_layer * p.T * d;
}
