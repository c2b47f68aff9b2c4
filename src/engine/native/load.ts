/**
 * Loads the native C++ kernels (built by node-gyp into build/Release/slurry_native.node at
 * install time). Returns the reason when the addon is missing or fails to load, so the
 * caller can fall back to the reference backend with a one-line warning.
 *
 * The addon's exports are the `Kernels` functions themselves (same names, same argument
 * order; Float32Array only, checked in C++), plus a few controls for tests and benchmarks.
 * At load it picks the best instruction set the CPU supports (SLURRY_ISA=avx512|avx2|portable
 * forces one) and starts a pool of SLURRY_THREADS threads (default: the usable CPUs).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kernels } from '../kernels.js';

/** Instruction-set paths of the native GEMM and fused kernels, best first. */
export type NativeIsa = 'avx512' | 'avx2' | 'portable';

/** The native addon has every kernel, the bf16 ones included (they throw where bf16 is unavailable). */
export interface NativeAddon extends Required<Kernels> {
  setThreads(n: number): void;
  /** Switches every kernel to another instruction-set path; throws if the CPU lacks it. */
  setIsa(isa: NativeIsa): void;
  /** The paths this CPU can run, best first. */
  supportedIsas(): NativeIsa[];
  /** FMA throughput of the active path on all pool threads at once (GFLOP/s), measured by
   * `iters` rounds of independent FMA chains per thread. */
  fmaPeak(iters: number): number;
  /** VDPBF16PS throughput on all pool threads at once (GFLOP/s); throws where bf16 is unavailable. */
  bf16Peak(iters: number): number;
}

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

export type NativeLoad = { ok: true; kernels: NativeAddon } | { ok: false; reason: string };

let loaded: NativeLoad | null = null;

export function loadNativeKernels(): NativeLoad {
  if (loaded) return loaded;
  if (!existsSync(NATIVE_ADDON_PATH)) {
    loaded = {
      ok: false,
      reason: `native addon not built (${NATIVE_ADDON_PATH} is missing; run \`npm rebuild slurry\` or \`npm install\`)`,
    };
    return loaded;
  }
  try {
    const require = createRequire(import.meta.url);
    loaded = { ok: true, kernels: require(NATIVE_ADDON_PATH) as NativeAddon };
  } catch (err) {
    loaded = { ok: false, reason: `native addon failed to load: ${(err as Error).message}` };
  }
  return loaded;
}
