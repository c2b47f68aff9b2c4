/**
 * One writer per job in a run directory: a lock file holds the pid of the process that
 * does the job (RUN/train.lock while it trains, RUN/probes.lock while it probes), created
 * exclusively; a lock whose process is gone is taken over. A second `slurry train` on the
 * same directory is refused instead of mixing two runs' checkpoints.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SlurryError, systemError } from '../util/errors.js';

/** Takes the lock at `file` for `job` (e.g. "training", "probing") on `run`; returns its release. */
export function lockRun(file: string, run: string, job: string): () => void {
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
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
    if (Number.isInteger(holder) && holder > 0 && processAlive(holder)) {
      throw new SlurryError(
        `${file}: process ${holder} is ${job} ${run} already; wait for it (or delete the file if that process is not slurry)`,
      );
    }
    rmSync(file, { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
