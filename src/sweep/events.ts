/**
 * What executors (the local pool, the queue controller) tell the sweep's progress view,
 * and the view itself: one bar over all cells (a redrawn line on a terminal, plain lines
 * in logs), its note listing the running cells and their stage, and one line per cell
 * that finishes or fails.
 */
import { startProgress, type ProgressMode } from '../util/progress.js';
import type { CellJob, CellProgress } from './run-cell.js';

export interface SweepEvents {
  cellStarted(job: CellJob): void;
  cellProgress(job: CellJob, p: CellProgress): void;
  cellDone(job: CellJob, seconds: number, skipped: boolean): void;
  cellFailed(job: CellJob, message: string): void;
  log(job: CellJob, line: string): void;
}

export interface SweepView extends SweepEvents {
  /** The closing line. */
  close(summary: string): void;
}

export function sweepView(
  total: number,
  alreadyDone: number,
  mode: ProgressMode,
  print: (line: string) => void,
): SweepView {
  const bar = startProgress('sweep', { total, unit: 'cells', mode });
  let done = alreadyDone;
  const running = new Map<string, string>();
  const redraw = () =>
    bar.update(done, [...running.entries()].map(([hash, what]) => `${hash.slice(0, 6)} ${what}`).join(', '));
  redraw();
  const line = (text: string) => {
    if (mode !== 'silent') print(text);
    redraw();
  };
  return {
    cellStarted(job) {
      running.set(job.hash, 'starting');
      redraw();
    },
    cellProgress(job, p) {
      running.set(job.hash, `${p.stage} ${p.done}/${p.total}`);
      redraw();
    },
    cellDone(job, seconds, skipped) {
      running.delete(job.hash);
      done++;
      line(`cell ${job.hash} (${job.label}): ${skipped ? 'already done' : `done in ${seconds.toFixed(1)} s`}`);
    },
    cellFailed(job, message) {
      running.delete(job.hash);
      line(`cell ${job.hash} (${job.label}): failed: ${message}`);
    },
    log(job, text) {
      line(`cell ${job.hash}: ${text}`);
    },
    close(summary) {
      bar.done(summary);
    },
  };
}
