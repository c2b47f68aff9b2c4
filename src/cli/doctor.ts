import type { Command } from 'commander';
import { kernels, nativeFallbackReason } from '../engine/backend.js';
import { loadNativeKernels } from '../engine/native/load.js';
import { precisionUnavailable, resolvePrecision } from '../engine/precision.js';

/** Best of a few short runs of a throughput probe (GFLOP/s on every pool thread). */
function measuredPeak(probe: (iters: number) => number): number {
  return Math.max(...Array.from({ length: 3 }, () => probe(2_000_000)));
}

/** `slurry doctor`: which backend, instruction-set path, thread count and precisions this machine runs. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('print the compute backend, its instruction-set path, thread count, bf16 support and measured peaks')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const k = kernels();
      const info = k.info();
      const bf16Unavailable = precisionUnavailable('bf16', k);
      const native = info.name === 'native' ? loadNativeKernels() : null;
      const addon = native?.ok ? native.kernels : null;
      const peaks = addon
        ? {
            fp32_gflops: measuredPeak(addon.fmaPeak),
            bf16_gflops: bf16Unavailable ? null : measuredPeak(addon.bf16Peak),
          }
        : null;
      const report = {
        ...info,
        node: process.version,
        nativeFallback: nativeFallbackReason(),
        bf16: bf16Unavailable === null,
        bf16Unavailable,
        /** What a run's default `precision: auto` trains in here. */
        autoPrecision: resolvePrecision('auto', k),
        peaks,
      };
      if (opts.json) {
        console.log(JSON.stringify(report));
        return;
      }
      console.log(`backend   ${info.name}`);
      console.log(`isa       ${info.isa}`);
      console.log(`threads   ${info.threads}`);
      console.log(
        `bf16      ${bf16Unavailable === null ? 'available (AVX512_BF16)' : `unavailable: ${bf16Unavailable}`}`,
      );
      console.log(`precision auto (the default) trains in ${report.autoPrecision} here`);
      if (peaks) {
        const bf16 = peaks.bf16_gflops === null ? '' : `, bf16 ${peaks.bf16_gflops.toFixed(0)} GFLOP/s (VDPBF16PS)`;
        console.log(
          `peaks     fp32 ${peaks.fp32_gflops.toFixed(0)} GFLOP/s (FMA)${bf16}, measured on ${info.threads} thread${info.threads === 1 ? '' : 's'}`,
        );
      }
      console.log(`node      ${process.version}`);
      if (report.nativeFallback) console.log(`note      ${report.nativeFallback}`);
    });
}
