/**
 * Memory for loading a checkpoint stays within twice its file size: measured as the growth
 * of the peak resident set (maxRSS) of a fresh process across loadModel, so transient
 * copies count too.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { saveModel } from '../../src/model/checkpoint.js';
import { parseGPTConfig } from '../../src/model/config.js';
import { GPT } from '../../src/model/gpt.js';

const checkpointModule = new URL('../../src/model/checkpoint.js', import.meta.url).href;

test('loading a checkpoint takes at most 2x its file size in peak memory', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'slurry-load-memory-'));
  const config = parseGPTConfig({ vocab_size: 4096, n_layer: 4, n_head: 4, n_embd: 256, n_positions: 256 });
  saveModel(dir, GPT.init(config, 1));
  const fileBytes = statSync(join(dir, 'model.safetensors')).size;
  const script = `
    const { loadModel } = await import(${JSON.stringify(checkpointModule)});
    const before = process.resourceUsage().maxRSS * 1024;
    const model = loadModel(${JSON.stringify(dir)});
    const after = process.resourceUsage().maxRSS * 1024;
    console.log(JSON.stringify({ grown: after - before, params: model.parameters().length }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  const ratio = out.grown / fileBytes;
  t.diagnostic(`peak memory growth ${out.grown} bytes for a ${fileBytes}-byte checkpoint: ratio ${ratio.toFixed(2)}`);
  assert.ok(ratio <= 2, `loading took ${ratio.toFixed(2)}x the file size`);
});
