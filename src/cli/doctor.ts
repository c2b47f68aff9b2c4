import type { Command } from 'commander';
import { kernels, nativeFallbackReason } from '../engine/backend.js';

/** `slurry doctor`: which backend, instruction-set path and thread count this machine runs. */
export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('print the compute backend, its instruction-set path and thread count')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const info = kernels().info();
      const report = { ...info, node: process.version, nativeFallback: nativeFallbackReason() };
      if (opts.json) {
        console.log(JSON.stringify(report));
        return;
      }
      console.log(`backend   ${info.name}`);
      console.log(`isa       ${info.isa}`);
      console.log(`threads   ${info.threads}`);
      console.log(`node      ${process.version}`);
      if (report.nativeFallback) console.log(`note      ${report.nativeFallback}`);
    });
}
