/**
 * Training throughput, slurry against PyTorch side by side: for each reference
 * configuration, runs alternate (slurry, torch, slurry, torch, ...) in separate processes
 * so both see the same machine load; medians of each and their ratio are printed, with
 * peak memory. PyTorch is ../shared/bench/torch_gpt.py run by Debian's python3
 * (SLURRY_TORCH_GPT overrides the script path); where it is missing, a line says so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BENCH_PRESETS, type BenchPreset } from '../src/bench/presets.js';
import { median, torchAvailable, TORCH_PYTHON } from './util.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const TORCH_GPT = process.env.SLURRY_TORCH_GPT ?? fileURLToPath(new URL('../../../shared/bench/torch_gpt.py', import.meta.url));

interface Sample {
  tokens_per_s: number;
  peak_rss_mib: number;
}

function runSlurry(name: string, steps: number): Sample {
  const r = spawnSync(process.execPath, [CLI, 'bench', 'train', '--preset', name, '--steps', String(steps), '--json'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`slurry bench train --preset ${name} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function runTorch(p: BenchPreset, steps: number, threads: number): Sample {
  const args = [TORCH_GPT, '--vocab', p.vocab_size, '--n_layer', p.n_layer, '--n_head', p.n_head, '--d_model', p.n_embd, '--T', p.context, '--B', p.batch_size, '--threads', threads, '--steps', steps, '--omp_passive'].map(String);
  const r = spawnSync(TORCH_PYTHON, args, { encoding: 'utf8' });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT'));
  if (r.status !== 0 || !line) throw new Error(`torch_gpt.py failed: ${r.stderr.slice(-500)}`);
  const field = (k: string) => Number(new RegExp(`${k}=([\\d.]+)`).exec(line)![1]);
  return { tokens_per_s: field('tokens_per_s'), peak_rss_mib: field('peak_rss_MiB') };
}

export function benchTraining(opts: { presets?: string[]; rounds?: number; threads?: number } = {}): void {
  const presets = opts.presets ?? Object.keys(BENCH_PRESETS);
  const rounds = opts.rounds ?? 3;
  const threads = opts.threads ?? 2;
  const torch = existsSync(TORCH_GPT) && torchAvailable();
  console.log(`\n## Training throughput (tokens/s, median of ${rounds} alternated runs, ${threads} threads)`);
  if (!torch) console.log(`PyTorch reference skipped: needs ${TORCH_GPT} and ${TORCH_PYTHON} with torch (apt-get install python3-torch python3-numpy libopenblas0-pthread)`);
  console.log('| preset | slurry tok/s | torch tok/s | ratio | slurry peak MiB | torch peak MiB |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const name of presets) {
    const p = BENCH_PRESETS[name];
    const steps = name === 'B' ? 10 : 20;
    const ours: Sample[] = [];
    const theirs: Sample[] = [];
    for (let r = 0; r < rounds; r++) {
      ours.push(runSlurry(name, steps));
      if (torch) theirs.push(runTorch(p, steps, threads));
    }
    const a = median(ours.map((s) => s.tokens_per_s));
    const b = torch ? median(theirs.map((s) => s.tokens_per_s)) : NaN;
    const rssA = median(ours.map((s) => s.peak_rss_mib));
    const rssB = torch ? median(theirs.map((s) => s.peak_rss_mib)) : NaN;
    const fmt = (x: number, d = 0) => (Number.isNaN(x) ? '-' : x.toFixed(d));
    console.log(`| ${name} | ${fmt(a)} | ${fmt(b)} | ${fmt(a / b, 2)}x | ${fmt(rssA)} | ${fmt(rssB)} |`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const presets = process.argv.slice(2);
  benchTraining({ presets: presets.length ? presets : undefined });
}
