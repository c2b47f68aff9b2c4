/**
 * Probing while training: the trainer calls `onCheckpoint(step, dir)` after each checkpoint
 * is on disk and listed in checkpoints/index.json; this probes that checkpoint with the
 * same code and files as `slurry probe RUN` (which later skips what is recorded).
 *
 *   await train(config, { out: run, onCheckpoint: probeOnCheckpoint(run, { suites, badRows: 'refuse', log }) });
 *
 * A probe never ends a training run: whatever fails (a suite, the items, the lock held by
 * another prober) is logged, appended to RUN/probe-failures.jsonl, and left for
 * `slurry probe RUN` to fill in later.
 */
import { describeFailure, probeRun, recordProbeFailure, type ProbeOptions } from './runner.js';

export function probeOnCheckpoint(run: string, opts: Omit<ProbeOptions, 'steps'>): (step: number, dir: string) => void {
  return (step, dir) => {
    const retry = `training continues; \`slurry probe ${run}\` probes it later`;
    try {
      const result = probeRun(run, { progress: (p) => p.note && opts.log(p.note), ...opts, steps: [step] });
      for (const f of result.failed)
        opts.log(`inline probe of step ${f.step}${f.suite ? ` (${f.suite})` : ''} failed; ${retry}`);
    } catch (err) {
      const message = describeFailure(err);
      opts.log(`inline probe of step ${step} failed: ${message}; ${retry}`);
      recordProbeFailure(run, { step, dir, message });
    }
  };
}
