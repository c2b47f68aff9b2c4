/**
 * What each `slurry episode --preset` runs: a corpus preset (data/config.ts) and a training
 * preset (train/presets.ts).
 *   quick  the demo (`npm start`): the quick corpus and model, a few minutes
 *   full   the reference experiment: the same corpus and model trained about ten times
 *          longer, within an hour on 2 cores
 *   long   overnight: the same corpus and model, four times the reference's tokens, for
 *          the capabilities the reference does not bring past their midpoints
 * One corpus for all three keeps their curves comparable: they differ only in tokens.
 */
import type { PresetName } from '../data/config.js';

export interface EpisodePreset {
  corpus: PresetName;
  train: string;
}

export const EPISODE_PRESETS = {
  quick: { corpus: 'quick', train: 'quick' },
  full: { corpus: 'quick', train: 'full' },
  long: { corpus: 'quick', train: 'long' },
} as const satisfies Record<string, EpisodePreset>;

export type EpisodePresetName = keyof typeof EPISODE_PRESETS;
export const EPISODE_PRESET_NAMES = Object.keys(EPISODE_PRESETS) as EpisodePresetName[];
