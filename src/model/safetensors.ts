/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON
 * header mapping each tensor name to {dtype, shape, data_offsets} (plus an optional
 * "__metadata__" of strings), then the raw little-endian bytes. slurry writes F32 and reads
 * F32 (and F64, for float64 tests); the reader validates the whole layout before it
 * allocates, and every inconsistency is reported with the file and the tensor's name.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { z } from 'zod';
import { SlurryError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';
import { parseWith } from '../util/schema.js';

export interface NamedTensor {
  name: string;
  shape: readonly number[];
  data: Float32Array | Float64Array;
}

/** Serialises tensors (in the given order) to safetensors bytes, as chunks. */
export function encodeSafetensors(
  tensors: readonly NamedTensor[],
  metadata: Record<string, string> = {},
): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new Error(`safetensors: ${t.name} has ${t.data.length} values for shape [${t.shape}]`);
    const bytes = t.data.byteLength;
    header[t.name] = {
      dtype: t.data instanceof Float64Array ? 'F64' : 'F32',
      shape: t.shape,
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned (as the reference writer does).
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length));
  const chunks: Uint8Array[] = [prefix, headerBytes];
  for (const t of tensors) chunks.push(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  return chunks;
}

export function writeSafetensors(
  path: string,
  tensors: readonly NamedTensor[],
  metadata: Record<string, string> = {},
): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

/** What a reader does with a tensor of a given name: read it, skip it (a known extra), or refuse the file. */
export type TensorPolicy = (name: string) => 'read' | 'skip' | 'refuse';

/** The reference implementation's bound on the JSON header (safetensors' MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Bytes per element of every safetensors dtype (slurry reads F32 and F64; the others are only laid out). */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

const offset = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const TensorInfo = z.strictObject({
  dtype: z.string().refine((d) => Object.hasOwn(DTYPE_BYTES, d), {
    message: `expected a safetensors dtype (${Object.keys(DTYPE_BYTES).join(', ')})`,
  }),
  shape: z.array(offset),
  data_offsets: z.tuple([offset, offset]),
});
type TensorInfo = z.infer<typeof TensorInfo>;
const Metadata = z.record(z.string(), z.string());

/**
 * Reads and validates a safetensors file as the reference implementation does: the header
 * length bounded and inside the file, the header a JSON object of well-typed entries
 * (`__metadata__` a map of strings), every tensor's size = dtype x shape, and the tensors'
 * byte ranges contiguous from 0 to the end of the file with no gap, overlap or alias.
 * `policy` says which names the caller expects; an unexpected one is refused before any
 * data is read. Each tensor is read straight into its array, so memory stays at the file's
 * size. Errors name the file and the tensor.
 */
export function readSafetensors(path: string, policy: TensorPolicy = () => 'read'): SafetensorsFile {
  const fd = openForReading(path);
  try {
    const size = fstatSync(fd).size;
    const bad = (what: string) => new SlurryError(`${path}: ${what}`);
    if (size < 8) throw bad(`truncated (${size} bytes; a safetensors file starts with an 8-byte header length)`);
    const prefix = Buffer.alloc(8);
    readFully(fd, prefix, 0);
    const headerLength = prefix.readBigUInt64LE();
    if (headerLength > BigInt(Math.min(size - 8, MAX_HEADER_BYTES))) {
      throw bad(
        `header length ${headerLength} does not fit the file (${size} bytes, at most ${MAX_HEADER_BYTES}): truncated or not safetensors`,
      );
    }
    const headerBytes = Buffer.alloc(Number(headerLength));
    readFully(fd, headerBytes, 8);
    const entries = parseHeader(headerBytes, path);
    const dataStart = 8 + headerBytes.length;
    const metadata = entries.has('__metadata__')
      ? parseWith(Metadata, entries.get('__metadata__'), `${path}: __metadata__`)
      : {};
    entries.delete('__metadata__');
    const infos = [...entries].map(([name, entry]) => ({
      name,
      info: parseWith(TensorInfo, entry, `${path}: tensor ${name}`),
    }));
    for (const { name } of infos) if (policy(name) === 'refuse') throw bad(`unexpected tensor ${name}`);
    checkLayout(infos, size - dataStart, bad);
    const tensors = new Map<string, NamedTensor>();
    for (const { name, info } of infos) {
      if (policy(name) === 'skip') continue;
      const n = info.data_offsets[1] - info.data_offsets[0];
      if (info.dtype !== 'F32' && info.dtype !== 'F64')
        throw bad(`tensor ${name} has dtype ${info.dtype}; slurry reads F32 and F64`);
      const data = info.dtype === 'F32' ? new Float32Array(n / 4) : new Float64Array(n / 8);
      readFully(fd, new Uint8Array(data.buffer), dataStart + info.data_offsets[0]);
      tensors.set(name, { name, shape: info.shape, data });
    }
    return { tensors, metadata };
  } finally {
    closeSync(fd);
  }
}

function openForReading(path: string): number {
  try {
    const fd = openSync(path, 'r');
    if (!fstatSync(fd).isFile()) {
      closeSync(fd);
      throw new SlurryError(`${path}: not a file`);
    }
    return fd;
  } catch (err) {
    if (err instanceof SlurryError) throw err;
    throw new SlurryError(
      `${path}: cannot open (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing file' : (err as Error).message})`,
    );
  }
}

/** The header's entries by name; the header must be a UTF-8 JSON object. */
function parseHeader(bytes: Buffer, path: string): Map<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new SlurryError(`${path}: header is not UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SlurryError(`${path}: header is not a JSON object of tensors`);
  }
  return new Map(Object.entries(header));
}

/**
 * The reference implementation's layout rules: size = dtype x shape for every tensor, and
 * the byte ranges, sorted, tile the data area exactly (start at 0, each begins where the
 * last ended, the last ends at the end of the file).
 */
function checkLayout(
  infos: { name: string; info: TensorInfo }[],
  dataSize: number,
  bad: (what: string) => SlurryError,
): void {
  const sorted = [...infos].sort(
    (a, b) => a.info.data_offsets[0] - b.info.data_offsets[0] || a.info.data_offsets[1] - b.info.data_offsets[1],
  );
  let end = 0;
  for (const { name, info } of sorted) {
    const [begin, stop] = info.data_offsets;
    if (begin !== end) {
      throw bad(
        `tensor ${name} starts at byte ${begin} of the data, expected ${end} (tensors must be contiguous, without gaps, overlaps or aliases)`,
      );
    }
    let bytes = DTYPE_BYTES[info.dtype];
    for (const d of info.shape) bytes = Math.min(bytes * d, Number.MAX_SAFE_INTEGER);
    if (stop < begin || stop - begin !== bytes) {
      throw bad(
        `tensor ${name} has data_offsets [${begin}, ${stop}], expected ${bytes} bytes for ${info.dtype} [${info.shape}]`,
      );
    }
    if (stop > dataSize)
      throw bad(`truncated: tensor ${name} ends at byte ${stop} of the data but the file holds ${dataSize}`);
    end = stop;
  }
  if (end !== dataSize)
    throw bad(`${dataSize - end} bytes after the last tensor (the header does not describe the whole file)`);
}

function readFully(fd: number, into: Uint8Array, position: number): void {
  let done = 0;
  while (done < into.byteLength) {
    const n = readSync(fd, into, done, into.byteLength - done, position + done);
    if (n === 0) throw new SlurryError(`file shrank while being read`);
    done += n;
  }
}
