/**
 * A per-op profile of a training step: wraps every kernel of a backend with a timer, so a
 * step's wall time splits into its kernels (GEMMs by transpose pattern: NN the forward
 * products, NT the input gradients, TN the weight gradients) and the rest (JavaScript, buffer
 * zeroing, allocation).
 */
import type { Kernels } from '../engine/kernels.js';

export interface OpStat {
  op: string;
  ms: number;
  /** CPU time of the whole process during the op (all threads): robust to a busy machine. */
  cpuMs: number;
  calls: number;
  /** Floating-point operations of the GEMMs (2 M N K per call); 0 for other kernels. */
  flops: number;
}

export interface KernelProfiler {
  /** The backend's kernels, each timed. */
  kernels: Kernels;
  /** Time per op since the last reset, largest first. */
  stats(): OpStat[];
  reset(): void;
}

const GEMMS = new Set(['gemm', 'gemmBf16']);

export function profileKernels(k: Kernels): KernelProfiler {
  const stats = new Map<string, OpStat>();
  const record = (op: string, ms: number, cpuMs: number, flops: number) => {
    let s = stats.get(op);
    if (!s) stats.set(op, (s = { op, ms: 0, cpuMs: 0, calls: 0, flops: 0 }));
    s.ms += ms;
    s.cpuMs += cpuMs;
    s.calls += 1;
    s.flops += flops;
  };
  const wrapped: Record<string, unknown> = {};
  for (const name of Object.keys(k) as (keyof Kernels)[]) {
    const fn = k[name];
    if (typeof fn !== 'function') continue;
    const call = (fn as (...a: unknown[]) => unknown).bind(k);
    wrapped[name] = (...args: unknown[]) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = call(...args);
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      const cpuMs = (c.user + c.system) / 1000;
      if (GEMMS.has(name)) {
        const [ta, tb, M, N, K] = args as [boolean, boolean, number, number, number];
        record(`${name} ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'}`, ms, cpuMs, 2 * M * N * K);
      } else {
        record(name, ms, cpuMs, 0);
      }
      return out;
    };
  }
  return {
    kernels: wrapped as unknown as Kernels,
    stats: () => [...stats.values()].sort((a, b) => b.ms - a.ms),
    reset: () => stats.clear(),
  };
}
