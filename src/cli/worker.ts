/**
 * `slurry worker --queue redis://HOST:PORT`: run sweep cells from a BullMQ queue until
 * stopped (Ctrl-C). Start any number, on any machines that share the sweep directory.
 */
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { startWorker } from '../sweep/queue-worker.js';
import { SlurryError } from '../util/errors.js';
import { intFlag } from './flags.js';

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run sweep cells from a BullMQ queue on Redis (see `slurry sweep --queue`)')
    .requiredOption('--queue <url>', 'the Redis of the queue: redis://HOST:PORT')
    .option('--queue-name <name>', 'BullMQ queue name', 'slurry-cells')
    .option('--threads <n>', "threads for training, at most the machine's cores (default: the cores)")
    .option('--lock-seconds <s>', "job lock: a dead worker's cell goes to another worker after about this long", '30')
    .action(async (flags: { queue: string; queueName: string; threads?: string; lockSeconds: string }) => {
      const cores = availableParallelism();
      const threads = flags.threads === undefined ? cores : intFlag('--threads', flags.threads, 1);
      // More threads than cores only slows a cell down (the threads take turns on the cores).
      if (threads > cores)
        throw new SlurryError(
          `--threads ${threads}: more threads than this machine's ${cores} cores; give at most ${cores} (for several workers on one machine, split the cores between them)`,
        );
      const lockMs = intFlag('--lock-seconds', flags.lockSeconds, 1) * 1000;
      const log = (line: string) => process.stderr.write(`slurry: ${line}\n`);
      const worker = await startWorker({ url: flags.queue, queueName: flags.queueName, threads, lockMs, log });
      log(
        `worker: waiting for cells on ${flags.queue} (queue ${flags.queueName}, ${threads} thread${threads === 1 ? '' : 's'}); Ctrl-C stops`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      log('worker: stopping (a running cell resumes from its last checkpoint wherever it runs next)');
      // BullMQ gives a sandboxed cell 30 s to end after SIGTERM; the cell process also ends
      // by itself at its next step once this process is gone, so do not wait that long.
      await Promise.race([worker.close(true), new Promise((r) => setTimeout(r, 3000).unref())]);
      process.exit(0);
    });
}
