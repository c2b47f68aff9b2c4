/**
 * The runs list: for every run under ROOT its kind, status, a config summary, tokens and
 * last loss, read cheaply (config.json, the last 64 KiB of metrics.jsonl, probes.lock,
 * summary.json) so a sweep of many long runs lists fast.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runPaths } from '../run/layout.js';
import { readText } from './run-state.js';
import { liveLockPid, runStatus } from './status.js';
import type { RunListEntry } from './wire.js';

const TAIL_BYTES = 64 * 1024;

/** The last whole JSON line of a file that parses, read from its end. */
function lastRecord(file: string, accept: (v: Record<string, unknown>) => boolean): Record<string, unknown> | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const len = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const lines = buf.toString('utf8').split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const v = JSON.parse(lines[i]);
        if (v && typeof v === 'object' && accept(v)) return v;
      } catch {
        continue;
      }
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

function parseJson(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  const v = JSON.parse(text);
  return v && typeof v === 'object' ? v : null;
}

function configSummary(c: Record<string, unknown> | null): Record<string, string | number> {
  if (!c) return {};
  const out: Record<string, string | number> = {};
  const model = c.model as Record<string, unknown> | undefined;
  const data = c.data as { schedule?: { kind?: string } } | undefined;
  if (typeof c.preset === 'string') out.preset = c.preset;
  if (model && typeof model.n_layer === 'number') out.model = `${model.n_layer}L ${model.n_head}H ${model.n_embd}d`;
  if (data?.schedule?.kind) out.schedule = data.schedule.kind;
  for (const k of ['op', 'p', 'train_frac', 'weight_decay', 'seed', 'steps', 'tokens']) {
    const v = c[k];
    if (typeof v === 'number' || typeof v === 'string') out[k] = v;
  }
  return out;
}

function countLines(file: string): number {
  const text = readText(file);
  if (!text) return 0;
  const steps = new Set<number>();
  for (const m of text.matchAll(/"step":\s*(\d+)/g)) steps.add(Number(m[1]));
  return steps.size;
}

export function listEntry(root: string, rel: string, now = Date.now()): RunListEntry {
  const dir = join(root, rel);
  const p = runPaths(dir);
  const entry: RunListEntry = {
    run: rel,
    kind: 'train',
    status: 'empty',
    status_reason: '',
    config: {},
    step: null,
    tokens: null,
    loss: null,
    checkpoints: 0,
    probed_steps: 0,
    updated_ms: 0,
  };
  let config: Record<string, unknown> | null = null;
  try {
    config = parseJson(readText(p.config));
  } catch (err) {
    entry.error = `config.json: ${(err as Error).message}`;
  }
  entry.config = configSummary(config);
  const last = lastRecord(p.metrics, (v) => v.type === 'train' || v.type === 'grok_train');
  if (last) {
    entry.kind = last.type === 'grok_train' ? 'grok' : 'train';
    entry.step = typeof last.step === 'number' ? last.step : null;
    entry.tokens = typeof last.tokens === 'number' ? last.tokens : null;
    const loss = entry.kind === 'grok' ? last.train_loss : last.loss;
    entry.loss = typeof loss === 'number' ? loss : null;
  }
  let mtime: number | null = null;
  try {
    mtime = statSync(p.metrics).mtimeMs;
  } catch {
    mtime = null;
  }
  entry.updated_ms = mtime ?? 0;
  try {
    const index = parseJson(readText(p.checkpointIndex));
    entry.checkpoints = Array.isArray(index?.checkpoints) ? index.checkpoints.length : 0;
  } catch (err) {
    entry.error ??= `checkpoints/index.json: ${(err as Error).message}`;
  }
  entry.probed_steps = countLines(p.probes);
  const s = runStatus({
    kind: entry.kind,
    lastStep: entry.step,
    budget: typeof config?.steps === 'number' ? config.steps : null,
    summaryWritten: readText(join(dir, 'summary.json')) !== null,
    metricsMtimeMs: mtime,
    probingPid: liveLockPid(readText(p.probesLock)),
    now,
  });
  entry.status = s.status;
  entry.status_reason = s.reason;
  return entry;
}
