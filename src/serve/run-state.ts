/**
 * What the dashboard knows about one run directory, kept up to date by polling: metric
 * tables (read incrementally from metrics.jsonl), probe summaries, samples, checkpoints,
 * config, analysis and status. Every file is read, never written. A malformed file becomes
 * an entry in `errors` for the page's error panel; nothing here throws for bad run files.
 */
import { interpPoint, type InterpPoint } from './interp-curves.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Analysis } from '../analysis/types.js';
import { summaryParagraphs } from '../report/summary.js';
import { runPaths } from '../run/layout.js';
import type { ProbeRecord, SampleRecord } from '../run/records.js';
import type { RunKind, RunMeta } from './wire.js';
import { JsonlTail } from './tail.js';
import { encodeTables, Table } from './table.js';
import { liveLockPid, runStatus } from './status.js';
import type { RunStatus } from './wire.js';

interface Watched {
  mtimeMs: number;
  size: number;
}

function stamp(file: string): Watched | null {
  try {
    const s = statSync(file);
    return { mtimeMs: s.mtimeMs, size: s.size };
  } catch {
    return null;
  }
}

function sameStamp(a: Watched | null | undefined, b: Watched | null): boolean {
  return (a ?? null) === null ? b === null : b !== null && a!.mtimeMs === b.mtimeMs && a!.size === b.size;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** What changed in one poll. */
export interface RunDelta {
  rows: { table: string; start: number; n: number }[];
  metaChanged: boolean;
  /** metrics.jsonl has more than the poll's byte limit let it read. */
  more: boolean;
}

export class RunState {
  readonly tables = new Map<string, Table>();
  private readonly metrics: JsonlTail;
  private readonly probesTail: JsonlTail;
  private readonly samplesTail: JsonlTail;
  private readonly interpTail: JsonlTail;
  private readonly stamps = new Map<string, Watched | null>();
  private metricErrors: string[] = [];
  private fileErrors = new Map<string, string>();
  private probeRecords = new Map<string, ProbeRecord>();
  private sampleRecords = new Map<number, SampleRecord>();
  private interpPoints = new Map<number, InterpPoint>();
  private config: Record<string, unknown> | null = null;
  private checkpoints: RunMeta['checkpoints'] = [];
  private analysis: unknown = null;
  private verdictText: string[] = [];
  private summary: unknown = null;
  private interp: RunMeta['interp'] = [];
  private lastStatus = '';
  /** The tables as /api/metrics sends them, until they change (many pages opening a run encode it once). */
  private encoded: Buffer | null = null;
  kind: RunKind = 'train';

  constructor(
    readonly dir: string,
    readonly name: string,
  ) {
    const p = runPaths(dir);
    this.metrics = new JsonlTail(p.metrics, 'metrics.jsonl');
    this.probesTail = new JsonlTail(p.probes, 'probes.jsonl');
    this.samplesTail = new JsonlTail(p.samples, 'samples.jsonl');
    this.interpTail = new JsonlTail(p.interp, 'interp.jsonl');
  }

  /** Reads whatever changed on disk since the last poll (of metrics.jsonl, `limit` bytes at most). */
  poll(now = Date.now(), limit = Infinity): RunDelta {
    const before = new Map([...this.tables].map(([k, t]) => [k, t.n]));
    const m = this.metrics.read(limit);
    const delta: RunDelta = { rows: [], metaChanged: false, more: m.more };
    if (m.reset) {
      this.tables.clear();
      this.metricErrors = [];
      before.clear();
    }
    this.metricErrors.push(...m.errors);
    if (m.errors.length) delta.metaChanged = true;
    for (const [i, v] of m.values.entries()) this.addMetric(v, i);
    for (const [name, t] of this.tables) {
      const start = before.get(name) ?? 0;
      if (t.n > start) delta.rows.push({ table: name, start, n: t.n });
    }
    if (m.reset) delta.metaChanged = true;
    if (m.reset || delta.rows.length) this.encoded = null;
    delta.metaChanged = this.readProbes() || delta.metaChanged;
    delta.metaChanged = this.readSamples() || delta.metaChanged;
    delta.metaChanged = this.readInterpPoints() || delta.metaChanged;
    delta.metaChanged = this.readJsonFiles() || delta.metaChanged;
    const status = this.status(now);
    // While training the reason names the step, which changes every poll: rows say that.
    const key = status.status === 'training' ? status.status : status.status + status.reason;
    if (key !== this.lastStatus) {
      this.lastStatus = key;
      delta.metaChanged = true;
    }
    return delta;
  }

  private addMetric(v: unknown, index: number): void {
    if (!isRecord(v) || typeof v.type !== 'string' || typeof v.step !== 'number') {
      if (this.metricErrors.length < 50)
        this.metricErrors.push(`metrics.jsonl: record ${index + 1} of the last read lacks "type" or "step"`);
      return;
    }
    if (v.type.startsWith('grok_')) this.kind = 'grok';
    let t = this.tables.get(v.type);
    if (!t) this.tables.set(v.type, (t = new Table()));
    t.push(v, 'type');
  }

  private readProbes(): boolean {
    const r = this.probesTail.read();
    if (r.reset) this.probeRecords.clear();
    for (const v of r.values) {
      if (
        !isRecord(v) ||
        typeof v.suite !== 'string' ||
        typeof v.step !== 'number' ||
        !Array.isArray(v.items) ||
        !isRecord(v.metrics)
      ) {
        this.fileErrors.set('probes.jsonl', 'probes.jsonl: a record lacks suite, step, metrics or items');
        continue;
      }
      this.probeRecords.set(`${v.suite}@${v.step}`, v as unknown as ProbeRecord);
    }
    for (const e of r.errors) this.fileErrors.set('probes.jsonl', e);
    return r.values.length > 0 || r.errors.length > 0 || r.reset;
  }

  private readSamples(): boolean {
    const r = this.samplesTail.read();
    if (r.reset) this.sampleRecords.clear();
    for (const v of r.values) {
      if (isRecord(v) && typeof v.step === 'number' && Array.isArray(v.samples))
        this.sampleRecords.set(v.step, v as unknown as SampleRecord);
      else this.fileErrors.set('samples.jsonl', 'samples.jsonl: a record lacks step or samples');
    }
    for (const e of r.errors) this.fileErrors.set('samples.jsonl', e);
    return r.values.length > 0 || r.errors.length > 0 || r.reset;
  }

  private readInterpPoints(): boolean {
    const r = this.interpTail.read();
    if (r.reset) this.interpPoints.clear();
    for (const v of r.values) {
      const got = interpPoint(v);
      if ('point' in got) this.interpPoints.set(got.point.step, got.point);
      else this.fileErrors.set('interp.jsonl', `interp.jsonl: ${got.error}`);
    }
    for (const e of r.errors) this.fileErrors.set('interp.jsonl', e);
    return r.values.length > 0 || r.errors.length > 0 || r.reset;
  }

  /** Re-reads a small JSON file when its size or mtime changed; returns whether it did. */
  private readJson(file: string, label: string, apply: (value: unknown) => void): boolean {
    const s = stamp(file);
    if (sameStamp(this.stamps.get(file), s)) return false;
    this.stamps.set(file, s);
    this.fileErrors.delete(label);
    if (s === null) {
      apply(null);
      return true;
    }
    try {
      apply(JSON.parse(readFileSync(file, 'utf8')));
    } catch (err) {
      this.fileErrors.set(label, `${label}: ${(err as Error).message}`);
    }
    return true;
  }

  private readJsonFiles(): boolean {
    const p = runPaths(this.dir);
    let changed = this.readJson(p.config, 'config.json', (v) => {
      this.config = isRecord(v) ? v : null;
    });
    changed =
      this.readJson(p.checkpointIndex, 'checkpoints/index.json', (v) => {
        const list = isRecord(v) && Array.isArray(v.checkpoints) ? v.checkpoints : [];
        this.checkpoints = list.filter(
          (c): c is RunMeta['checkpoints'][number] => isRecord(c) && typeof c.step === 'number',
        );
      }) || changed;
    changed =
      this.readJson(p.analysis, 'analysis.json', (v) => {
        this.analysis = v;
        this.verdictText = [];
        if (v === null) return;
        try {
          this.verdictText = summaryParagraphs(v as Analysis);
        } catch (err) {
          this.fileErrors.set(
            'analysis.json',
            `analysis.json: not the shape \`slurry analyze\` writes (${(err as Error).message})`,
          );
        }
      }) || changed;
    changed = this.readJson(join(this.dir, 'summary.json'), 'summary.json', (v) => (this.summary = v)) || changed;
    changed = this.readInterp() || changed;
    return changed;
  }

  private readInterp(): boolean {
    const dir = join(this.dir, 'interp');
    const s = stamp(dir);
    if (sameStamp(this.stamps.get(dir), s)) return false;
    this.stamps.set(dir, s);
    this.interp = [];
    if (s === null) return true;
    let names: string[] = [];
    try {
      names = readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .sort();
    } catch {
      names = [];
    }
    for (const n of names) {
      this.readJson(
        join(dir, n),
        `interp/${n}`,
        (v) => v !== null && this.interp.push({ name: n.replace(/\.json$/, ''), value: v }),
      );
    }
    return true;
  }

  status(now = Date.now()): { status: RunStatus; reason: string } {
    const main = this.tables.get(this.kind === 'grok' ? 'grok_train' : 'train');
    return runStatus({
      kind: this.kind,
      lastStep: main && main.n > 0 ? main.columns.get('step')![main.n - 1] : null,
      budget: isRecord(this.config) && typeof this.config.steps === 'number' ? this.config.steps : null,
      summaryWritten: this.summary !== null,
      metricsMtimeMs: stamp(runPaths(this.dir).metrics)?.mtimeMs ?? null,
      probingPid: liveLockPid(readText(runPaths(this.dir).probesLock)),
      now,
    });
  }

  /** The metric tables in /api/metrics's binary form (see table.ts). */
  metricsBody(): Buffer {
    this.encoded ??= encodeTables(this.tables);
    return this.encoded;
  }

  /** The probe records at one checkpoint (with their items). */
  probesAt(step: number): ProbeRecord[] {
    return [...this.probeRecords.values()]
      .filter((r) => r.step === step)
      .sort((a, b) => a.suite.localeCompare(b.suite));
  }

  meta(now = Date.now()): RunMeta {
    const { status, reason } = this.status(now);
    const errors = [...this.metricErrors.slice(0, 20), ...this.fileErrors.values()];
    if (status !== 'training') {
      const torn = this.metrics.tornTail();
      if (torn) errors.push(torn);
    }
    const main = this.tables.get(this.kind === 'grok' ? 'grok_train' : 'train');
    const at = (name: string) => (main && main.n ? (main.columns.get(name)?.[main.n - 1] ?? NaN) : NaN);
    const lossName = this.kind === 'grok' ? 'train_loss' : 'loss';
    const probes = [...this.probeRecords.values()]
      .map(({ items, ...rest }) => ({ ...rest, n: items.length }))
      .sort((a, b) => a.step - b.step || a.suite.localeCompare(b.suite));
    return {
      run: this.name,
      kind: this.kind,
      status,
      status_reason: reason,
      config: this.config,
      checkpoints: this.checkpoints,
      probes,
      samples: [...this.sampleRecords.values()].sort((a, b) => a.step - b.step),
      analysis: this.analysis,
      verdict_text: this.verdictText,
      summary: this.summary,
      interp: this.interp,
      interp_points: [...this.interpPoints.values()].sort((a, b) => a.step - b.step),
      errors,
      tables: Object.fromEntries([...this.tables].map(([k, t]) => [k, t.n])),
      last:
        main && main.n
          ? { step: at('step'), tokens: at('tokens'), loss: Number.isFinite(at(lossName)) ? at(lossName) : null }
          : null,
      updated_ms: stamp(runPaths(this.dir).metrics)?.mtimeMs ?? 0,
    };
  }
}

export function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
