/**
 * The measures that depend on the whole set of checkpoints: CKA of every layer with the
 * final checkpoint (with a bootstrap over the CKA rows for intervals) and SAE feature
 * births. Recomputed from the cached rows and SAEs whenever a checkpoint is added.
 */
import type { InterpAcross } from '../run/interp-records.js';
import { Rng } from '../util/rng.js';
import { ckaSide, linearCka } from './cka.js';
import { featureBirths, MATCH_COSINE, type Decoder } from './feature-match.js';

export const CKA_REPLICATES = 16;

export interface CheckpointCache {
  step: number;
  tokens: number;
  /** Per layer [rows, C]. */
  acts: Float32Array[];
  C: number;
  /** Live SAE decoder rows. */
  decoder: Decoder;
}

export function computeAcross(caches: readonly CheckpointCache[], C: number, seed: number): InterpAcross {
  const sorted = [...caches].sort((a, b) => a.step - b.step);
  const final = sorted[sorted.length - 1];
  const n = final.acts[0].length / C;
  const layers = final.acts.length;
  const ckaWith = (rows: Int32Array | null) => {
    const pick = (x: Float32Array) => {
      if (!rows) return x;
      const out = new Float32Array(rows.length * C);
      rows.forEach((r, i) => out.set(x.subarray(r * C, (r + 1) * C), i * C));
      return out;
    };
    const finals = final.acts.map((x) => ckaSide(pick(x), n, C));
    return sorted.map((s) => s.acts.map((x, l) => linearCka(ckaSide(pick(x), n, C), finals[l])));
  };
  const rng = Rng.derive(seed, 'cka-bootstrap');
  const replicates = Array.from({ length: CKA_REPLICATES }, () =>
    ckaWith(Int32Array.from({ length: n }, () => rng.int(n))),
  );
  const births = featureBirths(sorted.map((s) => s.decoder));
  return {
    final_step: final.step,
    steps: sorted.map((s) => s.step),
    tokens: sorted.map((s) => s.tokens),
    cka_final: ckaWith(null).map((row) => row.slice(0, layers)),
    cka_final_replicates: replicates,
    features: {
      match_cosine: MATCH_COSINE,
      present: births.present.map((p) => p.share),
      births: births.births,
      items: births.matched,
    },
  };
}
