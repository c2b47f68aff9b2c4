/**
 * What each `slurry episode --preset` runs: a corpus preset (data/config.ts) and a training
 * preset (train/presets.ts).
 *   quick  the demo (`npm start`): the quick corpus and model, a few minutes
 *   full   the reference experiment: a wider model, about 8 times the demo's compute, on the
 *          reference corpus (the quick corpus's facts, far more natural text, twelve times
 *          as many distinct problems, drawn at fixed shares: train/presets.ts), within an
 *          hour on 2 cores
 *   long   overnight: the reference model, four times its tokens, on the full corpus
 */
import type { PresetName } from '../data/config.js';

export interface EpisodePreset {
  corpus: PresetName;
  train: string;
}

export const EPISODE_PRESETS = {
  quick: { corpus: 'quick', train: 'quick' },
  full: { corpus: 'reference', train: 'full' },
  long: { corpus: 'full', train: 'long' },
} as const satisfies Record<string, EpisodePreset>;

export type EpisodePresetName = keyof typeof EPISODE_PRESETS;
export const EPISODE_PRESET_NAMES = Object.keys(EPISODE_PRESETS) as EpisodePresetName[];
