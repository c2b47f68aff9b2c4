/** Questions about other processes on this machine, as lock files need them answered. */
import { readFileSync } from 'node:fs';

/**
 * A live process. A zombie (exited, not yet reaped by its parent) is not: an orphan that
 * exits is re-parented to init, which may take a second or two to reap it, and meanwhile
 * signal 0 still reaches it.
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    // /proc/PID/stat: "pid (comm) S ..."; the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Blocks this thread for `ms` (for synchronous code that must wait for another process). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
