/**
 * Data pipeline benchmarks: corpus build times (quick and full presets), tokenizer
 * encoding speed on one core (side by side with Hugging Face's tokenizers on the same
 * text and tokenizer.json), and the mixture sampler's time per batch.
 *
 *   node dist/bench/data.js [quick] [full] [encode] [sampler]     (all by default)
 *
 * Targets (issue 3): full corpus >= 40 MB built in <= 3 min on 2 cores; quick <= 5 MB in
 * <= 20 s; encoding >= 5 MB/s on one core; a batch of B*T = 4096 in a few ms.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openCorpus, type Corpus } from '../src/data/corpus.js';
import { BpeTokenizer } from '../src/data/tokenizer/tokenizer.js';
import { median } from './util.js';

/** CPU seconds (user + system) of this process since `since`. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
}

export interface BuildFigures {
  preset: string;
  wallSeconds: number;
  /** CPU seconds of the building process (user + system, all its threads). */
  cpuSeconds: number;
  textMB: number;
  trainTokens: number;
  stages: Record<string, number>;
}

/**
 * Builds a preset into a temporary directory in a fresh Node process (so no parse cached
 * by an earlier build in this process flatters the figure); returns its figures and the
 * corpus path.
 */
export function benchBuild(preset: 'quick' | 'full'): BuildFigures & { dir: string } {
  const dir = join(mkdtempSync(join(tmpdir(), `slurry-bench-${preset}-`)), 'corpus');
  const url = (rel: string) => new URL(rel, import.meta.url).href;
  const script = `
    const { buildCorpus } = await import(${JSON.stringify(url('../src/data/build.js'))});
    const { presetConfig } = await import(${JSON.stringify(url('../src/data/config.js'))});
    const t0 = performance.now();
    const m = await buildCorpus({ config: presetConfig(${JSON.stringify(preset)}), out: ${JSON.stringify(dir)}, progress: 'silent' });
    const wall = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage();
    console.log(JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1e6, bytes: m.totals.bytes, tokens: m.totals.train_tokens, stages: m.build.stages }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build of ${preset} failed: ${r.stderr}`);
  const f = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    wall: number;
    cpu: number;
    bytes: number;
    tokens: number;
    stages: Record<string, number>;
  };
  return {
    dir,
    preset,
    wallSeconds: f.wall,
    cpuSeconds: f.cpu,
    textMB: f.bytes / 1e6,
    trainTokens: f.tokens,
    stages: f.stages,
  };
}

/** Training documents of every source, as the encoder sees them. */
function corpusTexts(corpus: Corpus): string[] {
  return corpus.sources.flatMap((s) => [...corpus.documents(s.name, 'train')]);
}

export interface EncodeFigures {
  megabytes: number;
  coldMBps: number;
  warmMBps: number;
  hfMBps: number | null;
}

/**
 * Encoding speed on one core over the corpus's own training text: cold (a fresh
 * tokenizer, empty cache) and warm, medians of `runs`; and Hugging Face's tokenizers on
 * the same documents and tokenizer.json (TOKENIZERS_PARALLELISM=false: one core).
 * Rates are megabytes per CPU-second of this process (encoding is single-threaded), so
 * other work on a shared machine does not distort them as wall time would.
 */
export async function benchEncode(corpus: Corpus, runs = 3): Promise<EncodeFigures> {
  const texts = corpusTexts(corpus);
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const model = (corpus.tokenizer as BpeTokenizer).model;
  const cold: number[] = [];
  const warm: number[] = [];
  for (let r = 0; r < runs; r++) {
    const tok = new BpeTokenizer(model);
    for (const list of [cold, warm]) {
      const cpu = process.cpuUsage();
      let n = 0;
      for (const t of texts) n += tok.encode(t).length;
      list.push(bytes / 1e6 / cpuSeconds(cpu));
      if (n === 0) throw new Error('nothing encoded');
    }
  }
  let hfMBps: number | null = null;
  try {
    process.env.TOKENIZERS_PARALLELISM = 'false';
    const require = createRequire(import.meta.url);
    const { Tokenizer } = require('tokenizers') as typeof import('tokenizers');
    const hf = Tokenizer.fromFile(join(corpus.dir, 'tokenizer.json'));
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const cpu = process.cpuUsage();
      for (const t of texts) await hf.encode(t);
      times.push(bytes / 1e6 / cpuSeconds(cpu));
    }
    hfMBps = median(times);
  } catch {
    hfMBps = null; // tokenizers is a devDependency; absent in production installs
  }
  return { megabytes: bytes / 1e6, coldMBps: median(cold), warmMBps: median(warm), hfMBps };
}

/** Milliseconds per batch (median over `steps` consecutive steps) at the natural mixture. */
export function benchSampler(
  corpus: Corpus,
  batchSize = 16,
  context = 256,
  steps = 500,
): { msPerBatch: number; p99: number } {
  const weights = corpus.naturalWeights();
  corpus.batch({ seed: 0, step: 0, weights, batchSize, context }); // loads the shards
  const times: number[] = [];
  for (let k = 0; k < steps; k++) {
    const t0 = performance.now();
    corpus.batch({ seed: 0, step: k, weights, batchSize, context });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { msPerBatch: median(times), p99: times[Math.floor(steps * 0.99)]! };
}

function printBuild(f: BuildFigures): void {
  const stages = Object.entries(f.stages)
    .map(([k, v]) => `${k} ${v.toFixed(1)}`)
    .join(', ');
  console.log(
    `data build ${f.preset}: ${f.wallSeconds.toFixed(1)} s wall, ${f.cpuSeconds.toFixed(1)} s CPU, ${f.textMB.toFixed(2)} MB text, ${f.trainTokens.toLocaleString('en-US')} train tokens (stages, s: ${stages})`,
  );
}

export async function benchData(sections: readonly string[] = []): Promise<void> {
  const want = (s: string) => sections.length === 0 || sections.includes(s);
  console.log('## data');
  const quick = benchBuild('quick');
  if (want('quick')) printBuild(quick);
  try {
    const corpus = openCorpus(quick.dir);
    if (want('encode')) {
      const e = await benchEncode(corpus);
      const hf = e.hfMBps === null ? 'HF tokenizers not installed' : `HF tokenizers ${e.hfMBps.toFixed(1)} MB/s`;
      console.log(
        `data encode (quick corpus, ${e.megabytes.toFixed(1)} MB, one core, MB per CPU-second): cold ${e.coldMBps.toFixed(1)} MB/s, warm ${e.warmMBps.toFixed(1)} MB/s; ${hf} (medians of 3)`,
      );
    }
    if (want('sampler')) {
      const s = benchSampler(corpus);
      console.log(
        `data sampler (B=16, T=256, natural mixture): ${s.msPerBatch.toFixed(3)} ms/batch median, p99 ${s.p99.toFixed(3)} ms`,
      );
    }
  } finally {
    rmSync(quick.dir, { recursive: true, force: true });
  }
  if (want('full')) {
    const full = benchBuild('full');
    printBuild(full);
    rmSync(full.dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchData(process.argv.slice(2));
