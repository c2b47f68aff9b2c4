/**
 * Checkpoint writing time: a full training checkpoint (weights, AdamW moments, state,
 * tokenizer, manifest with sha256), written atomically, for reference configurations A
 * and B (../shared/bench/README.md). Target: B in at most 1 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kernels } from '../src/engine/backend.js';
import { GPT } from '../src/model/gpt.js';
import { writeCheckpoint, type TrainingState } from '../src/train/checkpoint-io.js';
import { makeOptimizer } from '../src/train/optimizer.js';
import { BENCH_PRESETS } from '../src/bench/presets.js';
import { resolveTrainConfig, parseTrainConfig } from '../src/train/config.js';
import { median } from './util.js';

export interface CheckpointBench {
  preset: string;
  parameters: number;
  megabytes: number;
  write_ms_median: number;
  write_ms_all: number[];
}

export async function benchCheckpointWrite(presetName: string, rounds = 5): Promise<CheckpointBench> {
  const p = BENCH_PRESETS[presetName];
  const sources = [{ name: 'all', kind: 'books', tokens: 1 }];
  const config = resolveTrainConfig(
    parseTrainConfig(
      {
        corpus: '/bench',
        steps: 1,
        batch_size: p.batch_size,
        context: p.context,
        model: { n_layer: p.n_layer, n_head: p.n_head, n_embd: p.n_embd },
      },
      'bench',
    ),
    { sources, vocabSize: p.vocab_size, where: 'bench' },
  );
  const model = GPT.init(config.model, 0);
  const optimizer = makeOptimizer(model, config.optimizer);
  // Moments as after some training (also faults their pages in, as training would have).
  optimizer.t = 1;
  for (const { data: buf } of optimizer.stateTensors())
    for (let i = 0; i < buf.length; i++) buf[i] = 1e-3 * Math.sin(i);
  const state: TrainingState = {
    step: 1,
    tokens: p.batch_size * p.context,
    time: 0,
    data: { seed: 0, position: 1 },
    schedule: null,
    lr_scale: 1,
    rollbacks: [],
    corpus_fingerprint: 'bench',
    config,
    backend: kernels().info(),
  };
  // A tokenizer.json of realistic size (a 4096-token BPE vocabulary with merges is ~150 kB).
  const tokenizerJson = JSON.stringify({
    model: {
      vocab: Object.fromEntries(Array.from({ length: p.vocab_size }, (_, i) => [`tok${i}`, i])),
      merges: Array.from({ length: p.vocab_size }, (_, i) => `a${i} b${i}`),
    },
  });
  const run = mkdtempSync(join(tmpdir(), 'slurry-bench-ckpt-'));
  const times: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      await writeCheckpoint(run, {
        model,
        optimizer,
        state: { ...state, step: r + 1 },
        tokenizerJson,
        eotId: p.vocab_size - 1,
      });
      times.push(performance.now() - t0);
    }
  } finally {
    rmSync(run, { recursive: true, force: true });
  }
  const parameters = model.parameters().reduce((n, { tensor }) => n + tensor.size, 0);
  return {
    preset: presetName,
    parameters,
    megabytes: Number(((parameters * 4 * 3) / 1e6).toFixed(1)),
    write_ms_median: Number(median(times).toFixed(1)),
    write_ms_all: times.map((t) => Number(t.toFixed(1))),
  };
}
