import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, resolveMode, startProgress } from '../../src/util/progress.js';

function fakeStream(isTTY = false) {
  const chunks: string[] = [];
  return { chunks, stream: { write: (s: string) => chunks.push(s), isTTY, columns: 80 } };
}

test('lines mode prints at most one line per interval, with percent, rate and ETA', () => {
  let t = 0;
  const { chunks, stream } = fakeStream();
  const p = startProgress('encode', {
    total: 100,
    unit: 'docs',
    mode: 'lines',
    stream,
    now: () => t,
    intervalMs: 1000,
  });
  t = 500;
  p.advance(10); // first line (nothing drawn yet)
  t = 700;
  p.advance(10); // within the interval: no line
  t = 2000;
  p.advance(30);
  p.done('ok');
  assert.equal(chunks.length, 3);
  assert.match(chunks[0]!, /^encode: 10% 10\/100 docs {2}20 docs\/s {2}ETA 4\.5s\n$/);
  assert.match(chunks[1]!, /^encode: 50% 50\/100 docs/);
  assert.match(chunks[2]!, /^encode: 50 docs in 2\.0s \(25 docs\/s\); ok\n$/);
});

test('bar mode redraws one line; silent mode prints nothing; done is idempotent', () => {
  let t = 0;
  const { chunks, stream } = fakeStream(true);
  const p = startProgress('tok', { total: 4, mode: 'bar', stream, now: () => (t += 200) });
  p.update(2);
  p.done();
  p.done();
  assert.ok(chunks[0]!.startsWith('\r\x1b[2Ktok [############------------] 50%'));
  assert.equal(chunks.length, 2);
  const silent = fakeStream();
  const q = startProgress('x', { mode: 'silent', stream: silent.stream });
  q.advance(5);
  q.done();
  assert.deepEqual(silent.chunks, []);
});

test('auto mode: a bar on a terminal, lines in CI or a pipe; durations format', () => {
  assert.equal(resolveMode('auto', { write: () => 0, isTTY: true }, {}), 'bar');
  assert.equal(resolveMode('auto', { write: () => 0, isTTY: true }, { CI: 'true' }), 'lines');
  assert.equal(resolveMode('auto', { write: () => 0 }, {}), 'lines');
  assert.equal(formatDuration(12.34), '12.3s');
  assert.equal(formatDuration(125), '2m05s');
});

test('unknown totals show counts and rates only; scale divides counts', () => {
  let t = 0;
  const { chunks, stream } = fakeStream();
  const p = startProgress('read', {
    unit: 'MB',
    scale: 1e6,
    mode: 'lines',
    stream,
    now: () => (t += 1000),
    intervalMs: 0,
  });
  p.advance(2_500_000);
  assert.match(chunks[0]!, /^read: 2\.50 MB {2}1\.25 MB\/s\n$/);
});
