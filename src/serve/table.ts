/**
 * Metric records as columns: every numeric field of a record (nested objects flattened with
 * '/', e.g. `loss_by_source/books`) becomes a Float64 column, missing values NaN, so a
 * 100k-step log is a few flat arrays the page draws from directly. Arrays (a grokking
 * spectrum) are kept per row beside the columns. A writer that adds a field adds a column.
 */

export class Table {
  n = 0;
  private cap = 1024;
  readonly columns = new Map<string, Float64Array>();
  /** Array-valued fields, per row (only for the rows that have them). */
  readonly arrays = new Map<string, (number[] | null)[]>();
  /** Column names by prefix and key, so a record's fields are found without building names. */
  private readonly names = new Map<string, Map<string, string>>();

  /**
   * Appends one record, leaving out its top-level field `omit` if given. A column the record
   * lacks stays NaN in this row (columns are created and grown NaN-filled, and a row is
   * written once).
   */
  push(record: Record<string, unknown>, omit?: string): void {
    if (this.n === this.cap) this.grow();
    this.flatten(record, '', this.n++, 0, omit);
  }

  private nameOf(prefix: string, key: string): string {
    let byKey = this.names.get(prefix);
    if (!byKey) this.names.set(prefix, (byKey = new Map()));
    let name = byKey.get(key);
    if (name === undefined) byKey.set(key, (name = prefix + key));
    return name;
  }

  private flatten(value: Record<string, unknown>, prefix: string, row: number, depth: number, omit?: string): void {
    for (const key in value) {
      if (key === omit) continue;
      const v = value[key];
      if (typeof v === 'number') {
        const name = this.nameOf(prefix, key);
        let col = this.columns.get(name);
        if (!col) {
          col = new Float64Array(this.cap).fill(NaN);
          this.columns.set(name, col);
        }
        col[row] = v;
      } else if (Array.isArray(v)) {
        const name = this.nameOf(prefix, key);
        let list = this.arrays.get(name);
        if (!list) this.arrays.set(name, (list = []));
        while (list.length < row) list.push(null);
        list[row] = v.every((x) => typeof x === 'number') ? (v as number[]) : null;
      } else if (v !== null && typeof v === 'object' && depth < 2) {
        this.flatten(v as Record<string, unknown>, this.nameOf(this.nameOf(prefix, key), '/'), row, depth + 1);
      }
    }
  }

  private grow(): void {
    this.cap *= 2;
    for (const [name, col] of this.columns) {
      const next = new Float64Array(this.cap).fill(NaN);
      next.set(col);
      this.columns.set(name, next);
    }
  }

  /** Rows [start, n) as { column: values } (the SSE delta). */
  slice(start: number): Record<string, (number | null)[]> {
    const out: Record<string, (number | null)[]> = {};
    for (const [name, col] of this.columns)
      out[name] = Array.from(col.subarray(start, this.n), (x) => (Number.isNaN(x) ? null : x));
    return out;
  }

  arraysFrom(start: number): Record<string, (number[] | null)[]> {
    const out: Record<string, (number[] | null)[]> = {};
    for (const [name, list] of this.arrays)
      out[name] = Array.from({ length: this.n - start }, (_, i) => list[start + i] ?? null);
    return out;
  }
}

/** Columns sent at full precision: the x axes (tokens pass 2^24, where float32 stops counting). */
const FLOAT64_COLUMNS = new Set(['step', 'tokens']);

/**
 * Tables in one binary body: a little-endian uint32 header length, the JSON header
 * ({ tables: [{ name, n, columns, bytes, arrays }] }), space padding to 8 bytes, then each
 * table's columns in header order, each padded to 8 bytes: Float64 for the x axes, Float32
 * for the rest (7 significant digits, more than a chart shows), which nearly halves a long
 * run's transfer. The page reads them without parsing numbers.
 */
export function encodeTables(tables: Map<string, Table>): Buffer {
  const width = (name: string) => (FLOAT64_COLUMNS.has(name) ? 8 : 4);
  const header = {
    tables: [...tables].map(([name, t]) => ({
      name,
      n: t.n,
      columns: [...t.columns.keys()],
      bytes: [...t.columns.keys()].map(width),
      arrays: t.arraysFrom(0),
    })),
  };
  const json = Buffer.from(JSON.stringify(header));
  const headLen = 4 + json.length;
  const pad = (8 - (headLen % 8)) % 8;
  const parts: Buffer[] = [Buffer.alloc(4), json, Buffer.alloc(pad, 0x20)];
  parts[0].writeUInt32LE(json.length + pad, 0);
  for (const [, t] of tables) {
    for (const [name, col] of t.columns) {
      if (width(name) === 8) {
        parts.push(Buffer.from(col.buffer, col.byteOffset, t.n * 8));
        continue;
      }
      const f32 = Float32Array.from(col.subarray(0, t.n));
      parts.push(Buffer.from(f32.buffer, 0, t.n * 4), Buffer.alloc((8 - ((t.n * 4) % 8)) % 8));
    }
  }
  return Buffer.concat(parts);
}
