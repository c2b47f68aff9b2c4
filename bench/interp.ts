/**
 * `slurry interp` on one quick-preset checkpoint (L=4, H=4, d=128, T=128, the quick
 * corpus's vocabulary) with every family at its default size: the figure each checkpoint
 * costs. The checkpoint is SLURRY_BENCH_CHECKPOINT when given, else a fresh quick-preset
 * model (the same arithmetic as a trained one); the corpus is SLURRY_BENCH_CORPUS, else the
 * quick corpus built once under the OS temp dir. Prints each family's median seconds over
 * the rounds and its share of the total, wall clock and the process's CPU time.
 *
 *   npm run bench -- interp          (or: node dist/bench/interp.js [rounds])
 */
import { existsSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCorpus } from '../src/data/build.js';
import { presetConfig } from '../src/data/config.js';
import { openCorpus } from '../src/data/corpus.js';
import { kernels } from '../src/engine/backend.js';
import { DEFAULT_SAE, measureCheckpoint } from '../src/interp/measure.js';
import { sampleFromCorpus } from '../src/interp/runner.js';
import { parseGPTConfig } from '../src/model/config.js';
import { GPT } from '../src/model/gpt.js';
import { openCheckpoint } from '../src/model/load-checkpoint.js';
import type { Tokenizer } from '../src/data/tokenizer/tokenizer.js';
import { median } from './util.js';

async function quickCorpus(): Promise<string> {
  const given = process.env.SLURRY_BENCH_CORPUS;
  if (given) return given;
  const dir = join(tmpdir(), 'slurry-bench-corpus-quick');
  if (!existsSync(join(dir, 'manifest.json'))) {
    console.log(`building the quick corpus into ${dir} (once)...`);
    await buildCorpus({ config: presetConfig('quick'), out: dir, progress: 'silent', force: true });
  }
  return dir;
}

export async function benchInterp(rounds = 3): Promise<void> {
  const corpusDir = await quickCorpus();
  const corpus = openCorpus(corpusDir, { verify: 'size' });
  let model: GPT;
  let tokenizer: Tokenizer;
  const given = process.env.SLURRY_BENCH_CHECKPOINT;
  if (given) ({ model, tokenizer } = openCheckpoint(given));
  else {
    const config = { vocab_size: corpus.tokenizer.vocabSize, n_layer: 4, n_head: 4, n_embd: 128, n_positions: 128 };
    model = GPT.init(parseGPTConfig(config), 0);
    tokenizer = corpus.tokenizer;
  }
  const info = kernels().info();
  console.log(`\n## interp: one checkpoint, every family (${given ?? 'fresh quick-preset model'})`);
  console.log(
    `backend ${info.name} (${info.isa}), ${info.threads} threads, ${cpus().length} cores, load ${loadavg()[0].toFixed(1)}`,
  );
  const sample = sampleFromCorpus(corpusDir, 128, 0);
  const opts = { sae: { ...DEFAULT_SAE }, memoryLimit: totalmem() / 4, headSequences: 16, ckaRows: 512, seed: 0 };
  const prev = measureCheckpoint(model, tokenizer, sample, { step: 0, tokens: 0 }, null, opts);
  const wall: Record<string, number[]> = {};
  const cpu: number[] = [];
  const totals: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const m = measureCheckpoint(
      model,
      tokenizer,
      sample,
      { step: 1, tokens: 1 },
      { step: 0, acts: prev.ckaActs },
      opts,
    );
    totals.push((performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    for (const [family, s] of Object.entries(m.record.seconds)) (wall[family] ??= []).push(s);
  }
  const total = median(totals);
  console.log(
    `sample: ${sample.windows.length} held-out windows, ${sample.source.rows.length} source rows, ${sample.pos.rows.length} POS rows; SAE ${sample.saeWindows.length * 128} tokens`,
  );
  console.log('| family | median s | share |');
  console.log('| --- | --- | --- |');
  for (const [family, xs] of Object.entries(wall)) {
    console.log(`| ${family} | ${median(xs).toFixed(2)} | ${((100 * median(xs)) / total).toFixed(0)}% |`);
  }
  console.log(`| total (wall) | ${total.toFixed(2)} | target <= 20 s |`);
  console.log(`| total (process CPU) | ${median(cpu).toFixed(2)} | |`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await benchInterp(Number(process.argv[2] ?? 3));
