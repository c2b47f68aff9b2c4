/**
 * A sweep from start to end: plan the cells (refusing a bad one before anything runs),
 * write DIR/sweep.json, skip the cells already done, and hand the rest to an executor: the
 * local process pool, or the BullMQ queue that `slurry worker` processes drain.
 */
import { resolve } from 'node:path';
import { openCorpus } from '../data/corpus.js';
import { cellStatus } from './cell-state.js';
import { writeSweepManifest } from './manifest.js';
import { planSweep, type CorpusInfo, type PlannedCell } from './plan.js';
import type { CellJob } from './run-cell.js';
import type { SweepSpec } from './spec.js';

export interface PreparedSweep {
  dir: string;
  cells: PlannedCell[];
  /** Cells still to run (not done), as jobs. */
  jobs: CellJob[];
  alreadyDone: number;
}

/** Plans the sweep into `out` and lists what is left to run. */
export function prepareSweep(spec: SweepSpec, opts: { out: string; where: string; yes?: boolean }): PreparedSweep {
  const dir = resolve(opts.out);
  const cells = planSweep(spec, { where: opts.where, corpus: corpusInfoReader(), yes: opts.yes });
  writeSweepManifest(dir, opts.where, spec, cells);
  return { dir, cells, ...pendingJobs(dir, cells, spec.suites) };
}

/** A reader of corpus facts for planning, opening each corpus once. */
export function corpusInfoReader(): (path: string) => CorpusInfo {
  const corpora = new Map<string, CorpusInfo>();
  return (path) => {
    let info = corpora.get(path);
    if (!info) {
      const c = openCorpus(path, { verify: 'size' });
      info = {
        sources: c.sources.map((s) => ({ name: s.name, kind: s.kind, tokens: s.trainTokens })),
        vocabSize: c.tokenizer.vocabSize,
      };
      corpora.set(path, info);
    }
    return info;
  };
}

/** The cells of `dir` not yet done, as jobs (probed with `suites`), and how many are done. */
export function pendingJobs(
  dir: string,
  cells: readonly PlannedCell[],
  suites: string[],
): { jobs: CellJob[]; alreadyDone: number } {
  const jobs: CellJob[] = [];
  let alreadyDone = 0;
  for (const c of cells) {
    if (cellStatus(resolve(dir, c.dir)) === 'done') alreadyDone++;
    else jobs.push({ sweep: dir, hash: c.hash, dir: c.dir, label: c.label, config: c.config, suites });
  }
  return { jobs, alreadyDone };
}
