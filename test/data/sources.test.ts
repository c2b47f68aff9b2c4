import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadKnowledgeBase } from '../../src/data/knowledge/kb.js';
import { packageInfo } from '../../src/data/packages.js';
import { Rng } from '../../src/data/random.js';
import { arithmetic, countCarries, formatProblem, heldOutProblems } from '../../src/data/sources/arithmetic.js';
import { BROWN_GENRES, brown, detokenize, parseBrownSample } from '../../src/data/sources/brown.js';
import { code } from '../../src/data/sources/code.js';
import { SOURCES } from '../../src/data/sources/index.js';
import { heldOutPrograms, programCloze, programText, randomProgram, tracing } from '../../src/data/sources/tracing.js';
import { SOURCE_KINDS, type SourceContext } from '../../src/data/sources/types.js';
import { synsetEntry } from '../../src/data/sources/wordnet.js';
import { parseSynsetLine, splitGloss } from '../../src/data/knowledge/wordnet.js';

const kb = loadKnowledgeBase({ hypernymNouns: 100 });
const ctx: SourceContext = { seed: 3, knowledge: () => kb };
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
};

test('every source has a valid name, a kind, and a unique name', () => {
  const names = SOURCES.map((s) => s.name);
  assert.equal(new Set(names).size, names.length);
  for (const s of SOURCES) {
    assert.match(s.name, /^[a-z][a-z0-9_]*$/);
    assert.ok((SOURCE_KINDS as readonly string[]).includes(s.kind));
    assert.ok(s.description.length > 10);
  }
  const kinds = new Set(SOURCES.map((s) => s.kind));
  for (const k of ['books', 'news', 'reference', 'code', 'facts', 'reasoning'])
    assert.ok(kinds.has(k as never), `no ${k} source`);
});

test('every package a source or the knowledge base reads is pinned exactly and installed at that version', () => {
  const used = new Set([...SOURCES.flatMap((s) => s.packages), ...kb.packages]);
  for (const name of used) {
    const pinned = pkg.dependencies[name];
    assert.ok(pinned, `${name} is not a dependency in package.json`);
    assert.match(pinned, /^\d+\.\d+\.\d+$/, `${name} must be pinned to an exact version, got ${pinned}`);
    const info = packageInfo(name);
    assert.equal(info.version, pinned, `${name}: installed ${info.version}, pinned ${pinned}`);
    assert.notEqual(info.license, 'UNKNOWN', `${name} has no licence in its package.json`);
  }
});

test('Brown: 500 samples in 15 genres, detokenised into ordinary text', () => {
  const docs = brown.documents({}, ctx);
  assert.equal(docs.length, 500);
  assert.equal(new Set(docs.map((d) => d.meta!.genre)).size, 15);
  assert.equal(Object.keys(BROWN_GENRES).length, 15);
  assert.ok(docs[0]!.text.startsWith('The Fulton County Grand Jury said Friday an investigation of'));
  assert.ok(!docs.some((d) => /\/(nn|vbd|at)\b|``|;;/.test(d.text)));
  assert.equal(detokenize(['He', 'said', ',', '``', 'go', "''", '(', 'now', ')', '.']), 'He said, "go" (now).');
  const s = parseBrownSample(
    'ca99',
    '\n\n\tThe/at dog/nn ran/vbd ./.\nIt/pps barked/vbd ./.\n\n\tNew/jj para/nn ./.\n',
  );
  assert.equal(s.paragraphs.length, 2);
  assert.equal(s.paragraphs[0]!.length, 2);
  assert.deepEqual(s.paragraphs[0]![0]![1], { word: 'dog', tag: 'nn' });
});

test('WordNet lines parse into words, hypernyms, definition and examples', () => {
  const line =
    '02086723 05 n 02 dog 0 domestic_dog 0 002 @ 02085998 n 0000 @i 01317541 n 0000 | a member of the genus Canis; "the dog barked all night"';
  const s = parseSynsetLine(line, 'noun')!;
  assert.deepEqual(s.words, ['dog', 'domestic dog']);
  assert.deepEqual(s.hypernyms, [2085998]);
  assert.equal(s.lexFile, 5);
  assert.equal(
    synsetEntry(s),
    'dog, domestic dog (noun): a member of the genus Canis. For example: "the dog barked all night".',
  );
  assert.deepEqual(splitGloss('(usually followed by `to\') able; "able to swim"; "she was able"'), {
    definition: "(usually followed by `to') able",
    examples: ['able to swim', 'she was able'],
  });
  assert.equal(parseSynsetLine('  1 This software and database is being provided', 'noun'), null);
});

test('code: source files only, no bundles or minified files', () => {
  const docs = code.documents({}, ctx);
  assert.ok(docs.length > 1000);
  assert.ok(!docs.some((d) => /(\.min\.js|\/lodash\.js|\/core\.js|\/cdn\.js)$/.test(d.id)));
  for (const p of ['lodash', 'ramda', 'rxjs', 'date-fns', 'typescript'])
    assert.ok(
      docs.some((d) => d.meta!.package === p),
      p,
    );
  assert.ok(docs.some((d) => d.id === 'typescript/lib/lib.es5.d.ts'));
});

test('arithmetic: correct sums, carries counted, held-out problems never in training', () => {
  assert.equal(countCarries(999, 1), 3);
  assert.equal(countCarries(123, 456), 0);
  assert.equal(countCarries(58, 67), 2);
  const opts = arithmetic.options.parse({ problems: 3000, maxDigits: 3 });
  const lines = arithmetic.documents(opts, ctx).flatMap((d) => d.text.split('\n'));
  assert.equal(lines.length, 3000);
  for (const l of lines) {
    const [a, b, c] = l.match(/\d+/g)!.map(Number);
    assert.equal(a! + b!, c, l);
  }
  const held = heldOutProblems(opts, ctx.seed);
  assert.equal(held.filter((p) => p.digits === 1).length, 20); // a fifth of the 100 one-digit problems
  assert.equal(held.filter((p) => p.digits === 3).length, 100);
  assert.equal(new Set(held.map((p) => `${p.a}+${p.b}`)).size, held.length);
  const train = new Set(lines);
  for (const p of held) assert.ok(!train.has(formatProblem(p.a, p.b)), `${p.a}+${p.b} leaked`);
  assert.ok(
    held.some((p) => p.a !== p.b && train.has(formatProblem(p.b, p.a))),
    'mirrors of held-out problems may be trained',
  );
  const probes = arithmetic.artifacts!(opts, { ...ctx, train: [], exposure: new Map() })[0]!;
  assert.equal(probes.path, 'probes/arithmetic.jsonl');
});

test('arithmetic: reversed sums are written least significant digit first, in training and probes alike', () => {
  assert.equal(formatProblem(347, 589, 'reversed'), '347 + 589 = 639');
  assert.equal(formatProblem(5, 5, 'reversed'), '5 + 5 = 01');
  const opts = arithmetic.options.parse({ problems: 500, maxDigits: 3, answer: 'reversed' });
  for (const l of arithmetic.documents(opts, ctx).flatMap((d) => d.text.split('\n'))) {
    const [a, b, c] = l.split(/ [+=] /);
    assert.equal(Number([...c!].reverse().join('')), Number(a) + Number(b), l);
  }
  const [file] = arithmetic.artifacts!(opts, { ...ctx, train: [], exposure: new Map() });
  const items = (file!.content as { jsonl: { a: number; b: number; answer: string }[] }).jsonl;
  for (const item of items) assert.equal(item.answer, ` ${[...String(item.a + item.b)].reverse().join('')}`);
  assert.throws(() => arithmetic.options.parse({ answer: 'backwards' }), /answer/);
});

test('tracing: each program prints what its statements compute; held-out programs never in training', () => {
  const rng = new Rng(9);
  for (let i = 0; i < 300; i++) {
    const p = randomProgram(rng, rng.int(1, 6), 30);
    // Run the program as JavaScript, capturing what it prints.
    const printed: unknown[] = [];
    new Function('console', p.lines.join('\n') + `\nconsole.log(${p.variable});`)({
      log: (x: unknown) => printed.push(x),
    });
    assert.deepEqual(printed, [p.value]);
    assert.ok(p.value >= 0 && p.value <= 30);
    const { prompt, answer } = programCloze(p);
    assert.ok(prompt.endsWith(`console.log(${p.variable}); //`) && answer === ` ${p.value}`);
  }
  const opts = tracing.options.parse({ programs: 2000, heldOut: 200 });
  const train = tracing.documents(opts, ctx).flatMap((d) => d.text.split('\n\n'));
  assert.equal(train.length, 2000);
  const held = heldOutPrograms(opts, ctx.seed).map(programText);
  assert.equal(new Set(held).size, 200);
  const trainSet = new Set(train);
  for (const h of held) assert.ok(!trainSet.has(h));
});
