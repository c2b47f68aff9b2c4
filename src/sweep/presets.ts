/**
 * Built-in sweeps (`slurry sweep --preset NAME --out DIR`). Each trains on the quick
 * corpus (built into DIR/corpus unless --corpus is given).
 *
 *   seeds      the quick run under 5 seeds: error bars on every curve
 *   emergence  5 model sizes over a factor 62 in non-embedding parameters (12.8k to 793k),
 *              token-matched: every size sees the same 8.4M tokens in the same order
 *              (data.seed is fixed), so each size's checkpoints trace capability against
 *              training compute 6 N D and the sizes meet at equal data, as in Wei et al.
 *              2022's plots; the report shows the discrete and continuous metric side by
 *              side (Schaeffer et al. 2023)
 *   schedules  mix, staged, anneal and adaptive data schedules x 3 seeds at equal tokens
 *              (the compare-* training presets)
 */
import { SlurryError } from '../util/errors.js';
import type { SweepSpec } from './spec.js';

const seeds: SweepSpec = {
  base: { preset: 'quick' },
  axes: { seed: [0, 1, 2, 3, 4] },
  sample: { kind: 'grid' },
  derived: {},
  suites: [],
};

// Head width 16 to 32; n_embd and depth grow together, as in the scaling-law families.
const emergence: SweepSpec = {
  base: { preset: 'quick', data: { seed: 0 } },
  axes: {
    model: [
      { n_layer: 1, n_head: 2, n_embd: 32 },
      { n_layer: 2, n_head: 3, n_embd: 48 },
      { n_layer: 2, n_head: 4, n_embd: 64 },
      { n_layer: 3, n_head: 4, n_embd: 96 },
      { n_layer: 4, n_head: 4, n_embd: 128 },
    ],
  },
  sample: { kind: 'grid' },
  derived: {},
  suites: [],
};

const schedules: SweepSpec = {
  base: {},
  axes: { preset: ['compare-mix', 'compare-staged', 'compare-anneal', 'compare-adaptive'], seed: [0, 1, 2] },
  sample: { kind: 'grid' },
  derived: {},
  suites: [],
};

export const SWEEP_PRESETS: Record<string, SweepSpec> = { seeds, emergence, schedules };

export function sweepPreset(name: string): SweepSpec {
  const preset = SWEEP_PRESETS[name];
  if (!preset) throw new SlurryError(`--preset ${name}: expected one of ${Object.keys(SWEEP_PRESETS).join(', ')}`);
  return structuredClone(preset);
}
