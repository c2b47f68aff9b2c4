/** Editing real checkpoint and corpus files the way an attacker would: consistently, manifests included. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/* eslint-disable @typescript-eslint/no-explicit-any */
export function editJson(path: string, edit: (value: any) => unknown): void {
  writeFileSync(path, JSON.stringify(edit(JSON.parse(readFileSync(path, 'utf8')))));
}

/** Rewrites a checkpoint's manifest.json to match its files as they are now. */
export function rehashCheckpoint(dir: string): void {
  const files: Record<string, { sha256: string; bytes: number }> = {};
  for (const name of readdirSync(dir)
    .filter((n) => n !== 'manifest.json')
    .sort()) {
    const bytes = readFileSync(join(dir, name));
    files[name] = { sha256: sha256(bytes), bytes: bytes.length };
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ files }));
}

/** Edits a corpus file's bytes in place and updates its manifest entry's size and hash. */
export function rehashCorpusFile(corpus: string, rel: string, edit: (bytes: Buffer) => void): string {
  const file = join(corpus, rel);
  const bytes = readFileSync(file);
  edit(bytes);
  writeFileSync(file, bytes);
  editJson(join(corpus, 'manifest.json'), (m) => {
    const entries = [m.tokenizer.file, ...m.sources.flatMap((s: any) => [s.shards.train, s.shards.val]), ...m.files];
    for (const e of entries) if (e.path === rel) Object.assign(e, { sha256: sha256(bytes), bytes: bytes.length });
    return m;
  });
  return file;
}

/** Replaces a safetensors file's JSON header with `edit(header)` (the data stays). */
export function rewriteSafetensorsHeader(path: string, edit: (header: Record<string, unknown>) => unknown): void {
  const bytes = readFileSync(path);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
  const edited = edit(header) ?? header;
  const json = Buffer.from(JSON.stringify(edited));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  writeFileSync(path, Buffer.concat([prefix, json, bytes.subarray(8 + n)]));
}
