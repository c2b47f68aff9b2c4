/** Shared by the sweep tests: a 4-cell tiny sweep file, the CLI, and cell results to compare. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { miniCorpus } from '../train/support/mini-corpus.js';
import { deterministic, readMetrics } from '../train/support/runs.js';

export const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;

/** A 4-cell sweep (2 seeds x 2 widths) of tiny models on the mini corpus, probed with the tokens suite. */
export async function tinySweepFile(steps = 24): Promise<string> {
  const corpus = await miniCorpus();
  const dir = mkdtempSync(join(tmpdir(), 'slurry-sweep-'));
  const file = join(dir, 'sweep.json');
  writeFileSync(
    file,
    JSON.stringify({
      base: { preset: 'tiny', corpus, steps, checkpoints: { log_until: 4, every: 8 }, eval: { every: 8, batches: 1 } },
      axes: { seed: [0, 1], 'model.n_embd': [16, 32] },
      suites: ['tokens'],
    }),
  );
  return file;
}

export function sweepCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string } {
  const progress = args[0] === 'report' ? [] : ['--progress', 'lines'];
  const r = spawnSync(process.execPath, [cli, ...args, ...progress], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function startCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [cli, ...args, '--progress', 'lines'], { stdio: ['ignore', 'ignore', 'pipe'] });
}

export const cellDirs = (sweep: string) => readdirSync(join(sweep, 'cells')).sort();

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** What must be identical between two runs of a cell: metrics (wall-clock aside), probes, analysis. */
export function cellResults(run: string): unknown {
  const probes = readFileSync(join(run, 'probes.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  probes.sort((a, b) => a.step - b.step || (a.suite < b.suite ? -1 : 1));
  const { run: _where, ...analysis } = readJson(join(run, 'analysis.json'));
  return { metrics: deterministic(readMetrics(run)), probes, analysis };
}

export async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Steps of the checkpoints a cell has on disk (complete ones). */
export function checkpointsOf(run: string): number[] {
  const dir = join(run, 'checkpoints');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^step-\d+$/.test(n))
    .map((n) => Number(n.slice(5)));
}

export { processAlive as pidAlive } from '../../src/util/process.js';
