/**
 * Chooses the kernel backend once per process: the native addon when it loads, else the
 * TypeScript reference with a one-line warning. SLURRY_BACKEND=reference|native forces one.
 */
import type { Kernels } from './kernels.js';
import { loadNativeKernels } from './native/load.js';
import { referenceKernels } from './reference/kernels.js';

let active: Kernels | null = null;
let fallbackReason: string | null = null;

export function kernels(): Kernels {
  if (active) return active;
  const wanted = process.env.SLURRY_BACKEND ?? 'auto';
  if (!['auto', 'native', 'reference'].includes(wanted)) {
    throw new Error(`SLURRY_BACKEND=${wanted}: expected one of auto, native, reference`);
  }
  if (wanted === 'reference') {
    active = referenceKernels;
    return active;
  }
  const native = loadNativeKernels();
  if (native.ok) {
    active = native.kernels;
    return active;
  }
  if (wanted === 'native') throw new Error(`SLURRY_BACKEND=native but ${native.reason}`);
  fallbackReason = native.reason;
  process.stderr.write(`slurry: warning: ${native.reason}; using the slow reference backend\n`);
  active = referenceKernels;
  return active;
}

/** Why the native backend is not in use, or null when it is (or was never asked for). */
export function nativeFallbackReason(): string | null {
  return fallbackReason;
}

/** Replace the active backend (tests compare backends in one process). */
export function setKernels(k: Kernels): void {
  active = k;
}
