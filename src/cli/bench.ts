import type { Command } from 'commander';
import { BENCH_PRESETS } from '../bench/presets.js';
import { benchTrainStep } from '../bench/train-step.js';
import { choiceFlag, intFlag } from './flags.js';

/** `slurry bench train --preset A --json`: training tokens/s on a reference configuration. */
export function registerBench(program: Command): void {
  const bench = program.command('bench').description('measure slurry\'s speed (see also `npm run bench`)');
  bench
    .command('train')
    .description(`training throughput on a reference configuration (${Object.keys(BENCH_PRESETS).join(', ')})`)
    .requiredOption('--preset <name>', 'A, B, C or grok (../shared/bench/README.md)')
    .option('--steps <n>', 'measured steps', '20')
    .option('--warmup <n>', 'warm-up steps', '3')
    .option('--json', 'print one JSON object')
    .action((opts: { preset: string; steps: string; warmup: string; json?: boolean }) => {
      const preset = BENCH_PRESETS[choiceFlag('--preset', opts.preset, Object.keys(BENCH_PRESETS))];
      const steps = intFlag('--steps', opts.steps, 1);
      const warmup = intFlag('--warmup', opts.warmup, 0);
      const r = benchTrainStep(preset, { steps, warmup });
      if (opts.json) {
        console.log(JSON.stringify(r));
        return;
      }
      console.log(`preset ${opts.preset}: ${r.tokens_per_s} tokens/s, step ${r.step_ms_median} ms (median of ${r.steps}), ${r.gflops} GFLOP/s, peak RSS ${r.peak_rss_mib} MiB [${r.backend}/${r.isa}, ${r.threads} threads]`);
    });
}
