/** Runs the bad-input catalogue (bad-inputs.ts) through the real command line. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { checkpointDirName } from '../../src/run/layout.js';
import { layeredConfig } from '../../src/train/config-file.js';
import { train } from '../../src/train/trainer.js';
import { miniCorpus } from '../train/support/mini-corpus.js';
import { BAD_INPUTS, type CatalogueContext } from './bad-inputs.js';

const cli = new URL('../../src/cli/main.js', import.meta.url).pathname;
const run = promisify(execFile);
let corpus = '';
let trained = '';

describe('the bad-input catalogue', { concurrency: 2 }, () => {
  before(async () => {
    corpus = await miniCorpus();
    trained = join(mkdtempSync(join(tmpdir(), 'slurry-catalogue-run-')), 'run');
    const config = layeredConfig({ preset: 'tiny', overrides: { corpus, steps: 4 } });
    await train(config, { out: trained, log: () => {} });
  });

  for (const row of BAD_INPUTS) {
    it(`${row.input}: ${row.command.join(' ')}`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'slurry-catalogue-'));
      const ctx: CatalogueContext = {
        corpus: join(root, 'corpus'),
        run: join(root, 'run'),
        ckpt: '',
        dir: join(root, 'work'),
      };
      cpSync(corpus, ctx.corpus, { recursive: true });
      cpSync(trained, ctx.run, { recursive: true });
      mkdirSync(ctx.dir);
      const steps = readdirSync(join(ctx.run, 'checkpoints'))
        .filter((n) => /^step-\d+$/.test(n))
        .sort();
      ctx.ckpt = join(ctx.run, 'checkpoints', steps[steps.length - 1] ?? checkpointDirName(0));
      row.setup?.(ctx);
      const fill = (s: string) =>
        s
          .replaceAll('{corpus}', ctx.corpus)
          .replaceAll('{run}', ctx.run)
          .replaceAll('{ckpt}', ctx.ckpt)
          .replaceAll('{dir}', ctx.dir);
      const { code, stderr } = await run(process.execPath, [cli, ...row.command.map(fill)], {
        env: { ...process.env, SLURRY_THREADS: '1' },
      }).then(
        (r) => ({ code: 0, stderr: r.stderr }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
      if (row.exit === undefined) {
        assert.notEqual(code, 0, `expected a non-zero exit; stderr: ${stderr}`);
        const lines = stderr.trimEnd().split('\n');
        assert.equal(lines.length, 1, `expected one line, got:\n${stderr}`);
        assert.match(lines[0]!, /^slurry: error: /);
        assert.match(lines[0]!, row.expect);
      } else {
        assert.equal(code, row.exit, stderr);
        assert.match(stderr, row.expect);
      }
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
      if (row.absent) assert.equal(existsSync(fill(row.absent)), false, `${row.absent} should not exist`);
    });
  }
});
