/**
 * What a cell's run directory says about it. A cell is an ordinary run directory plus one
 * file, RUN/cell.json, written last (atomically) when its train -> probe -> analyze
 * pipeline finished, or when it failed (with the error); and RUN/cell.lock while a process
 * works on it.
 *
 *   done     cell.json says done: skipped by a re-run
 *   failed   cell.json says failed: run again (resuming what is on disk)
 *   partial  a config.json but no cell.json: interrupted, resumed from its last checkpoint
 *   new      nothing yet
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { runPaths } from '../run/layout.js';
import type { LockWait } from '../run/lock.js';
import { SlurryError } from '../util/errors.js';
import { writeJsonAtomic } from '../util/fs.js';
import { processAlive } from '../util/process.js';
import { parseWith } from '../util/schema.js';

export type CellStatus = 'done' | 'failed' | 'partial' | 'new';

const cellRecordSchema = z.object({
  status: z.enum(['done', 'failed']),
  hash: z.string(),
  label: z.string(),
  /** Seconds of this last attempt (train, probe, analyze). */
  seconds: z.number(),
  finished: z.string(),
  error: z.string().optional(),
  host: z.string(),
});
export type CellRecord = z.output<typeof cellRecordSchema>;

export const cellRecordPath = (run: string) => join(run, 'cell.json');
export const cellLockPath = (run: string) => join(run, 'cell.lock');

export function readCellRecord(run: string): CellRecord | null {
  const path = cellRecordPath(run);
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new SlurryError(`${path}: not valid JSON (${(err as Error).message}); delete it to run the cell again`);
  }
  return parseWith(cellRecordSchema, raw, path);
}

export function cellStatus(run: string): CellStatus {
  const record = readCellRecord(run);
  if (record) return record.status;
  return existsSync(runPaths(run).config) ? 'partial' : 'new';
}

export function writeCellRecord(run: string, record: Omit<CellRecord, 'finished' | 'host'>): void {
  writeJsonAtomic(cellRecordPath(run), { ...record, finished: new Date().toISOString(), host: hostname() });
}

export function clearCellRecord(run: string): void {
  rmSync(cellRecordPath(run), { force: true });
}

/**
 * One process per cell at a time. The lock file holds `pid@host`; a lock of a process on
 * this host that is gone is taken over; one that is alive is waited for (a cell process
 * whose controller was killed exits at its next training step), up to `wait.ms`, saying
 * so. A lock from another host cannot be checked from here: across machines the queue's
 * job lock is what keeps a cell to one worker, so it is taken over with a notice.
 */
export async function lockCell(run: string, wait: LockWait): Promise<() => void> {
  const file = cellLockPath(run);
  const me = `${process.pid}@${hostname()}`;
  const started = Date.now();
  let waitedFor = '';
  mkdirSync(run, { recursive: true });
  for (;;) {
    try {
      writeFileSync(file, me, { flag: 'wx' });
      if (waitedFor)
        wait.log(`${file}: process ${waitedFor} let go after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return () => {
        if (existsSync(file) && readFileSync(file, 'utf8') === me) rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: string;
    try {
      holder = readFileSync(file, 'utf8');
    } catch {
      continue; // released in between
    }
    const [pid, host] = holder.split('@');
    if (host === hostname() && processAlive(Number(pid))) {
      if (Date.now() - started >= wait.ms)
        throw new SlurryError(`${file}: process ${holder} works on this cell (waited ${wait.ms / 1000} s)`);
      if (holder !== waitedFor)
        wait.log(`${file}: process ${holder} works on this cell; waiting up to ${wait.ms / 1000} s for it to end`);
      waitedFor = holder;
      await new Promise((r) => setTimeout(r, 100));
      continue;
    }
    if (host !== hostname())
      wait.log(`${file}: taking over from ${holder} (another host; the queue gave this worker the cell)`);
    rmSync(file, { force: true });
  }
}
