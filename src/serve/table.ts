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

  push(record: Record<string, unknown>): void {
    if (this.n === this.cap) this.grow();
    const row = this.n++;
    const seen = new Set<string>();
    this.flatten(record, '', row, seen);
    for (const [name, col] of this.columns) if (!seen.has(name)) col[row] = NaN;
  }

  private flatten(value: Record<string, unknown>, prefix: string, row: number, seen: Set<string>): void {
    for (const [key, v] of Object.entries(value)) {
      const name = prefix + key;
      if (typeof v === 'number') {
        let col = this.columns.get(name);
        if (!col) {
          col = new Float64Array(this.cap).fill(NaN);
          this.columns.set(name, col);
        }
        col[row] = v;
        seen.add(name);
      } else if (Array.isArray(v)) {
        let list = this.arrays.get(name);
        if (!list) this.arrays.set(name, (list = []));
        while (list.length < row) list.push(null);
        list[row] = v.every((x) => typeof x === 'number') ? (v as number[]) : null;
      } else if (v !== null && typeof v === 'object' && prefix.split('/').length < 3) {
        this.flatten(v as Record<string, unknown>, name + '/', row, seen);
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

/**
 * Tables in one binary body: a little-endian uint32 header length, the JSON header
 * ({ tables: [{ name, n, columns, arrays }] }), space padding to 8 bytes, then each table's
 * columns as Float64 arrays in header order. The page reads them without parsing numbers.
 */
export function encodeTables(tables: Map<string, Table>): Buffer {
  const header = {
    tables: [...tables].map(([name, t]) => ({ name, n: t.n, columns: [...t.columns.keys()], arrays: t.arraysFrom(0) })),
  };
  const json = Buffer.from(JSON.stringify(header));
  const headLen = 4 + json.length;
  const pad = (8 - (headLen % 8)) % 8;
  const parts: Buffer[] = [Buffer.alloc(4), json, Buffer.alloc(pad, 0x20)];
  parts[0].writeUInt32LE(json.length + pad, 0);
  for (const [, t] of tables) {
    for (const col of t.columns.values()) parts.push(Buffer.from(col.buffer, col.byteOffset, t.n * 8));
  }
  return Buffer.concat(parts);
}
