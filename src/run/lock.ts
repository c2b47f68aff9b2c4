/**
 * One writer per job in a run directory: a lock file holds the pid of the process that
 * does the job (RUN/train.lock while it trains, RUN/probes.lock while it probes), created
 * exclusively; a lock whose process is gone (or a zombie) is taken over. A second
 * `slurry train` on the same directory is refused instead of mixing two runs' checkpoints;
 * a caller that expects the holder to end soon (a sweep cell whose earlier process is
 * stopping) can wait for it instead, for a bounded time.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SlurryError, systemError } from '../util/errors.js';
import { processAlive, sleepSync } from '../util/process.js';

/** Wait up to `ms` for a live holder to end (saying so through `log`) instead of refusing at once. */
export interface LockWait {
  ms: number;
  log: (line: string) => void;
}

const POLL_MS = 100;

/** Takes the lock at `file` for `job` (e.g. "training", "probing") on `run`; returns its release. */
export function lockRun(file: string, run: string, job: string, wait?: LockWait): () => void {
  const started = Date.now();
  let waitedFor = 0;
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      if (waitedFor)
        wait!.log(`${file}: process ${waitedFor} let go after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw systemError(err, file);
    }
    let holder = NaN;
    try {
      holder = Number(readFileSync(file, 'utf8'));
    } catch {
      continue; // released in between
    }
    if (processAlive(holder)) {
      if (!wait || Date.now() - started >= wait.ms) {
        const waited = wait ? ` (waited ${wait.ms / 1000} s)` : '';
        throw new SlurryError(
          `${file}: process ${holder} is ${job} ${run} already${waited}; wait for it (or delete the file if that process is not slurry)`,
        );
      }
      if (holder !== waitedFor)
        wait.log(`${file}: process ${holder} is ${job} ${run}; waiting up to ${wait.ms / 1000} s for it to end`);
      waitedFor = holder;
      sleepSync(POLL_MS);
      continue;
    }
    rmSync(file, { force: true });
  }
}
