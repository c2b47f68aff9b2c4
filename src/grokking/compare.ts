/**
 * `slurry grok --compare`: the two comparisons of the grokking literature, run one after
 * the other under DIR/runs/ and drawn on one page (DIR/report/index.html):
 *   weight decay  0 against the chosen weight decay (1 when the chosen one is 0), at the
 *                 chosen train fraction (Nanda et al.: without weight decay no grokking)
 *   train fraction several fractions at the chosen weight decay (Power et al.: fewer
 *                 training pairs, later grokking)
 * Every other field comes from the given config, the seed included.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runPaths } from '../run/layout.js';
import type { GrokConfig } from './config.js';
import { writeComparisonReport, writeGrokReport, type ComparisonGroup, type GrokReport } from './report.js';
import { trainGrok, type GrokRunOptions } from './train.js';

/** Train fractions compared by default, per preset (a smaller p needs larger fractions to grok soon). */
export const DEFAULT_COMPARE_FRACS: Record<string, number[]> = {
  default: [0.3, 0.5, 0.7],
  quick: [0.4, 0.5, 0.6, 0.7],
};

const runName = (c: GrokConfig) => `wd${c.optimizer.weight_decay}-frac${c.train_frac}`;
const withWeightDecay = (c: GrokConfig, weight_decay: number): GrokConfig => ({
  ...c,
  optimizer: { ...c.optimizer, weight_decay },
});

export async function compareGrok(
  base: GrokConfig,
  out: string,
  fracs: number[],
  opts: GrokRunOptions = {},
): Promise<GrokReport> {
  const wd = base.optimizer.weight_decay > 0 ? base.optimizer.weight_decay : 1;
  const withDecay = withWeightDecay(base, wd);
  const decayRuns = [withWeightDecay(base, 0), withDecay];
  const fracRuns = [...new Set([...fracs, base.train_frac])]
    .sort((a, b) => a - b)
    .map((f) => ({ ...withDecay, train_frac: f }));
  const dirOf = (c: GrokConfig) => join(out, 'runs', runName(c));
  // Each distinct config runs once (the chosen one belongs to both groups); a finished run
  // (summary.json present) is kept, so an interrupted comparison continues where it stopped.
  const all = new Map<string, GrokConfig>();
  for (const c of [...decayRuns, ...fracRuns]) all.set(runName(c), c);
  for (const c of all.values()) {
    const dir = dirOf(c);
    if (existsSync(runPaths(dir).summary)) continue;
    rmSync(dir, { recursive: true, force: true }); // an interrupted run starts again
    await trainGrok(c, dir, opts);
    await writeGrokReport(dir);
  }
  const groups: ComparisonGroup[] = [
    {
      title: `Weight decay 0 against ${wd} (train fraction ${base.train_frac})`,
      runs: decayRuns.map((c) => ({ label: `weight decay ${c.optimizer.weight_decay}`, dir: dirOf(c) })),
    },
    {
      title: `Train fraction (weight decay ${wd})`,
      runs: fracRuns.map((c) => ({ label: `train fraction ${c.train_frac}`, dir: dirOf(c) })),
    },
  ];
  return writeComparisonReport(out, groups);
}
