/** Helpers shared by the trainer tests: a tiny config, temporary run directories, metrics. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricsRecord } from '../../../src/run/records.js';

export const tinyConfig = {
  seed: 3,
  model: { n_layer: 1, n_head: 2, n_embd: 16 },
  batch_size: 4,
  context: 16,
  steps: 24,
  optimizer: { lr: 3e-2 },
  lr_schedule: { kind: 'cosine', warmup_steps: 2 },
  checkpoints: { log_until: 4, every: 10 },
  eval: { every: 8, batches: 1 },
};

export function tempRun(): string {
  return join(mkdtempSync(join(tmpdir(), 'slurry-train-')), 'run');
}

export function readMetrics(run: string): MetricsRecord[] {
  return readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

/** The records without their wall-clock fields: what must be identical between runs. */
export function deterministic(records: MetricsRecord[]): unknown[] {
  return records.map((r) => (r.type === 'train' ? { ...r, time: 0, tokens_per_s: 0 } : r));
}

export const quiet = () => {};
