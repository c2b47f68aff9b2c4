import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { layeredConfig, readConfigFile } from '../../src/train/config-file.js';
import { parseTrainConfig, resolveTrainConfig } from '../../src/train/config.js';
import { TRAIN_PRESETS } from '../../src/train/presets.js';
import { SlurryError } from '../../src/util/errors.js';

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'slurry-cfg-')), name);
  writeFileSync(path, text);
  return path;
}

const slurryError = (pattern: RegExp) => (err: unknown) => err instanceof SlurryError && pattern.test(err.message);

test('a YAML file overrides its preset, flags override the file; paths are relative to the file', () => {
  const path = file(
    'run.yaml',
    'preset: quick\ncorpus: ../corpora/quick\nbatch_size: 16\noptimizer:\n  lr: 0.001\ndata:\n  schedule:\n    kind: staged\n    phases:\n      - weights: natural\n',
  );
  const c = layeredConfig({ file: path, overrides: { steps: 10, seed: 7 } });
  assert.equal(c.batch_size, 16);
  assert.equal(c.context, 128, 'from the preset');
  assert.deepEqual(
    c.optimizer,
    { kind: 'muon', lr: 0.001, muon_lr: 0.02 },
    'a mapping merges key by key into the preset',
  );
  assert.equal(c.steps, 10);
  assert.equal(c.tokens, undefined, "the flag's budget replaces the preset's");
  assert.equal(c.seed, 7);
  assert.equal(c.corpus, join(path, '..', '..', 'corpora', 'quick'));
  assert.deepEqual(
    c.data,
    { repeats: 0.2, schedule: { kind: 'staged', phases: [{ weights: 'natural' }] } },
    "a schedule of another kind replaces the whole schedule; the preset's other data keys stay",
  );
});

test('JSON files read too; syntax errors name the file and line', () => {
  assert.deepEqual(readConfigFile(file('run.json', '{"steps": 5}')), { steps: 5 });
  assert.throws(
    () => readConfigFile(file('bad.yaml', 'steps: 5\nmodel:\n  n_layer: [1\n')),
    slurryError(/bad\.yaml:\d+:\d+: /),
  );
  assert.throws(
    () => readConfigFile(file('dup.yaml', 'steps: 5\nsteps: 6\n')),
    slurryError(/dup\.yaml:2:1: .*unique/i),
  );
  assert.throws(() => readConfigFile(file('list.yaml', '- 1\n- 2\n')), slurryError(/expected a mapping/));
  assert.throws(() => readConfigFile('/no/such.yaml'), slurryError(/no such config file/));
  assert.throws(
    () => layeredConfig({ preset: 'huge' }),
    slurryError(/preset huge: expected one of tiny, quick, full, long, compare-mix/),
  );
});

test('with init_from, the preset model gives way to the checkpoint', () => {
  const c = layeredConfig({ preset: 'quick', overrides: { init_from: '/runs/a/checkpoints/step-0000100' } });
  assert.equal(c.model, undefined);
});

test('every preset resolves against a corpus with every source kind and the problem sources, at equal tokens for the comparison', () => {
  const kinds = ['books', 'news', 'reference', 'code', 'facts', 'reasoning'];
  // full and long name the problem sources of the preset corpora (train/presets.ts).
  const problems = ['twohop', 'arithmetic', 'tracing'].map((name) => ({ name, kind: 'reasoning', tokens: 500 }));
  const sources = [...kinds.map((kind, i) => ({ name: `${kind}_src`, kind, tokens: 1000 * (i + 1) })), ...problems];
  const resolved = Object.fromEntries(
    Object.entries(TRAIN_PRESETS).map(([name, preset]) => [
      name,
      resolveTrainConfig(parseTrainConfig({ ...preset, corpus: '/c' }, name), {
        sources,
        vocabSize: 4096,
        where: name,
      }),
    ]),
  );
  const compare = Object.keys(resolved).filter((n) => n.startsWith('compare-'));
  assert.deepEqual(
    compare.map((n) => resolved[n].data.schedule.kind),
    ['mix', 'staged', 'anneal', 'adaptive'],
  );
  assert.equal(new Set(compare.map((n) => resolved[n].tokens)).size, 1);
  assert.equal(resolved['compare-mix'].tokens, resolved.quick.tokens);
  assert.ok(resolved.tiny.steps <= 50);
  // Without one of the problem sources, full is refused, naming it.
  assert.throws(
    () =>
      resolveTrainConfig(parseTrainConfig({ ...TRAIN_PRESETS.full, corpus: '/c' }, 'full'), {
        sources: sources.filter((s) => s.name !== 'tracing'),
        vocabSize: 4096,
        where: 'full',
      }),
    slurryError(/full: data\.schedule\.weights\.tracing: no such source or kind/),
  );
});

test("the README's example config is valid", () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const yaml = /## Training[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(yaml, 'README has a yaml block under Training');
  const kinds = ['books', 'news', 'reference', 'code', 'facts', 'reasoning'];
  const sources = kinds.map((kind) => ({ name: kind, kind, tokens: 1000 }));
  const c = resolveTrainConfig(parseTrainConfig(layeredConfig({ file: file('readme.yaml', yaml) }), 'README'), {
    sources,
    vocabSize: 2048,
    where: 'README',
  });
  assert.equal(c.steps, 4096);
});
