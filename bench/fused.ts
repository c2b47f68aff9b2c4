/**
 * The fused native kernels that matter most for training speed, timed on the shapes of the
 * benchmark presets: causal attention forward and backward (packed qkv [B, T, 3C]) and
 * softmax cross-entropy forward + backward at V = 4096. Side by side with PyTorch doing the
 * same work the way torch_gpt.py does it (matmul attention with a masked softmax;
 * F.cross_entropy), where Debian's python3-torch is installed, and with the TypeScript
 * reference (one call: it is slow). Times are medians of several calls, in milliseconds.
 *
 * Run alone: `node dist/bench/fused.js [--rounds N]`; or `npm run bench -- fused`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Kernels } from '../src/engine/kernels.js';
import { loadNativeKernels, type NativeAddon } from '../src/engine/native/load.js';
import { referenceKernels } from '../src/engine/reference/kernels.js';
import { median, torchAvailable, TORCH_PYTHON } from './util.js';

interface AttnConfig {
  name: string;
  B: number;
  T: number;
  C: number;
  H: number;
}

/** The attention shapes of the training presets (A, B, C, grok). */
export const ATTENTION_CONFIGS: AttnConfig[] = [
  { name: 'A', B: 32, T: 128, C: 128, H: 4 },
  { name: 'B', B: 16, T: 256, C: 384, H: 6 },
  { name: 'C', B: 64, T: 64, C: 128, H: 4 },
  { name: 'grok', B: 512, T: 4, C: 128, H: 4 },
];

/** Cross-entropy shapes: preset B's logits (4096 tokens x V = 4096), and preset A's. */
export const CE_CONFIGS = [
  { name: 'B', N: 4096, V: 4096 },
  { name: 'A', N: 4096, V: 256 },
];

const TORCH_SCRIPT = String.raw`
import sys, time, statistics, os
threads, reps = int(sys.argv[1]), int(sys.argv[2])
os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
import torch, torch.nn.functional as F
torch.set_num_threads(threads)
torch.manual_seed(0)
def timed(fn, before=lambda: None):
    ts = []
    for r in range(reps + 2):  # two warm-up calls
        before()
        t0 = time.perf_counter(); fn(); t1 = time.perf_counter()
        if r >= 2: ts.append((t1 - t0) * 1000)
    return statistics.median(ts)
for spec in sys.argv[3:]:
    kind, *dims = spec.split(":")
    dims = [int(x) for x in dims]
    if kind == "attn":
        B, T, C, H = dims
        hd = C // H
        mask = torch.ones(T, T, dtype=torch.bool).tril().view(1, 1, T, T)
        qkv = torch.randn(B, T, 3 * C, requires_grad=True)
        def fwd():
            q, k, v = qkv.split(C, dim=2)
            q = q.view(B, T, H, hd).transpose(1, 2); k = k.view(B, T, H, hd).transpose(1, 2); v = v.view(B, T, H, hd).transpose(1, 2)
            att = (q @ k.transpose(-2, -1)) * (hd ** -0.5)
            att = F.softmax(att.masked_fill(~mask, float("-inf")), dim=-1)
            return (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        dy = torch.randn(B, T, C)
        f = timed(lambda: fwd())
        state = {}
        def forward_untimed():
            qkv.grad = None
            state["y"] = fwd()
        b = timed(lambda: state["y"].backward(dy), forward_untimed)
        print(f"{spec} {f:.4f} {b:.4f}")
    else:
        N, V = dims
        logits = torch.randn(N, V, requires_grad=True)
        tgt = torch.randint(0, V, (N,))
        def fb():
            logits.grad = None
            F.cross_entropy(logits, tgt).backward()
        print(f"{spec} {timed(fb):.4f} 0")
`;

/** PyTorch times (ms) per spec: [forward, backward] (cross-entropy: [forward+backward, 0]). */
function torchTimes(specs: string[], threads: number, reps: number): Map<string, [number, number]> | null {
  if (!torchAvailable()) return null;
  const r = spawnSync(TORCH_PYTHON, ['-c', TORCH_SCRIPT, String(threads), String(reps), ...specs], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`torch fused-kernel timing failed: ${r.stderr.slice(-800)}`);
  const out = new Map<string, [number, number]>();
  for (const line of r.stdout.trim().split('\n')) {
    const [spec, a, b] = line.split(' ');
    out.set(spec, [Number(a), Number(b)]);
  }
  return out;
}

/** Median ms of `reps` calls of fn after one warm-up call. */
function timeMs(fn: () => void, reps: number): number {
  fn();
  const ts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

function filled(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    a[i] = x / 2 ** 32 - 0.5;
  }
  return a;
}

/** Attention forward and backward closures over fresh buffers for one config. */
function attentionCalls(k: Kernels, c: AttnConfig) {
  const { B, T, C, H } = c;
  const qkv = filled(B * T * 3 * C, 1),
    dout = filled(B * T * C, 2);
  const out = new Float32Array(B * T * C),
    att = new Float32Array(B * H * T * T),
    dqkv = new Float32Array(B * T * 3 * C);
  const fwd = () => k.attentionForward(out, att, qkv, B, T, C, H);
  fwd();
  return { fwd, bwd: () => k.attentionBackward(dqkv, dout, qkv, att, B, T, C, H) };
}

function crossEntropyCall(k: Kernels, N: number, V: number) {
  const logits = filled(N * V, 3);
  const targets = Int32Array.from({ length: N }, (_, i) => (i * 7919) % V);
  const losses = new Float32Array(N),
    lse = new Float32Array(N),
    dlogits = new Float32Array(N * V);
  const dlosses = new Float32Array(N).fill(1 / N);
  return () => {
    k.crossEntropyForward(losses, lse, logits, targets, N, V, -1);
    k.crossEntropyBackward(dlogits, logits, lse, targets, dlosses, N, V, -1);
  };
}

const fmt = (x: number | undefined) =>
  x === undefined || !Number.isFinite(x) ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1);

export function benchFused(opts: { rounds?: number; reps?: number; reference?: boolean } = {}): void {
  const rounds = opts.rounds ?? 3;
  const reps = opts.reps ?? 5;
  console.log('\n## Fused kernels (ms per call, median; lower is better)');
  const load = loadNativeKernels();
  if (!load.ok) {
    console.log(`native kernels skipped: ${load.reason}`);
    return;
  }
  const addon: NativeAddon = load.kernels;
  const threads0 = addon.info().threads;
  const specs = [
    ...ATTENTION_CONFIGS.map((c) => `attn:${c.B}:${c.T}:${c.C}:${c.H}`),
    ...CE_CONFIGS.map((c) => `ce:${c.N}:${c.V}`),
  ];
  // rounds alternate slurry (1 and 2 threads) and torch (2 threads); medians over rounds
  const ours = new Map<string, number[][]>(); // key -> [1-thread samples, 2-thread samples]
  const theirs = new Map<string, number[]>();
  const note = (m: Map<string, number[][]>, key: string, t: number, v: number) => {
    if (!m.has(key)) m.set(key, [[], []]);
    m.get(key)![t - 1].push(v);
  };
  let torch = torchAvailable();
  if (!torch)
    console.log(
      `PyTorch comparison skipped: ${TORCH_PYTHON} cannot import torch (apt-get install python3-torch python3-numpy libopenblas0-pthread)`,
    );
  for (let r = 0; r < rounds; r++) {
    for (const t of [1, 2]) {
      addon.setThreads(t);
      for (const c of ATTENTION_CONFIGS) {
        const { fwd, bwd } = attentionCalls(addon, c);
        note(ours, `attn-fwd:${c.name}`, t, timeMs(fwd, reps));
        note(ours, `attn-bwd:${c.name}`, t, timeMs(bwd, reps));
      }
      for (const c of CE_CONFIGS) note(ours, `ce:${c.name}`, t, timeMs(crossEntropyCall(addon, c.N, c.V), reps));
    }
    if (torch) {
      const tt = torchTimes(specs, 2, reps);
      if (!tt) torch = false;
      else {
        ATTENTION_CONFIGS.forEach((c, i) => {
          const [f, b] = tt.get(specs[i])!;
          theirs.set(`attn-fwd:${c.name}`, [...(theirs.get(`attn-fwd:${c.name}`) ?? []), f]);
          theirs.set(`attn-bwd:${c.name}`, [...(theirs.get(`attn-bwd:${c.name}`) ?? []), b]);
        });
        CE_CONFIGS.forEach((c, i) =>
          theirs.set(`ce:${c.name}`, [
            ...(theirs.get(`ce:${c.name}`) ?? []),
            tt.get(specs[ATTENTION_CONFIGS.length + i])![0],
          ]),
        );
      }
    }
  }
  addon.setThreads(threads0);

  const refTime = (key: string): number | undefined => {
    if (opts.reference === false) return undefined;
    const [kind, name] = key.split(':');
    if (kind === 'ce') {
      const c = CE_CONFIGS.find((x) => x.name === name)!;
      return timeMs(crossEntropyCall(referenceKernels, c.N, c.V), 1);
    }
    const calls = attentionCalls(referenceKernels, ATTENTION_CONFIGS.find((x) => x.name === name)!);
    return timeMs(kind === 'attn-fwd' ? calls.fwd : calls.bwd, 1);
  };

  console.log(
    `slurry: ${rounds} rounds of ${reps} calls each at 1 and 2 threads (isa ${addon.info().isa}); torch: 2 threads, alternated with slurry; reference: TypeScript, one call.`,
  );
  console.log(
    '| kernel | preset shape | slurry 1 thread | slurry 2 threads | torch 2 threads | torch / slurry (2 threads) | TS reference |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [key, [one, two]] of ours) {
    const [kind, name] = key.split(':');
    const shape =
      kind === 'ce'
        ? (({ N, V }) => `N=${N} V=${V}`)(CE_CONFIGS.find((x) => x.name === name)!)
        : (({ B, T, C, H }) => `B=${B} T=${T} C=${C} H=${H}`)(ATTENTION_CONFIGS.find((x) => x.name === name)!);
    const label =
      kind === 'attn-fwd' ? 'attention forward' : kind === 'attn-bwd' ? 'attention backward' : 'cross-entropy fwd+bwd';
    const o2 = median(two);
    const th = theirs.has(key) ? median(theirs.get(key)!) : undefined;
    console.log(
      `| ${label} | ${name}: ${shape} | ${fmt(median(one))} | ${fmt(o2)} | ${fmt(th)} | ${th === undefined ? '-' : (th / o2).toFixed(2) + 'x'} | ${fmt(refTime(key))} |`,
    );
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--rounds');
  benchFused({ rounds: at >= 0 ? Number(args[at + 1]) : 3, reference: !args.includes('--no-reference') });
}
