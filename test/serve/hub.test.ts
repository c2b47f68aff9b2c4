import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer, tempRoot } from './support.js';

test('closing the server with live viewers connected ends their streams without an error', async () => {
  const root = tempRoot();
  mkdirSync(join(root, 'run'));
  writeFileSync(join(root, 'run', 'metrics.jsonl'), '{"type":"train","step":1,"tokens":8,"loss":3}\n');
  const server = await startServer(root);
  const errors: unknown[] = [];
  const onError = (err: unknown) => errors.push(err);
  process.on('uncaughtException', onError);
  try {
    const ended = Array.from(
      { length: 3 },
      () =>
        new Promise<string>((resolve, reject) => {
          get(`${server.url}api/events?run=run`, (res) => {
            let text = '';
            res.on('data', (d) => (text += d));
            res.on('end', () => resolve(text));
            res.on('error', reject);
          }).on('error', reject);
        }),
    );
    while (server.hub.stats().clients < 3) await new Promise((r) => setTimeout(r, 20));
    await server.close();
    for (const text of await Promise.all(ended)) assert.match(text, /event: meta/);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(errors, []);
  } finally {
    process.off('uncaughtException', onError);
    rmSync(root, { recursive: true, force: true });
  }
});
