/**
 * Muon's cost on the quick preset's model, batch and context and the quick corpus's
 * vocabulary (L=4, H=4, d=128, T=128, B=16, V=4096): a whole training step (forward,
 * backward, optimizer) with AdamW and with Muon, and the optimizer step alone, in one
 * process, alternating rounds of a few steps each so both see the same load; medians of
 * wall-clock milliseconds. Muon's extra cost (its optimizer step minus AdamW's: momentum, 5
 * Newton-Schulz iterations per matrix on the engine GEMM, the update) is reported as a share
 * of the AdamW step.
 *
 *   npm run bench -- muon
 */
import { kernels } from '../src/engine/backend.js';
import { BufferPool } from '../src/engine/buffer-pool.js';
import { parseGPTConfig } from '../src/model/config.js';
import { GPT } from '../src/model/gpt.js';
import { presetConfig } from '../src/data/config.js';
import { parseTrainConfig } from '../src/train/config.js';
import { makeOptimizer } from '../src/train/optimizer.js';
import { TRAIN_PRESETS } from '../src/train/presets.js';
import { Rng } from '../src/util/rng.js';
import { median } from './util.js';

const VOCAB = presetConfig('quick').tokenizer.vocabSize as number;

interface Timing {
  step: number[];
  optimizer: number[];
}

export function benchMuon(opts: { rounds?: number; steps?: number } = {}): void {
  const rounds = opts.rounds ?? 5;
  const steps = opts.steps ?? 4;
  const quick = parseTrainConfig(TRAIN_PRESETS.quick, 'the quick preset');
  const { batch_size: B, context: T } = quick;
  const config = parseGPTConfig({ ...quick.model, vocab_size: VOCAB, n_positions: T });
  const rng = new Rng(0);
  const x = Int32Array.from({ length: B * T }, () => rng.int(VOCAB));
  const y = Int32Array.from({ length: B * T }, () => rng.int(VOCAB));
  const kinds = ['adamw', 'muon'] as const;
  const setups = kinds.map((kind) => {
    const model = GPT.init(config, 0);
    const optimizer = makeOptimizer(model, parseTrainConfig({ optimizer: { kind, lr: 3e-3 } }, 'bench').optimizer);
    return { kind, model, optimizer, pool: new BufferPool(), times: { step: [], optimizer: [] } as Timing };
  });
  for (let r = 0; r <= rounds; r++) {
    for (const s of setups) {
      for (let i = 0; i < steps; i++) {
        const t0 = performance.now();
        const g = s.model.graph(true, { pool: s.pool });
        const { loss } = s.model.loss(g, x, y, B, T);
        s.model.zeroGrad();
        g.backward(loss);
        g.release();
        const t1 = performance.now();
        s.optimizer.step(1e-3, 1);
        const t2 = performance.now();
        // Round 0 warms up (buffer pool, page faults).
        if (r > 0) {
          s.times.step.push(t2 - t0);
          s.times.optimizer.push(t2 - t1);
        }
      }
    }
  }
  const info = kernels().info();
  console.log(
    `\n## Muon on the quick model (${info.name}/${info.isa}, ${info.threads} threads; medians of ${rounds * steps} steps, ms)`,
  );
  console.log('| optimizer | step ms | optimizer ms | optimizer share | tokens/s |');
  console.log('| --- | --- | --- | --- | --- |');
  const med = setups.map((s) => ({ step: median(s.times.step), optimizer: median(s.times.optimizer) }));
  setups.forEach((s, i) => {
    const { step, optimizer } = med[i];
    const share = ((100 * optimizer) / step).toFixed(1);
    console.log(
      `| ${s.kind} | ${step.toFixed(1)} | ${optimizer.toFixed(2)} | ${share}% | ${Math.round((B * T) / (step / 1000))} |`,
    );
  });
  const extra = med[1].optimizer - med[0].optimizer;
  const pct = ((100 * extra) / med[0].step).toFixed(1);
  console.log(`Muon's extra optimizer time: ${extra.toFixed(2)} ms per step, ${pct}% of the AdamW step`);
}
