import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const cli = new URL('../src/cli/main.js', import.meta.url).pathname;

test('slurry --help lists the commands', () => {
  const r = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0);
  assert.match(r.stdout, /doctor/);
});

test('slurry doctor prints backend, isa and threads', () => {
  const r = spawnSync(process.execPath, [cli, 'doctor', '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.ok(['native', 'reference'].includes(info.name));
  assert.ok(info.threads >= 1);
  assert.equal(typeof info.isa, 'string');
  assert.equal(info.autoPrecision, info.bf16 ? 'bf16' : 'fp32');
  const forced = spawnSync(process.execPath, [cli, 'doctor', '--json'], {
    encoding: 'utf8',
    env: { ...process.env, SLURRY_BACKEND: 'reference' },
  });
  assert.equal(JSON.parse(forced.stdout).autoPrecision, 'fp32', 'the reference backend has no bf16');
});

test('an unknown command exits non-zero', () => {
  const r = spawnSync(process.execPath, [cli, 'no-such-command'], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
});
