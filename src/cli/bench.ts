import type { Command } from 'commander';
import { BENCH_PRESETS } from '../bench/presets.js';
import { kernels } from '../engine/backend.js';
import { parsePrecision, precisionUnavailable, PRECISION_CHOICES, resolvePrecision } from '../engine/precision.js';
import { benchTrainStep, formatProfile } from '../bench/train-step.js';
import { SlurryError } from '../util/errors.js';
import { choiceFlag, intFlag } from './flags.js';

/** `slurry bench train --preset A --json`: training tokens/s on a reference configuration. */
export function registerBench(program: Command): void {
  const bench = program.command('bench').description("measure slurry's speed (see also `npm run bench`)");
  bench
    .command('train')
    .description(`training throughput on a reference configuration (${Object.keys(BENCH_PRESETS).join(', ')})`)
    .requiredOption('--preset <name>', 'A, B, C or grok (../shared/bench/README.md)')
    .option('--steps <n>', 'measured steps', '20')
    .option('--warmup <n>', 'warm-up steps', '3')
    .option('--precision <p>', `arithmetic of the matrix products: ${PRECISION_CHOICES.join(', ')}`, 'fp32')
    .option('--profile', 'time every kernel: where a step goes')
    .option('--json', 'print one JSON object')
    .action(
      (opts: {
        preset: string;
        steps: string;
        warmup: string;
        precision: string;
        profile?: boolean;
        json?: boolean;
      }) => {
        const preset = BENCH_PRESETS[choiceFlag('--preset', opts.preset, Object.keys(BENCH_PRESETS))];
        const steps = intFlag('--steps', opts.steps, 1);
        const warmup = intFlag('--warmup', opts.warmup, 0);
        const precision = resolvePrecision(parsePrecision(opts.precision, '--precision'), kernels());
        const unavailable = precisionUnavailable(precision, kernels());
        if (unavailable) throw new SlurryError(`--precision ${precision}: ${unavailable}`);
        const r = benchTrainStep(preset, { steps, warmup, precision, profile: opts.profile });
        if (opts.json) {
          console.log(JSON.stringify(r));
          return;
        }
        console.log(
          `preset ${opts.preset}: ${r.tokens_per_s} tokens/s, step ${r.step_ms_median} ms (median of ${r.steps}; ${r.cpu_ms_per_step} CPU-ms), ${r.gflops} GFLOP/s, peak RSS ${r.peak_rss_mib} MiB [${r.backend}/${r.isa}, ${r.precision}, ${r.threads} threads]`,
        );
        if (r.profile) console.log(formatProfile(r.profile));
      },
    );
}
