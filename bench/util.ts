/** Small helpers shared by the benchmarks. */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';

/** Debian's interpreter, where python3-torch is installed (override: SLURRY_TORCH_PYTHON). */
export const TORCH_PYTHON = process.env.SLURRY_TORCH_PYTHON ?? '/usr/bin/python3';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

let torchChecked: boolean | null = null;
export function torchAvailable(): boolean {
  if (torchChecked === null) {
    const r = spawnSync(TORCH_PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
    torchChecked = r.status === 0;
  }
  return torchChecked;
}

/** The machine's load averages (1, 5, 15 min), printed beside every figure: the machine is shared. */
export const loadLine = (): string =>
  `load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')}`;
