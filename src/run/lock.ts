/**
 * One process at a time on a run's append-only logs (probes, interp): a lock file holds the
 * owner's pid, and a lock whose process is gone is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { SlurryError } from '../util/errors.js';

/** Takes the lock at `file` (`doing`: what the owner does, for the message); returns the release. */
export function acquireLock(file: string, doing: string): () => void {
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number(readFileSync(file, 'utf8'));
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
      throw new SlurryError(`${file}: process ${pid} is ${doing} already; wait for it (or delete the file if that process is not slurry)`);
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
