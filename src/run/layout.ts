/**
 * The run directory is the contract between slurry's parts (as a log directory is for
 * TensorBoard): train writes it, probe/analyze/report read it and add their own files, so
 * each part runs alone and a crash loses nothing.
 *
 *   RUN/config.json                  resolved training config (every default written out)
 *   RUN/metrics.jsonl                one MetricsRecord per line (train steps and validations)
 *   RUN/checkpoints/index.json       CheckpointIndex
 *   RUN/checkpoints/step-0000128/    model.safetensors, config.json (GPT2Config),
 *                                    tokenizer.json, optimizer.safetensors, state.json,
 *                                    manifest.json (sha256 of each file)
 *   RUN/probes.jsonl                 one ProbeRecord per (checkpoint, suite)
 *   RUN/samples.jsonl                one SampleRecord per checkpoint
 *   RUN/probe-items/                 the built-in probe suites' items (SUITE.jsonl, meta.json)
 *   RUN/probes.lock                  pid of the process probing the run (while it does)
 *   RUN/interp.jsonl                 one InterpRecord per checkpoint (`slurry interp`; interp-records.ts)
 *   RUN/interp/                      sample.json, across.json, acts/ and sae/ per checkpoint, interp.lock
 *   RUN/analysis.json                written by `slurry analyze`
 *   RUN/report/index.html            written by `slurry report`
 */
import { join } from 'node:path';

export const runPaths = (run: string) => ({
  config: join(run, 'config.json'),
  metrics: join(run, 'metrics.jsonl'),
  checkpoints: join(run, 'checkpoints'),
  checkpointIndex: join(run, 'checkpoints', 'index.json'),
  probes: join(run, 'probes.jsonl'),
  samples: join(run, 'samples.jsonl'),
  probeItems: join(run, 'probe-items'),
  probesLock: join(run, 'probes.lock'),
  interp: join(run, 'interp.jsonl'),
  interpDir: join(run, 'interp'),
  interpSample: join(run, 'interp', 'sample.json'),
  interpAcross: join(run, 'interp', 'across.json'),
  interpActs: join(run, 'interp', 'acts'),
  interpSae: join(run, 'interp', 'sae'),
  interpLock: join(run, 'interp', 'interp.lock'),
  analysis: join(run, 'analysis.json'),
  reportDir: join(run, 'report'),
});

/** Directory name of the checkpoint at `step`: step-0000128. */
export function checkpointDirName(step: number): string {
  return `step-${String(step).padStart(7, '0')}`;
}
