import assert from 'node:assert/strict';
import { test } from 'node:test';
import { vocabFlag } from '../../src/cli/flags.js';
import { parseBuildConfig, presetConfig } from '../../src/data/config.js';
import { SOURCES } from '../../src/data/sources/index.js';
import { SlurryError } from '../../src/util/errors.js';

test("presets resolve with every default written out and every source included but the spam experiment's", () => {
  const presetSources = SOURCES.filter((s) => s.name !== 'spam');
  for (const name of ['quick', 'reference', 'full']) {
    const c = presetConfig(name);
    assert.equal(c.preset, name);
    assert.deepEqual(Object.keys(c.sources).sort(), presetSources.map((s) => s.name).sort());
    assert.equal(c.dedup.threshold, 0.8);
    assert.equal(c.filters.prose.minWords, 50);
    assert.equal(c.valFraction, 0.05);
    for (const s of presetSources)
      s.options.parse(Object.fromEntries(Object.entries(c.sources[s.name]!).filter(([k]) => k !== 'maxBytes')));
  }
  assert.equal(presetConfig('quick').tokenizer.vocabSize, 4096);
  assert.equal(presetConfig('reference').tokenizer.vocabSize, 2048);
  assert.equal(presetConfig('full').tokenizer.vocabSize, 4096);
  // The reference corpus shares the quick corpus's facts; natural text grows, and so does
  // the number of distinct problems, in the same formats.
  const [quick, reference] = [presetConfig('quick'), presetConfig('reference')];
  for (const name of ['facts', 'twohop']) assert.deepEqual(reference.sources[name], quick.sources[name], name);
  const more = (name: string, key: string) => {
    const [q, r] = [quick.sources[name] as Record<string, number>, reference.sources[name] as Record<string, number>];
    assert.deepEqual({ ...r, [key]: 0 }, { ...q, [key]: 0 }, name);
    return r[key]! / q[key]!;
  };
  assert.equal(more('arithmetic', 'problems'), 12);
  assert.equal(more('tracing', 'programs'), 12);
  assert.ok(reference.sources.brown.maxBytes! > 4 * quick.sources.brown.maxBytes!);
  const quickBudget = Object.values(presetConfig('quick').sources).reduce((n, s) => n + (s.maxBytes ?? 0), 0);
  assert.ok(quickBudget < 4_000_000);
});

test('overrides apply; bad values are errors naming the field', () => {
  assert.equal(presetConfig('quick', { seed: 9, vocabSize: 'byte' }).seed, 9);
  assert.equal(presetConfig('quick', { vocabSize: 'byte' }).tokenizer.vocabSize, 'byte');
  assert.equal(presetConfig('full', { dedupThreshold: 0.6 }).dedup.threshold, 0.6);
  assert.equal(presetConfig('full', { dedupThreshold: 0.6 }).dedup.numPerm, 128);
  assert.throws(() => presetConfig('quick', { dedupThreshold: 1.5 }), /field "dedup.threshold"/);
  assert.throws(() => presetConfig('huge'), /unknown preset "huge"; expected one of quick, reference, full/);
  assert.throws(() => presetConfig('quick', { vocabSize: 100 }), /field "tokenizer.vocabSize"/);
  assert.throws(
    () => parseBuildConfig({ preset: 'custom', seed: 1, sources: { brown: { maxBytes: -5 } } }, 'my.json'),
    (e: unknown) => e instanceof SlurryError && e.message.startsWith('my.json: field "sources.brown.maxBytes"'),
  );
  assert.throws(
    () => parseBuildConfig({ preset: 'custom', seed: 1, sources: {}, dedup: { threshold: 2 } }, 'cfg'),
    /field "dedup.threshold"/,
  );
  assert.throws(() => parseBuildConfig({ preset: 'custom', seed: 1, sources: {}, extra: 1 }, 'cfg'), /cfg: .*extra/);
});

test('--vocab accepts "byte" or an integer in range', () => {
  assert.equal(vocabFlag('byte'), 'byte');
  assert.equal(vocabFlag('4096'), 4096);
  for (const bad of ['256', '70000', 'lots', '1.5']) assert.throws(() => vocabFlag(bad), /--vocab/);
});
