/**
 * Probing while training: the trainer calls `onCheckpoint(step, dir)` after each checkpoint
 * is on disk and listed in checkpoints/index.json; this probes that checkpoint with the
 * same code and files as `slurry probe RUN` (which later skips what is recorded).
 *
 *   await train(config, { out: run, onCheckpoint: probeOnCheckpoint(run, { suites, badRows: 'refuse', log }) });
 */
import { probeRun, type ProbeOptions } from './runner.js';

export function probeOnCheckpoint(run: string, opts: Omit<ProbeOptions, 'steps'>): (step: number) => void {
  return (step) => {
    const result = probeRun(run, { progress: (p) => p.note && opts.log(p.note), ...opts, steps: [step] });
    for (const f of result.failed) opts.log(`inline probe of step ${f.step} failed: ${f.message}`);
  };
}
