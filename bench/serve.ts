/**
 * `slurry serve` benchmarks (headless Chromium via test/support/headless-chromium.ts):
 *  - open: a run with 100k metric records, from navigation to the first chart drawn (the
 *    page's performance mark) and to every chart of the curves view drawn (cold: a server
 *    just started, still reading metrics.jsonl in the background; warm: it has it parsed);
 *  - live: from a record appended to metrics.jsonl to the page having drawn it;
 *  - fan-out: a real `slurry train` alone, then with a server (own process) feeding 50 SSE
 *    clients; training tokens/s side by side, and the server's CPU share and peak memory.
 * Targets (issue 16): open <= 1 s, live <= 1 s, server < 10% of a core, training slows < 5%.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIRST_CHART } from '../src/serve/series.js';
import { writeSyntheticRun } from '../test/fixtures/synthetic-run.js';
import { findChromium, withChromium } from '../test/support/headless-chromium.js';
import { miniCorpus } from '../test/train/support/mini-corpus.js';
import { median } from './util.js';

const cli = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
type InPage = { document: { getElementById(id: string): { dataset: Record<string, string> } | null } };

export async function benchServe(): Promise<void> {
  console.log('\n## serve');
  const chromium = await findChromium();
  if (!chromium) {
    console.log('skipped: no Chromium (see test/support/headless-chromium.ts)');
    return;
  }
  console.log(`browser: ${chromium.source}`);
  const root = mkdtempSync(join(tmpdir(), 'slurry-bench-serve-'));
  try {
    await openAndLive(root);
    await fanOut(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function openAndLive(root: string): Promise<void> {
  const N = 100_000;
  writeSyntheticRun(join(root, 'big'), {
    seed: 1,
    totalSteps: N,
    tokensPerStep: 4096,
    logUntil: 1024,
    every: 8192,
    suites: [{ suite: 'syntax', items: 50, midpoint: 7, width: 1, chanceD: 0.5 }],
  });
  const metrics = join(root, 'big', 'metrics.jsonl');
  const rows = readFileSync(metrics, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"train"')).length;
  console.log(`run: ${rows} train records, ${(readFileSync(metrics).length / 1e6).toFixed(1)} MB metrics.jsonl`);
  const cold: number[] = [];
  const warm: number[] = [];
  const coldFirst: number[] = [];
  const warmFirst: number[] = [];
  const live: number[] = [];
  await withChromium(async (ctx) => {
    for (let rep = 0; rep < 3; rep++) {
      // Its own process, as a user runs it (and so the browser's driver here is never starved).
      const { server, url } = await serveProcess(root);
      try {
        for (const [into, first] of [
          [cold, coldFirst],
          [warm, warmFirst],
        ]) {
          const page = await ctx.newPage();
          await page.setViewportSize({ width: 1300, height: 900 });
          const t0 = performance.now();
          await page.goto(`${url}?view=curves&run=big`, { waitUntil: 'commit', timeout: 120_000 });
          await page.waitForFunction(
            (n) => Number((globalThis as unknown as InPage).document.getElementById('app')?.dataset.rows ?? 0) >= n,
            rows,
            { timeout: 120_000, polling: 'raf' },
          );
          into.push(performance.now() - t0);
          // The page's own mark, from its navigation start (the first chart with points drawn).
          first.push(
            await page.evaluate(
              (mark) =>
                (
                  globalThis as unknown as { performance: { getEntriesByName(n: string): { startTime: number }[] } }
                ).performance.getEntriesByName(mark)[0]?.startTime ?? NaN,
              FIRST_CHART,
            ),
          );
          if (into === warm && rep === 0) {
            // Live latency: append one record, time until the page has drawn it.
            let n = rows;
            for (let k = 0; k < 10; k++) {
              n++;
              const rec = {
                type: 'train',
                step: N + k + 1,
                tokens: (N + k + 1) * 4096,
                loss: 3,
                loss_by_source: {},
                lr: 1e-3,
                grad_norm: 1,
                tokens_per_s: 1,
                weights: {},
                time: 0,
              };
              const t1 = performance.now();
              appendFileSync(metrics, JSON.stringify(rec) + '\n');
              await page.waitForFunction(
                (m) => Number((globalThis as unknown as InPage).document.getElementById('app')?.dataset.rows ?? 0) >= m,
                n,
                { timeout: 30_000, polling: 'raf' },
              );
              live.push(performance.now() - t1);
              await new Promise((r) => setTimeout(r, 300));
            }
          }
          await page.close();
        }
      } finally {
        server.kill('SIGTERM');
      }
    }
  });
  const f = (xs: number[]) => `median ${median(xs).toFixed(0)} ms (runs: ${xs.map((x) => x.toFixed(0)).join(', ')})`;
  console.log(`open 100k records to first chart (in-page mark), cold server: ${f(coldFirst)}   target <= 1000 ms`);
  console.log(`open 100k records to first chart (in-page mark), warm server: ${f(warmFirst)}   target <= 1000 ms`);
  console.log(`open 100k records to every chart drawn, cold server:         ${f(cold)}`);
  console.log(`open 100k records to every chart drawn, warm server:         ${f(warm)}`);
  console.log(
    `live update latency (append -> drawn), 10 records: median ${median(live).toFixed(0)} ms, ` +
      `max ${Math.max(...live).toFixed(0)} ms   target <= 1000 ms`,
  );
}

/** `slurry serve ROOT --port 0` in a child process, and the URL it printed. */
async function serveProcess(root: string): Promise<{ server: ChildProcess; url: string }> {
  const server = spawn(process.execPath, [cli, 'serve', root, '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d) => {
      out += d;
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    server.on('close', () => reject(new Error(`slurry serve exited: ${out}`)));
  });
  return { server, url };
}

function procStat(pid: number): { cpuS: number; hwmMB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuS: ticks / 100, hwmMB: hwm ? Number(hwm[1]) / 1024 : NaN };
}

function trainRun(root: string, name: string, corpus: string): { child: ChildProcess; done: Promise<number> } {
  const config = join(root, `${name}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      corpus,
      seed: 3,
      model: { n_layer: 2, n_head: 2, n_embd: 64 },
      batch_size: 8,
      context: 64,
      steps: 400,
      checkpoints: { log_until: 64, every: 100 },
      eval: { every: 100, batches: 1 },
    }),
  );
  const child = spawn(process.execPath, [cli, 'train', config, '--out', join(root, 'fan', name)], {
    stdio: 'ignore',
    env: { ...process.env, SLURRY_THREADS: '1' },
  });
  const done = new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
  return { child, done };
}

/** Training tokens/s of a finished run: tokens of the last record over its wall time. */
function tokensPerSecond(run: string): number {
  const recs = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .filter((r) => r.type === 'train');
  return median(recs.map((r: { tokens_per_s: number }) => r.tokens_per_s));
}

async function fanOut(root: string): Promise<void> {
  const corpus = await miniCorpus();
  mkdirSync(join(root, 'fan'), { recursive: true });
  const alone: number[] = [];
  const watched: number[] = [];
  const cpu: number[] = [];
  const mem: number[] = [];
  for (let rep = 0; rep < 2; rep++) {
    const a = trainRun(root, `alone-${rep}`, corpus);
    await a.done;
    alone.push(tokensPerSecond(join(root, 'fan', `alone-${rep}`)));

    const { server, url } = await serveProcess(join(root, 'fan'));
    const name = `watched-${rep}`;
    const t = trainRun(root, name, corpus);
    // The clients connect once the run directory exists, and read every event.
    const runDir = join(root, 'fan', name);
    for (let i = 0; i < 300; i++) {
      try {
        readFileSync(join(runDir, 'metrics.jsonl'));
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const aborts = new AbortController();
    let bytes = 0;
    const clients = Array.from({ length: 50 }, async () => {
      try {
        const res = await fetch(`${url}api/events?run=${encodeURIComponent(name)}`, { signal: aborts.signal });
        for await (const chunk of res.body!) bytes += (chunk as Uint8Array).length;
      } catch {
        // aborted at the end
      }
    });
    const s0 = procStat(server.pid!);
    const w0 = performance.now();
    await t.done;
    const s1 = procStat(server.pid!);
    const wall = (performance.now() - w0) / 1000;
    aborts.abort();
    await Promise.all(clients);
    server.kill('SIGTERM');
    watched.push(tokensPerSecond(runDir));
    cpu.push((s1.cpuS - s0.cpuS) / wall);
    mem.push(s1.hwmMB);
    console.log(
      `fan-out run ${rep + 1}: ${(bytes / 1e6).toFixed(1)} MB of events to 50 clients over ${wall.toFixed(1)} s`,
    );
  }
  const a = median(alone);
  const w = median(watched);
  console.log(
    `training tokens/s alone: ${alone.map((x) => x.toFixed(0)).join(', ')}; ` +
      `with 50 SSE clients: ${watched.map((x) => x.toFixed(0)).join(', ')}; ` +
      `change ${(((w - a) / a) * 100).toFixed(1)}%   target > -5%`,
  );
  console.log(
    `server CPU with 50 clients: ${cpu.map((c) => (c * 100).toFixed(1) + '%').join(', ')} of one core   target < 10%`,
  );
  console.log(`server peak RSS: ${mem.map((m) => m.toFixed(0)).join(', ')} MB`);
}
