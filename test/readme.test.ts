/**
 * The README's examples, run: every command of each ```sh test block, in order, in a fresh
 * directory, with `slurry` meaning this checkout's CLI. Each must exit 0. The quick start
 * must be the two documented commands.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

/** Commands of every code block whose info string is `sh test`, comments stripped. */
function exampleCommands(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh test\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

test('the quick start is the two documented commands', () => {
  const quick = /## Quick start\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const commands = quick
    .split('\n')
    .map((l) => l.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
  assert.deepEqual(commands, ['npm install && npm start', 'npm install && npm test']);
});

test("the README's examples run", () => {
  const commands = exampleCommands(readme);
  assert.ok(commands.length >= 8, `found ${commands.length} example commands`);
  const dir = mkdtempSync(join(tmpdir(), 'slurry-readme-'));
  try {
    for (const command of commands) {
      assert.match(command, /^slurry /, `README examples start with slurry: ${command}`);
      const r = spawnSync('bash', ['-c', `slurry() { "${process.execPath}" "${cli}" "$@"; }; ${command}`], {
        cwd: dir,
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, `${command}\n${r.stderr.slice(-2000)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
