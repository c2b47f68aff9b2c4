/**
 * `samples`: fixed prompts, one from each kind of text in the corpus, continued greedily
 * and by sampling (temperature 0.8, top-k 40, a fixed seed) at every checkpoint, so the
 * run keeps a readable record of what the model writes as it learns. Written to
 * RUN/samples.jsonl (SampleRecord), not scored.
 */
import { z } from 'zod';
import { generate } from '../../model/generate.js';
import { readJsonlFile } from '../../util/jsonl.js';
import type { SuiteDefinition } from '../suite.js';

export const SAMPLE_PROMPTS = [
  'The',
  'It was a dark and stormy night, and',
  'Call me Ishmael.',
  'Mr. President, the state of the Union',
  'The capital of France is',
  'A dog is a kind of',
  '27 + 15 =',
  'function add(a, b) {',
  'let x = 4;\nx = x + 3;\nconsole.log(x); //',
];

export const SAMPLE_TOKENS = 32;
const SAMPLE_SEED = 0;

const PromptItem = z.strictObject({ id: z.string().min(1), prompt: z.string().min(1) });

export const samplesSuite: SuiteDefinition = {
  name: 'samples',
  description: `fixed prompts continued greedily and by sampling (${SAMPLE_TOKENS} tokens), kept per checkpoint`,
  build: () => SAMPLE_PROMPTS.map((prompt, i) => ({ id: `prompt:${i}`, prompt })),
  prepare(file, tokenizer, policy) {
    const prompts = readJsonlFile(file, PromptItem, policy).rows.map((r) => r.value.prompt);
    const encoded = prompts.map((p) => [tokenizer.eotId, ...tokenizer.encode(p)]);
    return {
      name: 'samples',
      kind: 'samples',
      run(model) {
        const opts = { maxNewTokens: SAMPLE_TOKENS, stopToken: tokenizer.eotId };
        const text = (ids: number[]) => tokenizer.decode(ids.filter((t) => t !== tokenizer.eotId));
        return prompts.map((prompt, i) => ({
          prompt,
          greedy: text(generate(model, encoded[i], { ...opts, temperature: 0 })),
          sampled: text(generate(model, encoded[i], { ...opts, temperature: 0.8, topK: 40, seed: SAMPLE_SEED + i })),
        }));
      },
    };
  },
};
