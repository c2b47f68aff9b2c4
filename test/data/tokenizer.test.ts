import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { brown } from '../../src/data/sources/brown.js';
import { code } from '../../src/data/sources/code.js';
import { trainBpe } from '../../src/data/tokenizer/bpe-train.js';
import { BYTE_TO_CHAR, CHAR_TO_BYTE } from '../../src/data/tokenizer/byte-level.js';
import { pretokenize } from '../../src/data/tokenizer/pretokenize.js';
import { BpeTokenizer, EOT_TEXT } from '../../src/data/tokenizer/tokenizer.js';
import { Rng } from '../../src/data/random.js';
import { SlurryError } from '../../src/util/errors.js';

const ctx = { seed: 1, knowledge: () => assert.fail('no knowledge base here') };
const brownTexts = brown
  .documents({}, ctx)
  .slice(0, 40)
  .map((d) => d.text);
const codeTexts = code
  .documents({}, ctx)
  .filter((d) => d.id.startsWith('lodash/'))
  .slice(0, 40)
  .map((d) => d.text);

function counts(texts: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of texts) for (const p of pretokenize(t)) m.set(p, (m.get(p) ?? 0) + 1);
  return m;
}

const model = trainBpe(counts([...brownTexts, ...codeTexts]), { tokens: 1023 });
const tok = new BpeTokenizer(model);

/** Random strings over a mix of scripts, emoji, control characters and whitespace. */
function randomText(rng: Rng, length: number): string {
  const ranges: [number, number][] = [
    [0x20, 0x7e],
    [0x00, 0x1f],
    [0xa0, 0x24f],
    [0x370, 0x3ff],
    [0x400, 0x4ff],
    [0x4e00, 0x4fff],
    [0x1f300, 0x1f64f],
    [0xe000, 0xe0ff],
    [0x10000, 0x1000f],
  ];
  let s = '';
  for (let i = 0; i < length; i++) {
    const [lo, hi] = rng.pick(ranges);
    s += rng.next() < 0.15 ? rng.pick([' ', '  ', '\n', '\t', '0', '42']) : String.fromCodePoint(rng.int(lo, hi));
  }
  return s;
}

test('byte-level table is a bijection between the 256 bytes and 256 printable characters', () => {
  assert.equal(new Set(BYTE_TO_CHAR).size, 256);
  for (let b = 0; b < 256; b++) assert.equal(CHAR_TO_BYTE.get(BYTE_TO_CHAR[b]!), b);
  assert.equal(BYTE_TO_CHAR[32], 'Ġ');
  assert.equal(BYTE_TO_CHAR[65], 'A');
});

test('pre-tokenisation splits digits one by one and loses nothing', () => {
  assert.deepEqual(pretokenize('x = 1234;'), ['x', ' =', ' ', '1', '2', '3', '4', ';']);
  assert.deepEqual(pretokenize("It's  the end"), ['It', "'s", ' ', ' the', ' end']);
  const rng = new Rng(5);
  for (let i = 0; i < 50; i++) {
    const s = randomText(rng, 60);
    assert.equal(pretokenize(s).join(''), s);
  }
});

test('training reaches the requested size, is deterministic, and learns frequent words', () => {
  assert.equal(model.vocab.length, 1023);
  assert.equal(tok.vocabSize, 1024);
  assert.equal(tok.eotId, 1023);
  const again = trainBpe(counts([...brownTexts, ...codeTexts]), { tokens: 1023 });
  assert.deepEqual(again.merges, model.merges);
  assert.deepEqual(tok.encode(' the'), [tok.encode(' the')[0]]);
  assert.ok(
    tok.encode(brownTexts[0]!).length < Buffer.byteLength(brownTexts[0]!) / 2.5,
    'BPE should compress English well',
  );
});

test('decode(encode(x)) === x for arbitrary UTF-8 text, bytes unseen in training included', () => {
  const rng = new Rng(11);
  for (let i = 0; i < 300; i++) {
    const s = randomText(rng, rng.int(0, 80));
    assert.equal(tok.decode(tok.encode(s)), s);
  }
  for (const s of [
    '',
    ' ',
    '\u0000\u0001\u00ff',
    '日本語のテキスト',
    '😀👍🏽 family: 👨‍👩‍👧',
    'naïve café',
    brownTexts[1]!,
    codeTexts[1]!,
  ])
    assert.equal(tok.decode(tok.encode(s)), s);
});

test('every id decodes; end-of-text decodes to its marker and is never produced by encode', () => {
  assert.equal(tok.decode([tok.eotId]), EOT_TEXT);
  assert.ok(!tok.encode(`a ${EOT_TEXT} b`).includes(tok.eotId));
  assert.throws(() => tok.decode([tok.vocabSize]), SlurryError);
});

test('a byte-level tokenizer (no merges) has 257 ids and encodes bytes', () => {
  const bytes = new BpeTokenizer(trainBpe(new Map(), { tokens: 256 }));
  assert.equal(bytes.vocabSize, 257);
  assert.deepEqual(bytes.encode('hé'), [0x68, 0xc3, 0xa9]);
});

test('tokenizer.json round-trips through fromHuggingFace; bad files are named', () => {
  const json = tok.toHuggingFace();
  const back = BpeTokenizer.fromHuggingFace(JSON.parse(JSON.stringify(json)), 'x/tokenizer.json');
  for (const t of [...brownTexts.slice(0, 5), ...codeTexts.slice(0, 5)])
    assert.deepEqual(back.encode(t), tok.encode(t));
  const broken = JSON.parse(JSON.stringify(json));
  broken.pre_tokenizer.pretokenizers[0].pattern.Regex = '\\w+';
  assert.throws(
    () => BpeTokenizer.fromHuggingFace(broken, 'x/tokenizer.json'),
    /x\/tokenizer\.json: field "pre_tokenizer"/,
  );
  const badMerge = JSON.parse(JSON.stringify(json));
  badMerge.model.merges[3] = 'nope nada';
  assert.throws(() => BpeTokenizer.fromHuggingFace(badMerge, 'x/tokenizer.json'), /field "model.merges\[3\]"/);
});

test("Hugging Face's tokenizers library loads tokenizer.json and produces the same ids", async () => {
  const require = createRequire(import.meta.url);
  const { Tokenizer } = require('tokenizers') as typeof import('tokenizers');
  const dir = mkdtempSync(join(tmpdir(), 'slurry-tok-'));
  const file = join(dir, 'tokenizer.json');
  writeFileSync(file, JSON.stringify(tok.toHuggingFace()));
  const hf = Tokenizer.fromFile(file);
  const rng = new Rng(2);
  const samples = [
    ...brownTexts.slice(0, 10),
    ...codeTexts.slice(0, 10),
    ...Array.from({ length: 40 }, () => randomText(rng, 50)),
  ];
  for (const s of samples) {
    const enc = await hf.encode(s);
    assert.deepEqual(Array.from(enc.getIds()), tok.encode(s), `ids differ for ${JSON.stringify(s.slice(0, 60))}`);
  }
  assert.equal(await hf.decode(tok.encode(brownTexts[2]!), false), brownTexts[2]);
  assert.equal(hf.getVocabSize(true), tok.vocabSize);

  // The byte-level vocabulary (--vocab byte) loads too.
  const bytes = new BpeTokenizer(trainBpe(new Map(), { tokens: 256 }));
  const byteFile = join(dir, 'byte.json');
  writeFileSync(byteFile, JSON.stringify(bytes.toHuggingFace()));
  const s = 'Héllo 123 😀';
  assert.deepEqual(Array.from((await Tokenizer.fromFile(byteFile).encode(s)).getIds()), bytes.encode(s));
});
