/**
 * GPT-2's byte-to-unicode table: every byte gets a printable character (printable ASCII
 * and Latin-1 map to themselves, the rest to U+0100 onwards), so byte-level tokens can be
 * written as strings in tokenizer.json. Hugging Face's ByteLevel pre-tokenizer and
 * decoder use the same table.
 */

function buildTable(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table = new Array<string>(256);
  for (const b of printable) table[b] = String.fromCodePoint(b);
  let next = 256;
  for (let b = 0; b < 256; b++) if (table[b] === undefined) table[b] = String.fromCodePoint(next++);
  return table;
}

/** byte -> its character. */
export const BYTE_TO_CHAR: readonly string[] = buildTable();

/** character -> byte. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/** Bytes -> byte-level string. */
export function bytesToSymbols(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += BYTE_TO_CHAR[b];
  return s;
}

/** Byte-level string -> bytes; null when a character is not in the table. */
export function symbolsToBytes(symbols: string): Uint8Array | null {
  const out: number[] = [];
  for (const ch of symbols) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b === undefined) return null;
    out.push(b);
  }
  return Uint8Array.from(out);
}
