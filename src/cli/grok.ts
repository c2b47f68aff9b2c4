import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { parsePrecision, PRECISION_CHOICES } from '../engine/precision.js';
import { readModelConfig } from '../model/checkpoint.js';
import { compareGrok, DEFAULT_COMPARE_FRACS } from '../grokking/compare.js';
import { GROK_PRESETS, parseGrokConfig, type GrokConfig } from '../grokking/config.js';
import { writeGrokReport, type GrokReport } from '../grokking/report.js';
import { checkOp } from '../grokking/task.js';
import { trainGrok } from '../grokking/train.js';
import { SlurryError } from '../util/errors.js';
import { jsonObject, parseJson, readJsonFile } from '../util/json.js';
import { parseWith } from '../util/schema.js';
import { choiceFlag, fractionFlag, intFlag, numberFlag, withFlagNames } from './flags.js';

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
  precision?: string;
  compare?: boolean;
  fracs?: string;
  reportOnly?: boolean;
}

/** The flag that sets each config field (library errors name the field). */
const GROK_FLAGS: Record<string, string> = {
  op: '--op',
  p: '--p',
  train_frac: '--train-frac',
  'optimizer.weight_decay': '--weight-decay',
  'optimizer.lr': '--lr',
  steps: '--steps',
  seed: '--seed',
  'lr_schedule.warmup_steps': '--warmup',
  eval_every: '--eval-every',
  checkpoint_every: '--checkpoint-every',
  stop_after: '--stop-after',
  model: '--model',
  precision: '--precision',
};

/** --model: inline JSON, a JSON file of GPT config fields, or a checkpoint directory. */
function modelOption(raw: string): Record<string, unknown> {
  if (raw.trim().startsWith('{')) return parseWith(jsonObject, parseJson(raw, '--model'), '--model');
  if (!existsSync(raw))
    throw new SlurryError(
      `--model ${raw}: no such file or directory (expected inline JSON, a JSON file or a checkpoint directory)`,
    );
  if (statSync(raw).isDirectory()) return { ...readModelConfig(raw) };
  return readJsonFile(raw, jsonObject);
}

/** The preset with each given option on top, validated. */
export function grokConfigFromOptions(o: Omit<GrokOptions, 'out'>): GrokConfig {
  const preset = GROK_PRESETS[choiceFlag('--preset', o.preset, Object.keys(GROK_PRESETS))];
  const c: GrokConfig = { ...preset, optimizer: { ...preset.optimizer }, lr_schedule: { ...preset.lr_schedule } };
  if (o.op !== undefined) {
    checkOp(o.op);
    c.op = o.op;
  }
  if (o.p !== undefined) c.p = intFlag('--p', o.p, 3);
  if (o.trainFrac !== undefined) c.train_frac = fractionFlag('--train-frac', o.trainFrac);
  if (o.weightDecay !== undefined) {
    c.optimizer.weight_decay = numberFlag('--weight-decay', o.weightDecay, (x) => x >= 0, 'a number >= 0');
  }
  if (o.lr !== undefined) c.optimizer.lr = numberFlag('--lr', o.lr, (x) => x > 0, 'a number > 0');
  if (o.steps !== undefined) c.steps = intFlag('--steps', o.steps, 1);
  if (o.seed !== undefined) c.seed = intFlag('--seed', o.seed, 0);
  if (o.warmup !== undefined) c.lr_schedule.warmup_steps = intFlag('--warmup', o.warmup, 0);
  if (o.evalEvery !== undefined) c.eval_every = intFlag('--eval-every', o.evalEvery, 1);
  if (o.checkpointEvery !== undefined) c.checkpoint_every = intFlag('--checkpoint-every', o.checkpointEvery, 1);
  if (o.stopAfter !== undefined) c.stop_after = intFlag('--stop-after', o.stopAfter, 0);
  if (o.model !== undefined) c.model = modelOption(o.model);
  if (o.precision !== undefined) c.precision = parsePrecision(o.precision, '--precision');
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
    .description(
      'train a one-layer transformer on a∘b mod p (Power et al. 2022, Nanda et al. 2023) and record progress measures, checkpoints and a report',
    )
    .requiredOption('--out <dir>', 'run directory (config.json, metrics.jsonl, checkpoints/, summary.json, report/)')
    .option(
      '--preset <name>',
      `recipe: ${Object.keys(GROK_PRESETS).join(', ')} (default: Nanda et al.'s p = 113 setup; quick: smaller p, a few minutes)`,
      'default',
    )
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
    .option(
      '--model <json|file|dir>',
      'model fields over the default transformer: inline JSON, a JSON file, or a checkpoint directory',
    )
    .option(
      '--precision <p>',
      `arithmetic of the matrix products: ${PRECISION_CHOICES.join(', ')} (default: fp32, as the reference)`,
    )
    .option(
      '--compare',
      'run the comparisons (weight decay 0 against the chosen one, several train fractions) under DIR/runs/ and write one page',
    )
    .option(
      '--fracs <list>',
      `train fractions for --compare (default: ${Object.entries(DEFAULT_COMPARE_FRACS)
        .map(([k, v]) => `${v.join(',')} for ${k}`)
        .join('; ')})`,
    )
    .option('--report-only', 'only (re)write the report page of the finished run in DIR')
    .action((opts: GrokOptions) => withFlagNames(GROK_FLAGS, () => grok(opts)));
}

async function grok(opts: GrokOptions): Promise<void> {
  if (opts.reportOnly) {
    printReport(await writeGrokReport(opts.out));
    return;
  }
  const config = grokConfigFromOptions(opts);
  if (opts.compare) {
    const fracs = opts.fracs
      ? opts.fracs.split(',').map((f) => fractionFlag('--fracs', f))
      : DEFAULT_COMPARE_FRACS[opts.preset];
    printReport(await compareGrok(config, opts.out, fracs));
    return;
  }
  if (opts.fracs) throw new SlurryError('--fracs: only with --compare');
  await trainGrok(config, opts.out);
  printReport(await writeGrokReport(opts.out));
}
