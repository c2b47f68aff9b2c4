/**
 * Property-based fuzzing of every JSON, YAML and JSONL reader: tokenizer.json, training
 * config files, the corpus manifest, JSONL records (metrics, probes) and probe suite files.
 * Random and mutated documents (fields nulled, retyped, made huge or negative, removed;
 * bytes flipped, cut, inserted, not UTF-8) either load or raise the one-line SlurryError.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import { metricsRecordSchema } from '../../src/run/schemas.js';
import { Manifest } from '../../src/data/manifest.js';
import { BpeTokenizer } from '../../src/data/tokenizer/tokenizer.js';
import { readItemFile } from '../../src/probes/items.js';
import { layeredConfig } from '../../src/train/config-file.js';
import { parseTrainConfig } from '../../src/train/config.js';
import { readJsonFile } from '../../src/util/json.js';
import { readJsonlFile } from '../../src/util/jsonl.js';
import { miniCorpus } from '../train/support/mini-corpus.js';
import { fuzzDir, fuzz, loadsOrRefuses, mutatedBytes, mutatedJson } from './support.js';

const dir = fuzzDir('formats');
let counter = 0;
const enc = new TextEncoder();

function writeTemp(ext: string, content: Uint8Array | string): string {
  const path = join(dir, `f${counter++}.${ext}`);
  writeFileSync(path, content);
  return path;
}

/** Either a JSON-level mutation of `valid`, or a byte-level one of its text. */
function mutatedFile(valid: unknown, text = JSON.stringify(valid, null, 1)): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    mutatedJson(valid).map((doc) => enc.encode(JSON.stringify(doc) ?? '')),
    mutatedBytes(enc.encode(text)),
  );
}

const bytes = (b: Uint8Array | string) => (typeof b === 'string' ? Buffer.byteLength(b) : b.length);

// A tokenizer with merges: "t"+"h", "th"+"e", " "+"th".
const tokenizer = new BpeTokenizer({
  vocab: [
    ...Array.from({ length: 256 }, (_, b) => Uint8Array.of(b)),
    enc.encode('th'),
    enc.encode('the'),
    enc.encode(' th'),
  ],
  merges: [
    [0x74, 0x68, 256],
    [256, 0x65, 257],
    [0x20, 256, 258],
  ],
});
const tokenizerJson = tokenizer.toHuggingFace();

test('tokenizer.json: mutated files load (and encode/decode round-trip) or are refused', (t) => {
  fuzz(
    t,
    fc.property(mutatedFile(tokenizerJson), fc.string({ maxLength: 20 }), (content, text) => {
      const path = writeTemp('json', content);
      const { value } = loadsOrRefuses(
        () => BpeTokenizer.fromHuggingFace(readJsonFile(path, z.unknown()), path),
        path,
        bytes(content),
      );
      if (value) assert.equal(value.decode(value.encode(text)), text);
    }),
  );
});

test('tokenizer.json: duplicate ids and null fields are refused by name', () => {
  const dup = structuredClone(tokenizerJson);
  dup.model.vocab['the'] = 256;
  const path = writeTemp('json', JSON.stringify(dup));
  assert.throws(
    () => BpeTokenizer.fromHuggingFace(readJsonFile(path, z.unknown()), path),
    /field "model.vocab": id 256 is used by both "th" and "the"/,
  );
  const nulled = { ...tokenizerJson, model: { ...tokenizerJson.model, merges: null } };
  const p2 = writeTemp('json', JSON.stringify(nulled));
  assert.throws(() => BpeTokenizer.fromHuggingFace(readJsonFile(p2, z.unknown()), p2), /field "model.merges": /);
});

const configYaml = `preset: tiny
corpus: ../corpus
seed: 3
model: { n_layer: 1, n_head: 2, n_embd: 16 }
batch_size: 4
context: 16
steps: 24
optimizer: { lr: 0.03, beta1: 0.9, beta2: 0.95 }
lr_schedule: { kind: cosine, warmup_fraction: 0.05 }
data:
  schedule: { kind: mix, weights: natural }
checkpoints: { log_until: 4, every: 10 }
eval: { every: 8, batches: 1 }
divergence: { rollback: true, lr_factor: 0.5 }
`;
const aliasBomb =
  'a: &a ["x","x","x","x","x","x","x","x","x"]\n' +
  Array.from(
    { length: 9 },
    (_, i) =>
      `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
  ).join('\n') +
  '\n';

test('config files: mutated YAML loads and validates or is refused', (t) => {
  fuzz(
    t,
    fc.property(fc.oneof(mutatedBytes(enc.encode(configYaml)), fc.constant(enc.encode(aliasBomb))), (content) => {
      const path = writeTemp('yaml', content);
      loadsOrRefuses(() => parseTrainConfig(layeredConfig({ file: path }), path), path, content.length);
    }),
  );
});

test('config files: an alias bomb is refused in one line, without expanding it', () => {
  const path = writeTemp('yaml', aliasBomb);
  assert.throws(
    () => layeredConfig({ file: path }),
    (e: Error) => /Excessive alias count/.test(e.message) && !e.message.includes('\n'),
  );
});

test('the corpus manifest: mutated files validate or are refused', async (t) => {
  const manifest = JSON.parse(readFileSync(join(await miniCorpus(), 'manifest.json'), 'utf8'));
  fuzz(
    t,
    fc.property(mutatedFile(manifest), (content) => {
      const path = writeTemp('json', content);
      loadsOrRefuses(() => readJsonFile(path, Manifest), path, content.length);
    }),
  );
});

test('JSONL records: mutated metrics logs load row by row or are refused at file:line', (t) => {
  const rows = [
    {
      type: 'train',
      step: 1,
      tokens: 64,
      loss: 3.2,
      loss_by_source: { a: 3.1 },
      lr: 0.01,
      grad_norm: 1.5,
      tokens_per_s: 1000,
      weights: { a: 1 },
      time: 0.1,
    },
    { type: 'val', step: 1, tokens: 64, loss: 3.3, loss_by_source: { a: 3.3 } },
  ];
  const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  fuzz(
    t,
    fc.property(
      fc.oneof(
        mutatedBytes(enc.encode(text)),
        mutatedJson(rows).map((r) =>
          enc.encode((Array.isArray(r) ? r : [r]).map((x) => JSON.stringify(x) ?? 'null').join('\n')),
        ),
      ),
      fc.constantFrom('refuse', 'skip'),
      (content, policy) => {
        const path = writeTemp('jsonl', content);
        loadsOrRefuses(
          () => readJsonlFile(path, metricsRecordSchema, policy as 'refuse' | 'skip'),
          path,
          content.length,
        );
      },
    ),
  );
});

test('suite files: mutated BLiMP and cloze files load or are refused; non-UTF-8 bytes are named by line', (t) => {
  const pairs = [
    { sentence_good: 'The dog runs.', sentence_bad: 'The dog run.', UID: 'sva', pairID: 0 },
    { sentence_good: 'Cats sleep.', sentence_bad: 'Cats sleeps.', UID: 'sva', pairID: 1 },
  ];
  const cloze = [
    { id: 'fr', group: 'eu', prompt: 'The capital of France is', answer: ' Paris', candidates: [' Paris', ' Rome'] },
  ];
  const asText = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  fuzz(
    t,
    fc.property(
      fc.oneof(mutatedBytes(enc.encode(asText(pairs))), mutatedBytes(enc.encode(asText(cloze)))),
      fc.constantFrom('refuse', 'skip'),
      (content, policy) => {
        const path = writeTemp('jsonl', content);
        loadsOrRefuses(() => readItemFile(path, policy as 'refuse' | 'skip'), path, content.length);
      },
    ),
  );
  const bad = writeTemp(
    'jsonl',
    Buffer.concat([enc.encode(asText(pairs)), Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a])]),
  );
  assert.throws(() => readItemFile(bad, 'skip'), /f\d+\.jsonl:3:3: not UTF-8 text \(byte 0xff/);
});
