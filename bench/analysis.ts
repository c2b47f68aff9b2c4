/**
 * Analysis and report speed on a synthetic run of the size the brief names: 6 suites x
 * 1000 items x ~43 checkpoints, 32768 training steps logged. Prints medians of several
 * runs of: reading the run, the analysis without bootstrap (point fits only) and with the
 * default 200 resamples side by side (the difference is the bootstrap), and the report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeRunData } from '../src/analysis/analyze-run.js';
import { DEFAULT_RESAMPLES } from '../src/analysis/definitions.js';
import { loadRun } from '../src/analysis/load-run.js';
import { writeReport } from '../src/report/write-report.js';
import { writeSyntheticRun, type SyntheticSuite } from '../test/fixtures/synthetic-run.js';
import { median } from './util.js';

const S = (suite: string, midpoint: number, width: number, more: Partial<SyntheticSuite> = {}): SyntheticSuite => ({
  suite,
  items: 1000,
  midpoint,
  width,
  ...more,
});

export async function benchAnalysis(rounds = 5): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'slurry-bench-analysis-'));
  try {
    writeSyntheticRun(dir, {
      seed: 1,
      suites: [
        S('tokens', 5, 0.6),
        S('syntax', 6, 0.8, { chanceD: 0.5, ceilingC: null }),
        S('facts', 6.8, 1, {
          groups: ['head', 'torso', 'tail', 'unseen'].map((name, i) => ({
            name,
            share: 0.25,
            shift: i === 3 ? null : (i - 1) * 0.5,
          })),
        }),
        S('reasoning', 7.5, 2, { mode: 'threshold' }),
        S('icl', 7, 0.4),
        S('external', 6.5, 1),
      ],
    });
    const time = <T>(f: () => T): [number, T] => {
      const t0 = performance.now();
      const v = f();
      return [performance.now() - t0, v];
    };
    const load: number[] = [];
    const point: number[] = [];
    const full: number[] = [];
    let checkpoints = 0;
    for (let r = 0; r < rounds; r++) {
      const [tl, data] = time(() => loadRun(dir));
      load.push(tl);
      point.push(time(() => analyzeRunData(data, { resamples: 0 }))[0]);
      const [tf, a] = time(() => analyzeRunData(data, { resamples: DEFAULT_RESAMPLES }));
      full.push(tf);
      checkpoints = a.checkpoints.length;
    }
    const report: number[] = [];
    for (let r = 0; r < Math.min(rounds, 3); r++) {
      const t0 = performance.now();
      await writeReport([dir], { outDir: join(dir, `report-${r}`) });
      report.push(performance.now() - t0);
    }
    console.log(
      `\n## Analysis (6 suites x 1000 items x ${checkpoints} checkpoints, 32768 train records; ms, median of ${rounds})`,
    );
    console.log('| read run | analysis, point fits only | analysis, 200 resamples | report (analysis.json reused) |');
    console.log('| --- | --- | --- | --- |');
    console.log(
      `| ${median(load).toFixed(0)} | ${median(point).toFixed(0)} | ${median(full).toFixed(0)} | ${median(report).toFixed(0)} |`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchAnalysis();
