/**
 * `slurry serve` is read-only and serves nothing outside ROOT: traversal (plain, encoded,
 * through a symlink), tokens when exposed (every request, SSE included), foreign Host
 * headers, writes, a 1 GB file read slowly, and clients that never finish a request.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunningServer } from '../../src/serve/server.js';
import { startServer, tempRoot } from './support.js';

const outside = tempRoot();
writeFileSync(join(outside, 'secret.txt'), 'do not serve me');
const root = tempRoot();
mkdirSync(join(root, 'runs', 'a'), { recursive: true });
writeFileSync(join(root, 'runs', 'a', 'metrics.jsonl'), '{"type":"train","step":1,"tokens":10,"loss":3}\n');
symlinkSync(outside, join(root, 'escape'));
symlinkSync(join(outside, 'secret.txt'), join(root, 'runs', 'a', 'link.txt'));
const big = join(root, 'runs', 'a', 'big.bin');
closeSync(openSync(big, 'w'));
truncateSync(big, 1024 ** 3); // 1 GB, sparse: no disk used

let server: RunningServer;
before(async () => {
  server = await startServer(root);
});
after(async () => {
  await server.close();
  for (const dir of [root, outside]) rmSync(dir, { recursive: true, force: true });
});

/** A raw request (fetch would normalise the path before sending it). */
function raw(
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; body: string }> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), '127.0.0.1');
    let data = '';
    sock.on('data', (d) => (data += d.toString('latin1')));
    sock.on('end', () =>
      resolve({ status: Number(data.split(' ')[1]), body: data.slice(data.indexOf('\r\n\r\n') + 4) }),
    );
    sock.on('error', reject);
    const h = { host: `127.0.0.1:${port}`, connection: 'close', ...headers };
    sock.write(
      `${method} ${path} HTTP/1.1\r\n${Object.entries(h)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n')}\r\n\r\n`,
    );
  });
}

test('files under ROOT are served; traversal in every spelling is refused', async () => {
  assert.equal((await raw('/files/runs/a/metrics.jsonl')).status, 200);
  for (const path of [
    '/files/../secret.txt',
    '/files/..%2f..%2fetc%2fpasswd',
    '/files/%2e%2e/%2e%2e/etc/passwd',
    '/files/runs/a/..%2f..%2f..%2fetc%2fpasswd',
    '/files/%2fetc%2fpasswd',
    '/files/runs%5c..%5c..%5cetc%5cpasswd',
    '/files/runs/a/%00metrics.jsonl',
    '/files/escape/secret.txt',
    '/files/runs/a/link.txt',
    '/api/run?run=../',
    '/api/run?run=%2e%2e%2f',
    '/api/run?run=escape',
    '/api/events?run=..%2f..',
  ]) {
    const r = await raw(path);
    assert.ok(r.status === 403 || r.status === 404 || r.status === 400, `${path}: ${r.status}`);
    assert.doesNotMatch(r.body, /do not serve me|root:x:0/, path);
  }
  assert.equal((await raw('/files/escape/secret.txt')).status, 403);
});

test('read-only: only GET and HEAD', async () => {
  for (const m of ['POST', 'PUT', 'DELETE', 'PATCH'])
    assert.equal((await raw('/api/runs', { 'content-length': '0' }, m)).status, 405, m);
  assert.equal((await raw('/api/runs', {}, 'HEAD')).status, 200);
});

test('without a token only loopback Host headers are served (no DNS rebinding)', async () => {
  assert.equal((await raw('/api/runs', { host: 'evil.example:80' })).status, 403);
  assert.equal((await raw('/api/runs', { host: 'localhost' })).status, 200);
});

test('with a token: every request needs it, SSE included; the page sets a cookie', async () => {
  const s = await startServer(root, { token: 'correct-horse-battery' });
  try {
    const base = s.url.replace(/\/$/, '');
    for (const path of [
      '/',
      '/assets/app.js',
      '/api/runs',
      '/api/run?run=runs/a',
      '/api/events?list=1',
      '/api/events?run=runs/a',
      '/files/runs/a/metrics.jsonl',
    ]) {
      assert.equal((await fetch(base + path)).status, 401, `${path} without token`);
      assert.equal(
        (await fetch(base + path, { headers: { authorization: 'Bearer wrong-token-here' } })).status,
        401,
        `${path} wrong token`,
      );
      const ok = await fetch(base + path, { headers: { authorization: 'Bearer correct-horse-battery' } });
      assert.equal(ok.status, 200, `${path} right token`);
      await ok.body?.cancel();
    }
    const page = await fetch(`${base}/api/runs?token=correct-horse-battery`);
    assert.match(page.headers.get('set-cookie') ?? '', /slurry_token=correct-horse-battery; HttpOnly; SameSite=Strict/);
    assert.equal(
      (await fetch(`${base}/api/runs`, { headers: { cookie: 'slurry_token=correct-horse-battery' } })).status,
      200,
    );
    assert.equal((await fetch(`${base}/api/runs?token=nope`)).status, 401);
  } finally {
    await s.close();
  }
});

test('a 1 GB file read by a slow client streams in bounded memory; other requests still answer', async () => {
  const { port } = new URL(server.url);
  const rss0 = process.memoryUsage().rss;
  const sock = connect(Number(port), '127.0.0.1');
  let got = 0;
  sock.on('data', (d) => {
    got += d.length;
    if (got > 256 * 1024) sock.pause(); // a client that stops reading
  });
  sock.write(`GET /files/runs/a/big.bin HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`);
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(got > 0, 'the download started');
  const grown = (process.memoryUsage().rss - rss0) / 1024 ** 2;
  assert.ok(grown < 64, `server memory grew ${grown.toFixed(0)} MB while a 1 GB download stalled`);
  const started = Date.now();
  assert.equal((await raw('/api/runs')).status, 200);
  assert.ok(Date.now() - started < 5000);
  sock.destroy();
});

test('a client that never finishes its request does not block others', async () => {
  const { port } = new URL(server.url);
  const slow = connect(Number(port), '127.0.0.1');
  slow.write('GET /api/runs HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: ');
  assert.equal((await raw('/api/runs')).status, 200);
  slow.destroy();
});
