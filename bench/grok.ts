/**
 * Grokking benchmarks, slurry against PyTorch (shared/bench/torch_grok.py found in an
 * ancestor directory, or SLURRY_TORCH_GROK; --impl last)
 * side by side in the same run:
 *   step time   median seconds of one full-batch step (forward, backward, AdamW) on the
 *               setups of the quick and the default preset; runs alternate slurry, torch,
 *               slurry, torch, ... so both see the same machine load; medians and ratio
 *   to grok     one whole run of a preset on each side: steps to memorise and to grok
 *               (test accuracy >= 95%), wall time to grok, ratios
 * `npm run bench -- grok` measures step times and the quick preset's run;
 * `node dist/bench/grok.js --preset default` runs the full reproduction instead (tens of minutes).
 * Where PyTorch is missing, a line says so and only slurry's numbers are printed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernels } from '../src/engine/backend.js';
import { precisionUnavailable, type Precision } from '../src/engine/precision.js';
import { GROK_PRESETS, type GrokConfig } from '../src/grokking/config.js';
import type { GrokSummary } from '../src/grokking/records.js';
import { median, torchAvailable, TORCH_PYTHON } from './util.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const TORCH_GROK = process.env.SLURRY_TORCH_GROK ?? findShared('bench/torch_grok.py');

/** The first ancestor directory's shared/<rel> (the repository may sit at any depth below it). */
function findShared(rel: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'shared', rel);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) return join('shared', rel);
    dir = up;
  }
}

interface RunResult {
  step_s: number;
  memorised: number | null;
  grokked: number | null;
  wall_to_grok: number | null;
  steps_done: number;
}

/** One slurry grok run in its own process; `steps`/`evalEvery` override the preset's. */
function runSlurry(preset: string, precision: Precision, opts: { steps?: number; evalEvery?: number } = {}): RunResult {
  const out = mkdtempSync(join(tmpdir(), 'slurry-bench-grok-'));
  try {
    const args = [CLI, 'grok', '--preset', preset, '--precision', precision, '--out', join(out, 'run')];
    if (opts.steps !== undefined)
      args.push('--steps', String(opts.steps), '--stop-after', '0', '--checkpoint-every', String(opts.steps + 1));
    if (opts.evalEvery !== undefined) args.push('--eval-every', String(opts.evalEvery));
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`slurry grok --preset ${preset} failed: ${r.stderr.slice(-1000)}`);
    const s = JSON.parse(readFileSync(join(out, 'run', 'summary.json'), 'utf8')) as GrokSummary;
    return {
      step_s: s.step_s_median ?? NaN,
      memorised: s.memorised_step,
      grokked: s.grokked_step,
      wall_to_grok: s.wall_s_to_grok,
      steps_done: s.steps_done,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The same setup in torch_grok.py (2 threads, OMP passive, the last-position forward). */
function runTorch(c: GrokConfig, opts: { steps?: number; maxMinutes?: number } = {}): RunResult {
  const out = mkdtempSync(join(tmpdir(), 'slurry-bench-torch-'));
  try {
    const json = join(out, 'summary.json');
    const steps = opts.steps ?? c.steps;
    const args = [
      TORCH_GROK,
      '--p',
      c.p,
      '--frac',
      c.train_frac,
      '--wd',
      c.optimizer.weight_decay,
      '--lr',
      c.optimizer.lr,
      '--warmup',
      c.lr_schedule.warmup_steps,
      '--steps',
      steps,
      '--seed',
      c.seed,
      '--log-every',
      opts.steps !== undefined ? steps : c.eval_every,
      '--stop-acc',
      c.stop_acc,
      '--stop-after',
      opts.steps !== undefined ? 0 : c.stop_after,
      '--max-minutes',
      opts.maxMinutes ?? 60,
      '--threads',
      2,
      '--impl',
      'last',
      '--json',
      json,
    ].map(String);
    const r = spawnSync(TORCH_PYTHON, args, { encoding: 'utf8' });
    if (r.status !== 0 || !existsSync(json)) throw new Error(`torch_grok.py failed: ${r.stderr.slice(-1000)}`);
    const s = JSON.parse(readFileSync(json, 'utf8'));
    return {
      step_s: s.step_s_median,
      memorised: s.first_step_train_acc_100,
      grokked: s.first_step_test_acc_95,
      wall_to_grok: s.wall_s_at?.test95 ?? null,
      steps_done: s.steps_done,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const fmt = (x: number | null | undefined, digits = 3) =>
  x === null || x === undefined || Number.isNaN(x) ? '-' : Number(x.toPrecision(digits)).toString();
const ratio = (a: number | null | undefined, b: number | null | undefined) => (a && b ? `${(a / b).toFixed(2)}x` : '-');

export function benchGrok(opts: { presets?: string[]; rounds?: number; stepSamples?: number } = {}): void {
  const presets = opts.presets ?? ['quick'];
  const rounds = opts.rounds ?? 3;
  const stepSamples = opts.stepSamples ?? 30;
  const torch = existsSync(TORCH_GROK) && torchAvailable();
  // slurry in fp32 (the reference's arithmetic) and, where the CPU has AVX512_BF16, in bf16.
  const precisions: Precision[] = precisionUnavailable('bf16', kernels()) ? ['fp32'] : ['fp32', 'bf16'];
  console.log(`\n## Grokking: full-batch step time (median of ${rounds} alternated runs of ${stepSamples} steps)`);
  if (!torch)
    console.log(
      `PyTorch reference skipped: needs ${TORCH_GROK} and ${TORCH_PYTHON} with torch (apt-get install python3-torch python3-numpy libopenblas0-pthread)`,
    );
  console.log(
    `| setup | ${precisions.map((p) => `slurry ${p} ms/step`).join(' | ')} | torch ms/step | ${precisions.map((p) => `slurry ${p} / torch`).join(' | ')} |`,
  );
  console.log(`|${' --- |'.repeat(2 + 2 * precisions.length)}`);
  for (const name of ['quick', 'default']) {
    const c = GROK_PRESETS[name];
    const ours = precisions.map((): number[] => []);
    const theirs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      precisions.forEach((p, i) =>
        ours[i].push(runSlurry(name, p, { steps: stepSamples, evalEvery: stepSamples + 1 }).step_s),
      );
      if (torch) theirs.push(runTorch(c, { steps: stepSamples }).step_s);
    }
    const a = ours.map((o) => median(o) * 1000);
    const b = torch ? median(theirs) * 1000 : NaN;
    console.log(
      `| ${name}: ${c.op} p=${c.p} frac=${c.train_frac} | ${a.map((x) => fmt(x)).join(' | ')} | ${fmt(b)} | ${a.map((x) => ratio(x, b)).join(' | ')} |`,
    );
  }

  console.log('\n## Grokking: one whole run per preset (steps are optimizer updates; wall time includes evaluations)');
  console.log('| preset | side | memorised at | grokked (test >= 95%) at | ratio | wall to grok (s) | median s/step |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const name of presets) {
    const c = GROK_PRESETS[name];
    const rows: [string, RunResult][] = precisions.map((p) => [`slurry ${p}`, runSlurry(name, p)]);
    const reference = torch ? runTorch(c) : null;
    if (reference) rows.push(['torch', reference]);
    for (const [side, r] of rows) {
      console.log(
        `| ${name} (p=${c.p}, frac=${c.train_frac}) | ${side} | ${fmt(r.memorised, 6)} | ${fmt(r.grokked, 6)} | ${r.grokked && r.memorised ? (r.grokked / r.memorised).toFixed(1) : '-'} | ${fmt(r.wall_to_grok)} | ${fmt(r.step_s)} |`,
      );
    }
    if (reference)
      for (const [side, r] of rows.slice(0, precisions.length))
        console.log(
          `| ${name} | ${side} / torch wall to grok | | | | ${ratio(r.wall_to_grok, reference.wall_to_grok)} | ${ratio(r.step_s, reference.step_s)} |`,
        );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--preset');
  benchGrok({ presets: i > 0 ? [process.argv[i + 1]] : undefined });
}
