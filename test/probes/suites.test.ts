/**
 * The built-in suites on a real (small) corpus: what the item sets guarantee, and that an
 * untrained model scores at chance on every suite.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openCorpus } from '../../src/data/corpus.js';
import { splitSentences } from '../../src/data/sentence-index.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';
import { ensureItemFiles, ITEM_SEED } from '../../src/probes/item-cache.js';
import { probeOnCheckpoint } from '../../src/probes/inline.js';
import { BUILTIN_SUITES, resolveSuites } from '../../src/probes/registry.js';
import { probeRun, runSuite } from '../../src/probes/runner.js';
import type { BuildContext } from '../../src/probes/suite.js';
import { buildFactItems } from '../../src/probes/suites/facts.js';
import { buildIclItems } from '../../src/probes/suites/icl.js';
import { buildReasoningItems } from '../../src/probes/suites/reasoning.js';
import { buildSyntaxItems, buildTemplateSyntaxItems } from '../../src/probes/suites/syntax.js';
import { buildTokenItems } from '../../src/probes/suites/tokens.js';
import { train } from '../../src/train/trainer.js';
import { probeCorpus } from './support/probe-corpus.js';

const CONTEXT = 64;
const corpusDir = await probeCorpus();
const corpus = openCorpus(corpusDir);
const ctx: BuildContext = { corpus, seed: ITEM_SEED, context: CONTEXT };
const tokenizer = corpus.tokenizer;

for (const { name, build, paradigms, min, max } of [
  { name: 'syntax_templates', build: buildTemplateSyntaxItems, paradigms: 9, min: 200, max: 200 },
  { name: 'syntax', build: buildSyntaxItems, paradigms: 4, min: 20, max: 400 },
]) {
  test(`${name}: ${paradigms} paradigms of up to ${max} pairs, no sentence seen in training, token lengths balanced exactly`, () => {
    const rows = build(ctx);
    const byParadigm = new Map<string, typeof rows>();
    for (const r of rows) byParadigm.set(r.UID!, [...(byParadigm.get(r.UID!) ?? []), r]);
    assert.equal(byParadigm.size, paradigms);
    for (const [uid, pairs] of byParadigm) {
      assert.ok(pairs.length >= min && pairs.length <= max, `${uid}: ${pairs.length} pairs`);
      let delta = 0;
      for (const p of pairs) {
        assert.notEqual(p.sentence_good, p.sentence_bad);
        for (const s of [...splitSentences(p.sentence_good), ...splitSentences(p.sentence_bad)])
          assert.equal(corpus.sentenceSeenInTraining(s), false, s);
        delta += tokenizer.encode(p.sentence_good).length - tokenizer.encode(p.sentence_bad).length;
      }
      assert.equal(delta, 0, `${uid}: token lengths of good minus bad sum to ${delta}`);
    }
    assert.deepEqual(build(ctx), rows, 'the same seed gives the same items');
  });
}

test('facts, reasoning, tokens and icl item sets have the shape the suites rely on', () => {
  const facts = buildFactItems(ctx);
  assert.deepEqual([...new Set(facts.map((f) => f.group))].sort(), ['head', 'tail', 'torso', 'unseen']);
  for (const f of facts) assert.ok(f.candidates!.includes(f.answer) && tokenizer.encode(f.prompt).length + 1 < CONTEXT);
  const reasoning = buildReasoningItems(ctx);
  assert.deepEqual([...new Set(reasoning.map((r) => r.group))].sort(), ['add_1d', 'add_2d', 'code', 'twohop']);
  // Hops come from facts items; at this short context some do not fit, and their items go without.
  const twohop = reasoning.filter((r) => r.group === 'twohop');
  assert.ok(twohop.every((r) => !r.hops || r.hops.length === 2) && twohop.some((r) => r.hops));
  const windows = buildTokenItems(ctx);
  assert.ok(windows.length >= 5 && windows.every((w) => w.tokens.length === CONTEXT + 1));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const uni = mean(windows.map((w) => w.meta!.unigram_loss as number));
  const bi = mean(windows.map((w) => w.meta!.bigram_loss as number));
  assert.ok(bi < uni && uni < Math.log(tokenizer.vocabSize), `bigram ${bi} < unigram ${uni} < ln V`);
  const icl = buildIclItems(ctx);
  for (const item of icl.filter((i) => i.group === 'induction')) {
    const L = CONTEXT / 2;
    assert.deepEqual(item.tokens.slice(1, 1 + L), item.tokens.slice(1 + L));
    assert.equal(new Set(item.tokens.slice(1, 1 + L)).size, L);
  }
  // Each context window borrows its distant context from another window of its own source.
  const context = icl.filter((i) => i.group === 'context');
  const byId = new Map(context.map((i) => [i.id, i]));
  assert.ok(context.length >= 2);
  for (const item of context) {
    const from = byId.get(item.meta!.distant_from as string)!;
    assert.ok(from && from.id !== item.id && from.meta!.source === item.meta!.source, item.id);
    assert.equal(item.meta!.distant, (3 * CONTEXT) / 8);
  }
});

/**
 * An untrained model has random preferences of its own (its unembedding may happen to favour
 * frequent tokens; one paradigm's words may happen to suit it), so one initialisation can sit
 * off chance by more than the items' sampling error. What the item design must guarantee is
 * that these preferences do not favour the right answers: averaged over initialisations, every
 * suite scores at chance. The test takes SEEDS initialisations and checks that chance lies in
 * the 95% t-interval of their mean, for both metrics of every suite.
 */
test('facts: accuracy per relation and per held-out template is the mean top-1 of their items, every bucket included', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slurry-facts-items-'));
  const def = BUILTIN_SUITES.find((d) => d.name === 'facts')!;
  const files = ensureItemFiles(
    dir,
    [def],
    () => ({ corpus: corpusDir, context: CONTEXT }),
    () => {},
  );
  const suite = def.prepare(files.get('facts')!, tokenizer, 'refuse');
  assert.equal(suite.kind, 'probe');
  const model = GPT.init(
    parseGPTConfig({ vocab_size: tokenizer.vocabSize, n_layer: 1, n_head: 2, n_embd: 16, n_positions: CONTEXT }),
    7,
  );
  const r = runSuite(suite, model);
  const items = readFileSync(files.get('facts')!, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; meta: { relation: string; template_id: string } });
  const top1 = new Map(r.items.map((i) => [i.id, i.d]));
  // Items answered right and wrong in the same relation, so a wrong grouping shows.
  assert.ok(
    new Set(
      Object.entries(r.metrics)
        .filter(([k]) => k.includes('/template:'))
        .map(([, v]) => v),
    ).size > 1,
  );
  for (const field of ['relation', 'template_id'] as const) {
    const values = [...new Set(items.map((i) => i.meta[field]))];
    assert.ok(values.length >= 2, field);
    for (const v of values) {
      const own = items.filter((i) => i.meta[field] === v).map((i) => top1.get(i.id)!);
      const key = `accuracy/${field === 'relation' ? 'relation' : 'template'}:${v}`;
      assert.equal(r.metrics[key], own.reduce((a, b) => a + b, 0) / own.length, key);
    }
  }
});

test('freshly initialised models score at chance on every suite (95% interval over initialisations)', () => {
  const SEEDS = [1, 2, 3, 4, 5, 6];
  const T975 = 2.571; // Student's t, 5 degrees of freedom
  const dir = mkdtempSync(join(tmpdir(), 'slurry-probe-items-'));
  const files = ensureItemFiles(
    dir,
    BUILTIN_SUITES,
    () => ({ corpus: corpusDir, context: CONTEXT }),
    () => {},
  );
  const suites = BUILTIN_SUITES.map((def) => def.prepare(files.get(def.name)!, tokenizer, 'refuse')).filter(
    (s) => s.kind === 'probe',
  );
  const config = parseGPTConfig({
    vocab_size: tokenizer.vocabSize,
    n_layer: 1,
    n_head: 2,
    n_embd: 16,
    n_positions: CONTEXT,
  });
  const means = new Map<string, number[]>();
  const chance = new Map<string, number>();
  for (const seed of SEEDS) {
    const model = GPT.init(config, seed);
    for (const suite of suites) {
      const r = runSuite(suite, model);
      for (const m of ['d', 'c'] as const) {
        const key = `${r.suite}.${m}${m === 'c' && r.continuous.startsWith('logprob') ? ' (log-prob)' : ''}`;
        means.set(key, [...(means.get(key) ?? []), r.items.reduce((a, i) => a + i[m], 0) / r.items.length]);
        chance.set(key, r.chance[m]);
      }
    }
  }
  assert.equal(means.size, 14); // 7 suites x 2 metrics
  for (const [key, xs] of means) {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
    const half = (T975 * sd) / Math.sqrt(xs.length);
    const c = chance.get(key)!;
    const where = `${key}: mean over initialisations ${mean.toFixed(4)} +- ${half.toFixed(4)}, chance ${c.toFixed(4)} (per seed ${xs.map((x) => x.toFixed(4)).join(', ')})`;
    // Log-probabilities: an untrained model is worse than the uniform one by its KL divergence
    // from uniform (Jensen), a few thousandths of a nat at this width; allow that side 0.02 nats.
    // Discrete metrics may not vary at all between initialisations (an untrained model ranks
    // cloze candidates by length alone, as the uniform model does, except among equal lengths):
    // allow them half a percentage point.
    const below = key.endsWith('(log-prob)') ? 0.02 : key.endsWith('.d') ? 0.005 : 0;
    const above = key.endsWith('.d') ? 0.005 : 0;
    assert.ok(mean - half - above <= c && c <= mean + half + below, where);
  }
});

test('training probes each checkpoint inline; `slurry probe RUN` then finds nothing left; cached items stay tied to their corpus', async () => {
  const run = join(mkdtempSync(join(tmpdir(), 'slurry-inline-')), 'run');
  const suites = resolveSuites(['tokens', 'icl', 'samples']);
  const log: string[] = [];
  const opts = { suites, badRows: 'refuse' as const, log: (l: string) => log.push(l) };
  const config = {
    seed: 3,
    corpus: corpusDir,
    model: { n_layer: 1, n_head: 2, n_embd: 16 },
    batch_size: 4,
    context: 32,
    steps: 12,
    checkpoints: { log_until: 4, every: 6 },
    eval: { every: 6, batches: 1 },
  };
  const result = await train(config, { out: run, onCheckpoint: probeOnCheckpoint(run, opts), log: () => {} });
  const steps = result.checkpoints.map((c) => c.step);
  assert.deepEqual(steps, [0, 1, 2, 4, 6, 12]);
  const probes = readFileSync(join(run, 'probes.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    probes.map((r) => `${r.step}/${r.suite}`),
    steps.flatMap((s) => [`${s}/tokens`, `${s}/icl`]),
  );
  const samples = readFileSync(join(run, 'samples.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    samples.map((r) => r.step),
    steps,
  );
  assert.equal(samples[0].samples.length, 9);
  assert.ok(
    samples.every((r) =>
      r.samples.every(
        (s: { greedy: string; sampled: string }) => typeof s.greedy === 'string' && typeof s.sampled === 'string',
      ),
    ),
  );
  const icl = probes.find((r) => r.suite === 'icl');
  assert.ok(
    icl.metrics['prefix_matching/L0H1'] >= 0 && icl.metrics.prefix_matching_uniform > 0 && 'icl_score' in icl.metrics,
  );
  assert.match(log.join('\n'), /built \d+ tokens items/);

  const again = probeRun(run, opts);
  assert.deepEqual([again.probed.length, again.upToDate], [0, steps.length]);

  // Items built from one corpus are not mixed with another's.
  const meta = join(run, 'probe-items', 'meta.json');
  writeFileSync(
    meta,
    readFileSync(meta, 'utf8').replace(/"corpus_manifest_sha256": "[0-9a-f]{6}/, '"corpus_manifest_sha256": "000000'),
  );
  assert.throws(
    () => probeRun(run, { ...opts, suites: resolveSuites(['syntax']), steps: [0] }),
    /items were built from .* delete .*probe-items to rebuild/,
  );
});
