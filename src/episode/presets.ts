/**
 * What each `slurry episode --preset` runs: a corpus preset (data/config.ts) and a training
 * preset (train/presets.ts).
 *   quick  the demo (`npm start`): the quick corpus and model, a few minutes
 *   full   the reference experiment: the same corpus and model trained about ten times
 *          longer, within an hour on 2 cores
 *   long   overnight: the same model, four times the reference's tokens, on the full corpus:
 *          the reference already sees the quick corpus's books about 30 times, and their
 *          validation loss stops falling halfway through it
 * quick and full share one corpus and differ only in tokens, so their curves compare.
 */
import type { PresetName } from '../data/config.js';

export interface EpisodePreset {
  corpus: PresetName;
  train: string;
}

export const EPISODE_PRESETS = {
  quick: { corpus: 'quick', train: 'quick' },
  full: { corpus: 'quick', train: 'full' },
  long: { corpus: 'full', train: 'long' },
} as const satisfies Record<string, EpisodePreset>;

export type EpisodePresetName = keyof typeof EPISODE_PRESETS;
export const EPISODE_PRESET_NAMES = Object.keys(EPISODE_PRESETS) as EpisodePresetName[];
