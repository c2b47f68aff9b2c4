import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { readModelConfig } from '../model/checkpoint.js';
import { compareGrok, DEFAULT_COMPARE_FRACS } from '../grokking/compare.js';
import { GROK_PRESETS, parseGrokConfig, type GrokConfig } from '../grokking/config.js';
import { writeGrokReport, type GrokReport } from '../grokking/report.js';
import { checkOp } from '../grokking/task.js';
import { trainGrok } from '../grokking/train.js';
import { SlurryError } from '../util/errors.js';
import { jsonObject, parseJson, readJsonFile } from '../util/json.js';
import { parseWith } from '../util/schema.js';
import { decimalNumber } from './flags.js';

interface GrokOptions {
  out: string;
  preset: string;
  op?: string;
  p?: string;
  trainFrac?: string;
  weightDecay?: string;
  lr?: string;
  steps?: string;
  seed?: string;
  warmup?: string;
  evalEvery?: string;
  checkpointEvery?: string;
  stopAfter?: string;
  model?: string;
  compare?: boolean;
  fracs?: string;
  reportOnly?: boolean;
}

function number(option: string, raw: string, ok: (x: number) => boolean, expected: string): number {
  const x = decimalNumber(raw);
  if (!Number.isFinite(x) || !ok(x)) throw new SlurryError(`${option} ${raw}: expected ${expected}`);
  return x;
}
const int = (option: string, raw: string, min: number) => number(option, raw, (x) => Number.isInteger(x) && x >= min, `an integer >= ${min}`);
const frac = (option: string, raw: string) => number(option, raw, (x) => x > 0 && x < 1, 'a fraction strictly between 0 and 1');

/** --model: inline JSON, a JSON file of GPT config fields, or a checkpoint directory. */
function modelOption(raw: string): Record<string, unknown> {
  if (raw.trim().startsWith('{')) return parseWith(jsonObject, parseJson(raw, '--model'), '--model');
  if (!existsSync(raw)) throw new SlurryError(`--model ${raw}: no such file or directory (expected inline JSON, a JSON file or a checkpoint directory)`);
  if (statSync(raw).isDirectory()) return { ...readModelConfig(raw) };
  return readJsonFile(raw, jsonObject);
}

/** The preset with each given option on top, validated. */
export function grokConfigFromOptions(o: Omit<GrokOptions, 'out'>): GrokConfig {
  const preset = GROK_PRESETS[o.preset];
  if (!preset) throw new SlurryError(`--preset ${o.preset}: expected one of ${Object.keys(GROK_PRESETS).join(', ')}`);
  const c: GrokConfig = { ...preset };
  if (o.op !== undefined) {
    checkOp(o.op);
    c.op = o.op;
  }
  if (o.p !== undefined) c.p = int('--p', o.p, 3);
  if (o.trainFrac !== undefined) c.train_frac = frac('--train-frac', o.trainFrac);
  if (o.weightDecay !== undefined) c.weight_decay = number('--weight-decay', o.weightDecay, (x) => x >= 0, 'a number >= 0');
  if (o.lr !== undefined) c.lr = number('--lr', o.lr, (x) => x > 0, 'a number > 0');
  if (o.steps !== undefined) c.steps = int('--steps', o.steps, 1);
  if (o.seed !== undefined) c.seed = int('--seed', o.seed, 0);
  if (o.warmup !== undefined) c.warmup_steps = int('--warmup', o.warmup, 0);
  if (o.evalEvery !== undefined) c.eval_every = int('--eval-every', o.evalEvery, 1);
  if (o.checkpointEvery !== undefined) c.checkpoint_every = int('--checkpoint-every', o.checkpointEvery, 1);
  if (o.stopAfter !== undefined) c.stop_after = int('--stop-after', o.stopAfter, 0);
  if (o.model !== undefined) c.model = modelOption(o.model);
  return parseGrokConfig(c, 'grok options');
}

function printReport(r: GrokReport): void {
  for (const w of r.warnings) process.stderr.write(`grok: chart warning: ${w}\n`);
  process.stderr.write(`grok: report ${r.index}\n`);
}

/** `slurry grok`: train a transformer on a∘b mod p and watch it grok. */
export function registerGrok(program: Command): void {
  program
    .command('grok')
    .description('train a one-layer transformer on a∘b mod p (Power et al. 2022, Nanda et al. 2023) and record progress measures, checkpoints and a report')
    .requiredOption('--out <dir>', 'run directory (config.json, metrics.jsonl, checkpoints/, summary.json, report/)')
    .option('--preset <name>', `recipe: ${Object.keys(GROK_PRESETS).join(', ')} (default: Nanda et al.'s p = 113 setup; quick: smaller p, a few minutes)`, 'default')
    .option('--op <op>', 'add, sub, div or poly (a^2 + ab + b^2)')
    .option('--p <p>', 'modulus (prime for div)')
    .option('--train-frac <f>', 'fraction of all pairs used for training, in (0, 1)')
    .option('--weight-decay <w>', 'AdamW weight decay (all parameters)')
    .option('--lr <lr>', 'learning rate')
    .option('--steps <n>', 'most full-batch optimizer steps')
    .option('--seed <n>', 'seed of the split and the initialisation')
    .option('--warmup <n>', 'linear learning-rate warm-up steps')
    .option('--eval-every <n>', 'evaluate every n steps (and at 0, 1, 2, 4, ... before)')
    .option('--checkpoint-every <n>', 'checkpoint every n steps (and at 0, 1, 2, 4, ... before)')
    .option('--stop-after <n>', 'stop once test accuracy has stayed >= 99% for n steps (0: never)')
    .option('--model <json|file|dir>', 'model fields over the default transformer: inline JSON, a JSON file, or a checkpoint directory')
    .option('--compare', 'run the comparisons (weight decay 0 against the chosen one, several train fractions) under DIR/runs/ and write one page')
    .option('--fracs <list>', `train fractions for --compare (default: ${Object.entries(DEFAULT_COMPARE_FRACS).map(([k, v]) => `${v.join(',')} for ${k}`).join('; ')})`)
    .option('--report-only', 'only (re)write the report page of the finished run in DIR')
    .action(async (opts: GrokOptions) => {
      if (opts.reportOnly) {
        printReport(await writeGrokReport(opts.out));
        return;
      }
      const config = grokConfigFromOptions(opts);
      if (opts.compare) {
        const fracs = opts.fracs ? opts.fracs.split(',').map((f) => frac('--fracs', f)) : DEFAULT_COMPARE_FRACS[opts.preset];
        printReport(await compareGrok(config, opts.out, fracs));
        return;
      }
      if (opts.fracs) throw new SlurryError('--fracs: only with --compare');
      await trainGrok(config, opts.out);
      printReport(await writeGrokReport(opts.out));
    });
}
