/** `slurry serve` on bad input: a missing ROOT, a port in use (naming its holder), --host without --token. */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempRoot } from './support.js';

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const root = tempRoot();
after(() => rmSync(root, { recursive: true, force: true }));
const run = (...args: string[]) =>
  spawnSync(process.execPath, [cli, 'serve', ...args], { encoding: 'utf8', timeout: 60_000 });

test('serve: a missing ROOT is one clear line and a non-zero exit', () => {
  const r = run('/no/such/folder', '--port', '0');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /^slurry: error: \/no\/such\/folder: no such directory/);
});

test('serve: --host beyond loopback needs --token', () => {
  const r = run(root, '--host', '0.0.0.0', '--port', '0');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /--host 0\.0\.0\.0: exposing the dashboard beyond this machine needs --token/);
});

test('serve: a port in use names the process holding it', async () => {
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  const port = (holder.address() as { port: number }).port;
  try {
    const child = spawn(process.execPath, [cli, 'serve', root, '--port', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.notEqual(code, 0);
    assert.match(stderr, new RegExp(`--port ${port}: already in use on 127\\.0\\.0\\.1 by process ${process.pid} \\(`));
  } finally {
    holder.close();
  }
});

test('serve: prints its URL and answers there', async () => {
  const child = spawn(process.execPath, [cli, 'serve', root, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /at (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('close', () => reject(new Error(`exited before printing a URL: ${out}`)));
    });
    const res = await fetch(`${url}api/runs`);
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { runs: unknown[] }).runs, []);
  } finally {
    child.kill('SIGTERM');
  }
});
