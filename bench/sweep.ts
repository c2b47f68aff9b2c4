/**
 * Sweep benchmarks, each sweep run as `slurry sweep` from the command line on the mini
 * corpus the tests use, with the tokens probe suite, on two kinds of cell:
 *   tiny         the tiny preset, 40 steps (about 0.2 s a cell: start-up, checkpoints and
 *                file system calls weigh most)
 *   small        the quick preset's model for 60 steps (about 18 s a cell on 1 thread:
 *                training weighs most)
 * For each kind:
 *   overhead     (sweep wall time - the sum of the cells' own times) / cells, with one
 *                worker: process start, corpus open, planning, IPC and bookkeeping
 *   throughput   cells per hour with 2 workers x 1 thread against 1 worker x 1 thread,
 *                runs alternating so both see the same machine load; medians and ratio
 *                (and why it falls short: each cell's own time with 1 and 2 workers, and
 *                how many cores the machine keeps busy during each sweep)
 *   ceiling      the same ratio for a pure busy loop: two such processes at once against one
 *                alone, alternated with the sweeps. On a shared virtual machine two vCPUs do
 *                not always give twice the work of one; this is what the sweep can reach.
 * The load average is printed before and after: the machine may be shared.
 * `npm run bench -- sweep`, or `node dist/bench/sweep.js [--cells N] [--repeats R]` (the tiny
 * cells'; the small ones run 4 cells once: about 2 minutes).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { miniCorpus } from '../test/train/support/mini-corpus.js';
import { median } from './util.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

interface SweepRun {
  wall: number;
  cellSeconds: number;
  cells: number;
  /** Cores kept busy on average over the sweep (user + system time of the whole machine / wall), where /proc/stat exists. */
  coresBusy?: number;
}

/**
 * The machine's busy CPU time so far, in seconds (Linux: /proc/stat's user, nice, system, irq
 * and softirq, in hundredths of a second; steal is time the hypervisor gave to others).
 */
function busySeconds(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq] = fields;
    return (user! + nice! + system! + irq! + softirq!) / 100;
  } catch {
    return undefined;
  }
}

/** The cells' base configs, by kind (see the header). */
const CELLS = {
  tiny: { preset: 'tiny', steps: 40, checkpoints: { log_until: 8, every: 8 } },
  small: { preset: 'quick', steps: 60, checkpoints: { log_until: 8, every: 15 } },
};
type CellKind = keyof typeof CELLS;

async function sweepFile(dir: string, kind: CellKind, cells: number, offset: number): Promise<string> {
  const file = join(dir, 'sweep.json');
  const base = { ...CELLS[kind], corpus: await miniCorpus() };
  // Distinct seeds per sweep, so no run finds another's cells done.
  writeFileSync(
    file,
    JSON.stringify({ base, axes: { seed: Array.from({ length: cells }, (_, i) => offset + i) }, suites: ['tokens'] }),
  );
  return file;
}

async function runSweep(kind: CellKind, cells: number, workers: number, offset: number): Promise<SweepRun> {
  const dir = mkdtempSync(join(tmpdir(), 'slurry-bench-sweep-'));
  try {
    const file = await sweepFile(dir, kind, cells, offset);
    const out = join(dir, 'out');
    const busy0 = busySeconds();
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      [CLI, 'sweep', file, '--out', out, '--workers', String(workers), '--threads', '1', '--progress', 'silent'],
      { encoding: 'utf8' },
    );
    const wall = (performance.now() - t0) / 1000;
    const busy1 = busySeconds();
    const coresBusy = busy0 === undefined || busy1 === undefined ? undefined : (busy1 - busy0) / wall;
    if (r.status !== 0) throw new Error(`slurry sweep failed: ${r.stderr}`);
    const manifest = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { cells: { dir: string }[] };
    const cellSeconds = manifest.cells.reduce(
      (s, c) => s + (JSON.parse(readFileSync(join(out, c.dir, 'cell.json'), 'utf8')) as { seconds: number }).seconds,
      0,
    );
    return { wall, cellSeconds, cells, coresBusy };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wall seconds for `n` processes that each run the same busy loop (single-threaded JavaScript), started together. */
async function spinSeconds(n: number): Promise<number> {
  const loop = 'let x = 0; for (let i = 0; i < 6e8; i++) x += i % 7; if (x < 0) console.log(x);';
  const t0 = performance.now();
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve, reject) =>
          spawn(process.execPath, ['-e', loop], { stdio: 'ignore' }).on('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`busy loop exited with ${code}`)),
          ),
        ),
    ),
  );
  return (performance.now() - t0) / 1000;
}

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** One kind of cell: 1 worker against 2, alternated, with the busy-loop ceiling between. */
async function benchKind(kind: CellKind, cells: number, repeats: number, offset: number): Promise<void> {
  console.log(`\n### ${kind} cells (${JSON.stringify(CELLS[kind])}): ${cells} per sweep, ${repeats} repeats`);
  const one: SweepRun[] = [];
  const two: SweepRun[] = [];
  const ceiling: number[] = [];
  for (let i = 0; i < repeats; i++) {
    one.push(await runSweep(kind, cells, 1, (offset += cells)));
    two.push(await runSweep(kind, cells, 2, (offset += cells)));
    ceiling.push((2 * (await spinSeconds(1))) / (await spinSeconds(2)));
  }
  const overhead = one.map((r) => (r.wall - r.cellSeconds) / r.cells);
  const perHour = (runs: SweepRun[]) => runs.map((r) => (3600 * r.cells) / r.wall);
  const [h1, h2] = [median(perHour(one)), median(perHour(two))];
  console.log(
    `scheduling overhead per cell (1 worker): median ${median(overhead).toFixed(2)} s  [runs: ${overhead.map((x) => x.toFixed(2)).join(', ')}]`,
  );
  console.log(
    `1 worker x 1 thread:  median ${h1.toFixed(0)} cells/hour  [sweep wall s: ${one.map((r) => r.wall.toFixed(1)).join(', ')}]`,
  );
  console.log(
    `2 workers x 1 thread: median ${h2.toFixed(0)} cells/hour  [sweep wall s: ${two.map((r) => r.wall.toFixed(1)).join(', ')}]`,
  );
  console.log(`ratio 2 workers / 1 worker: ${(h2 / h1).toFixed(2)}x (target >= 1.8x)`);
  // Where the ratio goes: each cell's own time when two run at once, and how many cores one
  // worker already keeps busy (V8's helper threads, the kernel's file system work, the controller).
  const cellMean = (runs: SweepRun[]) => median(runs.map((r) => r.cellSeconds / r.cells));
  const [c1, c2] = [cellMean(one), cellMean(two)];
  console.log(
    `a cell's own time: median ${c1.toFixed(3)} s with 1 worker, ${c2.toFixed(3)} s with 2 (${(c2 / c1).toFixed(2)}x each)`,
  );
  const cores = (runs: SweepRun[]) => runs.flatMap((r) => (r.coresBusy === undefined ? [] : [r.coresBusy]));
  const [b1, b2] = [cores(one), cores(two)];
  if (b1.length && b2.length)
    console.log(
      `cores busy (whole machine, /proc/stat): median ${median(b1).toFixed(2)} with 1 worker, ${median(b2).toFixed(2)} with 2`,
    );
  console.log(
    `machine ceiling, 2 busy loops at once / 1 alone: median ${median(ceiling).toFixed(2)}x  [runs: ${ceiling.map((x) => x.toFixed(2)).join(', ')}]; load average after: ${load()}`,
  );
}

export async function benchSweep(opts: { cells?: number; repeats?: number } = {}): Promise<void> {
  console.log(`\n## sweep (load average ${load()})`);
  await benchKind('tiny', opts.cells ?? 6, opts.repeats ?? 3, 0);
  await benchKind('small', 4, 1, 1000);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  await benchSweep({ cells: arg('cells'), repeats: arg('repeats') });
}
