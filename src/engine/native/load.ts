/**
 * Loads the native C++ kernels (built by node-gyp into build/Release/slurry_native.node at
 * install time). Returns the reason when the addon is missing or fails to load, so the
 * caller can fall back to the reference backend with a one-line warning.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kernels } from '../kernels.js';

/** The package root, found from this file whether it runs from src/ or dist/src/. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('slurry: cannot find the package root (package.json)');
    dir = up;
  }
  return dir;
}

export const NATIVE_ADDON_PATH = join(packageRoot(), 'build', 'Release', 'slurry_native.node');

export type NativeLoad = { ok: true; kernels: Kernels } | { ok: false; reason: string };

export function loadNativeKernels(): NativeLoad {
  if (!existsSync(NATIVE_ADDON_PATH)) {
    return { ok: false, reason: `native addon not built (${NATIVE_ADDON_PATH} is missing; run \`npm rebuild slurry\` or \`npm install\`)` };
  }
  try {
    const require = createRequire(import.meta.url);
    const addon = require(NATIVE_ADDON_PATH) as Kernels;
    return { ok: true, kernels: addon };
  } catch (err) {
    return { ok: false, reason: `native addon failed to load: ${(err as Error).message}` };
  }
}
