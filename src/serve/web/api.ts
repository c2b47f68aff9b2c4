/** The server's API as the page sees it: JSON, the binary metric tables, and live events. */
import type { Analysis } from '../../analysis/types.js';
import type { RunMeta as WireMeta } from '../wire.js';

export type { ItemRow, RunListEntry, SuiteItems } from '../wire.js';

/** A run's meta with its analysis typed (the page reads the verdict). */
export type RunMeta = Omit<WireMeta, 'analysis'> & { analysis: Analysis | null };

export async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) {
    let message = `${res.status} ${res.statusText}`;
    try {
      message = ((await res.json()) as { error: string }).error;
    } catch {
      // not JSON: keep the status line
    }
    throw new Error(`${path}: ${message}`);
  }
  return (await res.json()) as T;
}

export const runQuery = (run: string) => `run=${encodeURIComponent(run)}`;

/** A growable table of Float64 columns (the page's copy of one metric table). */
export class Columns {
  n = 0;
  cols = new Map<string, Float64Array>();
  arrays = new Map<string, (number[] | null)[]>();

  col(name: string): Float64Array {
    return (this.cols.get(name) ?? new Float64Array(this.n).fill(NaN)).subarray(0, this.n);
  }

  /** Appends rows [start, start + k) unless already held; false when rows are missing (a gap). */
  append(
    start: number,
    columns: Record<string, (number | null)[]>,
    arrays: Record<string, (number[] | null)[]>,
  ): boolean {
    if (start > this.n) return false;
    const k = Math.max(0, ...Object.values(columns).map((v) => v.length));
    const skip = this.n - start;
    if (k <= skip) return true;
    const total = start + k;
    for (const [name, values] of Object.entries(columns)) {
      let col = this.cols.get(name);
      if (!col || col.length < total) {
        const next = new Float64Array(Math.max(total, (col?.length ?? 0) * 2, 1024)).fill(NaN);
        if (col) next.set(col.subarray(0, this.n));
        this.cols.set(name, (col = next));
      }
      for (let i = skip; i < values.length; i++) col[start + i] = values[i] ?? NaN;
    }
    for (const [name, values] of Object.entries(arrays)) {
      let list = this.arrays.get(name);
      if (!list) this.arrays.set(name, (list = []));
      for (let i = skip; i < values.length; i++) list[start + i] = values[i];
    }
    this.n = total;
    return true;
  }
}

/** Decodes /api/metrics (see src/serve/table.ts for the layout). */
export async function getTables(run: string): Promise<Map<string, Columns>> {
  const res = await fetch(`/api/metrics?${runQuery(run)}`, { cache: 'no-store' });
  if (!res.ok) throw new Error(`metrics of ${run}: ${res.status} ${await res.text()}`);
  const buf = await res.arrayBuffer();
  const headLen = new DataView(buf).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, headLen))) as {
    tables: {
      name: string;
      n: number;
      columns: string[];
      bytes: (4 | 8)[];
      arrays: Record<string, (number[] | null)[]>;
    }[];
  };
  let off = 4 + headLen;
  const out = new Map<string, Columns>();
  for (const t of header.tables) {
    const c = new Columns();
    c.n = t.n;
    for (const [k, name] of t.columns.entries()) {
      const bytes = t.bytes[k] * t.n;
      c.cols.set(
        name,
        t.bytes[k] === 8
          ? new Float64Array(buf.slice(off, off + bytes))
          : Float64Array.from(new Float32Array(buf, off, t.n)),
      );
      off += bytes + ((8 - (bytes % 8)) % 8);
    }
    for (const [name, list] of Object.entries(t.arrays)) c.arrays.set(name, list);
    out.set(t.name, c);
  }
  return out;
}

/** A run kept live: its meta and tables, updated from /api/events; `onChange` after each update. */
export class LiveRun {
  meta: RunMeta | null = null;
  tables = new Map<string, Columns>();
  private source: EventSource | null = null;
  private closed = false;

  private pending = new Set<'rows' | 'meta'>();

  constructor(
    readonly run: string,
    private readonly onChange: (what: 'rows' | 'meta') => void,
  ) {}

  /** Many events between two frames cost one redraw. */
  private changed(what: 'rows' | 'meta'): void {
    if (this.pending.size === 0) {
      requestAnimationFrame(() => {
        const whats = [...this.pending];
        this.pending.clear();
        if (!this.closed) for (const w of whats) this.onChange(w);
      });
    }
    this.pending.add(what);
  }

  async open(): Promise<void> {
    this.source = new EventSource(`/api/events?${runQuery(this.run)}`);
    this.source.addEventListener('meta', (e) => {
      this.meta = JSON.parse((e as MessageEvent).data) as RunMeta;
      this.changed('meta');
    });
    this.source.addEventListener('rows', (e) => {
      const d = JSON.parse((e as MessageEvent).data) as {
        table: string;
        start: number;
        columns: Record<string, (number | null)[]>;
        arrays: Record<string, (number[] | null)[]>;
      };
      let t = this.tables.get(d.table);
      if (!t) this.tables.set(d.table, (t = new Columns()));
      if (!t.append(d.start, d.columns, d.arrays)) void this.reload();
      else this.changed('rows');
    });
    const [meta, tables] = await Promise.all([getJson<RunMeta>(`/api/run?${runQuery(this.run)}`), getTables(this.run)]);
    this.meta ??= meta;
    for (const [name, t] of tables) {
      const held = this.tables.get(name);
      if (!held || held.n <= t.n) this.tables.set(name, t);
    }
  }

  /** Rows were missed (a reconnect): take the whole tables again. */
  private async reload(): Promise<void> {
    if (this.closed) return;
    this.tables = await getTables(this.run);
    this.changed('rows');
  }

  close(): void {
    this.closed = true;
    this.source?.close();
  }
}
