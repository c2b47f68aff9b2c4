import type { Command } from 'commander';
import { openCorpus } from '../data/corpus.js';
import { SlurryError } from '../util/errors.js';
import { decimalNumber, intFlag, numberFlag } from './flags.js';

interface BatchFlags {
  step: string;
  seed: string;
  batch: string;
  context: string;
  weights: string;
  repeats: string;
  json?: boolean;
}

/** Parses "natural" or "brown=1,facts=0.5". Unknown names and bad values are caught by the sampler, naming the field. */
export function parseWeightsArg(text: string, natural: Record<string, number>): Record<string, number> {
  if (text === 'natural') return natural;
  const weights: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) throw new SlurryError(`--weights: expected "natural" or NAME=WEIGHT[,NAME=WEIGHT...], got "${part}"`);
    const w = decimalNumber(m[2]!);
    if (Number.isNaN(w)) throw new SlurryError(`--weights: field "weights.${m[1]}": expected a number, got "${m[2]}"`);
    weights[m[1]!] = w;
  }
  return weights;
}

/** `slurry data batch DIR --step K`: the exact text of batch K, each sequence with its source. */
export function registerDataBatch(data: Command): void {
  data
    .command('batch')
    .description('print the exact text of training batch K with the source of each sequence')
    .argument('<dir>', 'corpus directory')
    .requiredOption('--step <k>', 'which batch')
    .option('--seed <n>', 'data seed', '0')
    .option('--batch <B>', 'sequences per batch', '8')
    .option('--context <T>', 'tokens per sequence', '128')
    .option('--weights <spec>', '"natural" (token shares) or NAME=W,NAME=W', 'natural')
    .option('--repeats <fraction>', "fraction of rows that repeat a span (a run's data.repeats)", '0')
    .option('--json', 'print JSON')
    .action((dir: string, flags: BatchFlags) => {
      const corpus = openCorpus(dir, { verify: 'size' });
      const req = {
        seed: intFlag('--seed', flags.seed, 0),
        step: intFlag('--step', flags.step, 0),
        batchSize: intFlag('--batch', flags.batch, 1),
        context: intFlag('--context', flags.context, 1),
        weights: parseWeightsArg(flags.weights, corpus.naturalWeights()),
        repeats: numberFlag('--repeats', flags.repeats, (x) => x >= 0 && x <= 1, 'a fraction from 0 to 1'),
      };
      const batch = corpus.batch(req);
      const T = req.context;
      const rows = batch.rows.map((r, b) => {
        const ids = [...batch.inputs.subarray(b * T, (b + 1) * T), batch.targets[(b + 1) * T - 1]!];
        const source = corpus.sources[r.source]!.name;
        return { row: b, source, offset: r.offset, repeat: r.repeat, text: corpus.tokenizer.decode(ids) };
      });
      if (flags.json) {
        console.log(JSON.stringify({ ...req, rows }, null, 2));
        return;
      }
      console.log(`batch ${req.step} (seed ${req.seed}, ${req.batchSize} x ${T} tokens)`);
      for (const r of rows) {
        const repeat = r.repeat === undefined ? '' : ` · first ${r.repeat} tokens repeated`;
        console.log(`\n=== row ${r.row} · ${r.source} · offset ${r.offset}${repeat} ===\n${r.text}`);
      }
    });
}
