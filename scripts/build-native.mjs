#!/usr/bin/env node
// Builds slurry's native kernels (native/, binding.gyp) with node-gyp at install time.
// A failed build never fails the install: slurry then runs on the TypeScript reference
// backend and `slurry doctor` says why. SLURRY_SKIP_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.env.SLURRY_SKIP_NATIVE === '1') {
  console.log('slurry: SLURRY_SKIP_NATIVE=1, native kernels not built (reference backend)');
  process.exit(0);
}
if (!existsSync(join(root, 'binding.gyp'))) process.exit(0);

// npm tells scripts where its bundled node-gyp lives; fall back to one on PATH.
const gyp = process.env.npm_config_node_gyp;
const [cmd, args] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []];
// Build against the headers that ship with this Node when they are installed locally,
// so no download is attempted on machines without internet.
const localHeaders = join(dirname(process.execPath), '..');
const nodedir = existsSync(join(localHeaders, 'include', 'node', 'node_api.h')) ? [`--nodedir=${localHeaders}`] : [];
const jobs = ['--jobs', 'max'];
const result = spawnSync(cmd, [...args, 'rebuild', ...nodedir, ...jobs], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.warn(
    'slurry: WARNING native kernels failed to build; falling back to the (slow) reference backend. Run `npx slurry doctor` for details.',
  );
}
