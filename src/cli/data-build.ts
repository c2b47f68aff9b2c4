import type { Command } from 'commander';
import { buildCorpus } from '../data/build.js';
import { presetConfig } from '../data/config.js';
import { intFlag, vocabFlag } from './flags.js';

interface BuildFlags {
  preset: string;
  out: string;
  seed?: string;
  vocab?: string;
  dedupThreshold?: string;
  force?: boolean;
  quiet?: boolean;
}

/** `slurry data build --preset quick|full --out DIR`. */
export function registerDataBuild(data: Command): void {
  data
    .command('build')
    .description('build a corpus: sources -> clean -> dedup -> tokenizer -> shards, probes, manifest')
    .option(
      '--preset <name>',
      "quick (<= 5 MB, seconds), reference (about 20 MB: the reference experiment's) or full (> 40 MB)",
      'quick',
    )
    .requiredOption('--out <dir>', 'corpus directory to create')
    .option('--seed <n>', 'build seed (sampling, splits, generated data)')
    .option('--vocab <size>', 'vocabulary size (ids, end-of-text included) or "byte"')
    .option(
      '--dedup-threshold <j>',
      'near-duplicate threshold: estimated Jaccard similarity of word 5-gram sets (default 0.8)',
    )
    .option('--force', 'replace an existing corpus at --out')
    .option('--quiet', 'no progress output')
    .action(async (flags: BuildFlags) => {
      const seed = flags.seed === undefined ? undefined : intFlag('--seed', flags.seed, 0);
      const dedupThreshold = flags.dedupThreshold === undefined ? undefined : Number(flags.dedupThreshold);
      const config = presetConfig(flags.preset, {
        seed,
        vocabSize: flags.vocab === undefined ? undefined : vocabFlag(flags.vocab),
        dedupThreshold,
      });
      await buildCorpus({
        config,
        out: flags.out,
        force: flags.force,
        progress: flags.quiet ? 'silent' : 'auto',
        log: flags.quiet ? undefined : (line) => process.stderr.write(line + '\n'),
      });
      console.log(flags.out);
    });
}
