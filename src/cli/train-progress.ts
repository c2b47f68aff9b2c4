import type { StepProgress } from '../train/trainer.js';
import { startProgress, type Progress, type ProgressMode } from '../util/progress.js';

/** Training progress: tokens, step, loss, tokens/s and ETA, as a bar on a terminal or plain lines. */
export function trainProgress(mode: ProgressMode) {
  let bar: Progress | null = null;
  let from = 0;
  const quietLines = mode === 'silent';
  /** A warning (a skipped checkpoint, a rollback): shown whatever the progress mode. */
  const warn = (line: string) =>
    process.stderr.write(
      `${mode === 'bar' || (mode === 'auto' && process.stderr.isTTY) ? '\r\x1b[2K' : ''}slurry: ${line}\n`,
    );
  return {
    start(p: { tokens: number; totalTokens: number }) {
      // A resumed run counts from where it starts, so the rate and ETA are this process's.
      from = p.tokens;
      if (p.tokens < p.totalTokens) bar = startProgress('train', { total: p.totalTokens - from, unit: 'tok', mode });
    },
    step(p: StepProgress) {
      bar?.update(p.tokens - from, `step ${p.step}/${p.steps}  loss ${p.loss.toFixed(3)}`);
    },
    /** A notice, left out under --progress silent. */
    note(line: string) {
      if (!quietLines) warn(line);
    },
    warn,
    done(finalLoss: number) {
      if (bar) bar.done(`final loss ${finalLoss.toFixed(3)}`);
      else if (!quietLines) warn('nothing left to train: the run is complete');
      bar = null;
    },
  };
}
