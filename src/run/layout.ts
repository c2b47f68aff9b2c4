/**
 * The run directory is the contract between slurry's parts (as a log directory is for
 * TensorBoard): train writes it, probe/analyze/report read it and add their own files, so
 * each part runs alone and a crash loses nothing. src/run/ owns it: these paths, the
 * records and their schemas (records.ts, schemas.ts), the checkpoint directories
 * (checkpoint.ts) and the metrics log (metrics-log.ts).
 *
 *   RUN/config.json                  resolved training config (every default written out)
 *   RUN/metrics.jsonl                one MetricsRecord per line (train steps and validations)
 *   RUN/checkpoints/index.json       CheckpointIndex
 *   RUN/checkpoints/step-0000128/    model.safetensors, config.json (GPT2Config),
 *                                    tokenizer.json, optimizer.safetensors, state.json,
 *                                    manifest.json (sha256 of each file)
 *   RUN/probes.jsonl                 one ProbeRecord per (checkpoint, suite)
 *   RUN/samples.jsonl                one SampleRecord per checkpoint
 *   RUN/probe-failures.jsonl         one ProbeFailureRecord per probe that failed (a later
 *                                    `slurry probe RUN` probes it again)
 *   RUN/probe-items/                 the built-in probe suites' items (SUITE.jsonl, meta.json)
 *   RUN/probes.lock                  pid of the process probing the run (while it does)
 *   RUN/train.lock                   pid of the process training the run (while it does)
 *   RUN/interp.jsonl                 one InterpRecord per checkpoint (`slurry interp`; interp-records.ts)
 *   RUN/interp/                      sample.json, across.json, acts/ and sae/ per checkpoint, interp.lock
 *   RUN/analysis.json                written by `slurry analyze`
 *   RUN/summary.json                 a grokking run's GrokSummary (written by `slurry grok`)
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
  probeFailures: join(run, 'probe-failures.jsonl'),
  probeItems: join(run, 'probe-items'),
  probesLock: join(run, 'probes.lock'),
  trainLock: join(run, 'train.lock'),
  interp: join(run, 'interp.jsonl'),
  interpDir: join(run, 'interp'),
  interpSample: join(run, 'interp', 'sample.json'),
  interpAcross: join(run, 'interp', 'across.json'),
  interpActs: join(run, 'interp', 'acts'),
  interpSae: join(run, 'interp', 'sae'),
  interpLock: join(run, 'interp', 'interp.lock'),
  analysis: join(run, 'analysis.json'),
  summary: join(run, 'summary.json'),
  reportDir: join(run, 'report'),
});

/** The files of a checkpoint directory. */
export const MODEL_FILE = 'model.safetensors';
export const CONFIG_FILE = 'config.json';
export const TOKENIZER_FILE = 'tokenizer.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const STATE_FILE = 'state.json';
export const MANIFEST_FILE = 'manifest.json';

/** Directory name of the checkpoint at `step`: step-0000128. */
export function checkpointDirName(step: number): string {
  return `step-${String(step).padStart(7, '0')}`;
}

/** RUN/checkpoints/step-0000128 */
export function checkpointDir(run: string, step: number): string {
  return join(run, 'checkpoints', checkpointDirName(step));
}
