/**
 * Every experiment `slurry experiment` runs, in the order `--list` shows them. Adding one is
 * one module exporting an `Experiment`, listed here.
 */
import { SlurryError } from '../util/errors.js';
import { anneal } from './anneal.js';
import { codeHelpsReasoning } from './code-helps-reasoning.js';
import { continuedPretraining } from './continued-pretraining.js';
import { curriculum } from './curriculum.js';
import { dedup } from './dedup.js';
import { emergence } from './emergence.js';
import { liteModels } from './lite-models.js';
import { spamPoisons } from './spam-poisons.js';
import type { Experiment } from './types.js';

export const EXPERIMENTS: readonly Experiment[] = [
  codeHelpsReasoning,
  spamPoisons,
  dedup,
  continuedPretraining,
  anneal,
  curriculum,
  emergence,
  liteModels,
];

export function findExperiment(name: string): Experiment {
  const found = EXPERIMENTS.find((e) => e.name === name);
  if (!found)
    throw new SlurryError(
      `experiment ${name}: unknown; expected one of ${EXPERIMENTS.map((e) => e.name).join(', ')} (slurry experiment --list)`,
    );
  return found;
}
