/**
 * SAE features across checkpoints, matched by decoder cosine (decoder rows are unit
 * vectors in the residual basis, which training moves slowly). A feature f of the final
 * checkpoint's SAE is present at checkpoint s when some live feature of s has decoder
 * cosine >= MATCH_COSINE with it; its birth step is the first checkpoint from which it is
 * present at every later checkpoint. A fresh model's SAE matches few final features, a
 * crystallised one most: the share present is a curve over training.
 */
import { crossProduct } from './matrix.js';

export const MATCH_COSINE = 0.7;

/** For each row of a [ma, d], the best cosine with a row of b [mb, d] (rows unit norm). */
export function bestCosines(a: Float32Array, ma: number, b: Float32Array, mb: number, d: number): Float32Array {
  // (A Bᵀ) as (Aᵀ)ᵀ(Bᵀ): crossProduct takes row-major [n, da] and [n, db] with n = d here,
  // so transpose both once.
  const best = new Float32Array(ma).fill(-1);
  if (ma === 0 || mb === 0) return best;
  const cos = crossProduct(transpose(a, ma, d), transpose(b, mb, d), d, ma, mb);
  for (let i = 0; i < ma; i++) for (let j = 0; j < mb; j++) if (cos[i * mb + j] > best[i]) best[i] = cos[i * mb + j];
  return best;
}

function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = x[r * cols + c];
  return out;
}

export interface Decoder {
  step: number;
  /** Live features' decoder rows [m, d] (dead features left out). */
  rows: Float32Array;
  m: number;
}

export interface FeatureBirths {
  finalStep: number;
  /** Per checkpoint (ascending): the share of final features present there. */
  present: { step: number; share: number }[];
  /** Birth step of each final feature. */
  births: number[];
  /** [feature][checkpoint]: 1 where the feature is present. */
  matched: (0 | 1)[][];
}

export function featureBirths(decoders: readonly Decoder[]): FeatureBirths {
  const sorted = [...decoders].sort((a, b) => a.step - b.step);
  const final = sorted[sorted.length - 1];
  const d = final.m > 0 ? final.rows.length / final.m : 0;
  const matched = sorted.map((s) => bestCosines(final.rows, final.m, s.rows, s.m, d));
  const births = Array.from({ length: final.m }, (_, f) => {
    let t = sorted.length - 1;
    while (t > 0 && matched[t - 1][f] >= MATCH_COSINE) t--;
    return sorted[t].step;
  });
  return {
    finalStep: final.step,
    present: sorted.map((s, t) => ({
      step: s.step,
      share: matched[t].filter((c) => c >= MATCH_COSINE).length / final.m,
    })),
    births,
    matched: Array.from({ length: final.m }, (_, f) => matched.map((m) => (m[f] >= MATCH_COSINE ? 1 : 0))),
  };
}
