/** `slurry data ...`: build a corpus, show its statistics, show any training batch. */
import type { Command } from 'commander';
import { registerDataBatch } from './data-batch.js';
import { registerDataBuild } from './data-build.js';
import { registerDataStats } from './data-stats.js';
import { registerDataVerify } from './data-verify.js';

export function registerData(program: Command): void {
  const data = program.command('data').description('the training corpus: build it, inspect it, show any batch');
  registerDataBuild(data);
  registerDataStats(data);
  registerDataBatch(data);
  registerDataVerify(data);
}
