/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON
 * header mapping each tensor name to {dtype, shape, data_offsets} (plus an optional
 * "__metadata__" of strings), then the raw little-endian bytes. slurry writes F32 and reads
 * F32 (and F64, for float64 tests); every inconsistency is reported with the file and the
 * tensor's name.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { SlurryError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fs.js';

export interface NamedTensor {
  name: string;
  shape: readonly number[];
  data: Float32Array | Float64Array;
}

const DTYPES = { F32: 4, F64: 8 } as const;
type DTypeName = keyof typeof DTYPES;

/** Serialises tensors (in the given order) to safetensors bytes, as chunks. */
export function encodeSafetensors(tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): Uint8Array[] {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: ${t.name} has ${t.data.length} values for shape [${t.shape}]`);
    const bytes = t.data.byteLength;
    header[t.name] = { dtype: t.data instanceof Float64Array ? 'F64' : 'F32', shape: t.shape, data_offsets: [offset, offset + bytes] };
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

export function writeSafetensors(path: string, tensors: readonly NamedTensor[], metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

/** Reads and validates a safetensors file; errors name the file and the tensor. */
export function readSafetensors(path: string): SafetensorsFile {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    throw new SlurryError(`${path}: cannot open (missing file?)`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size < 8) throw new SlurryError(`${path}: truncated (${size} bytes; a safetensors file starts with an 8-byte header length)`);
    const prefix = Buffer.alloc(8);
    readSync(fd, prefix, 0, 8, 0);
    const headerLength = Number(prefix.readBigUInt64LE());
    if (headerLength > size - 8 || headerLength > 100_000_000) {
      throw new SlurryError(`${path}: header length ${headerLength} does not fit the file (${size} bytes): truncated or not safetensors`);
    }
    const headerBytes = Buffer.alloc(headerLength);
    readSync(fd, headerBytes, 0, headerLength, 8);
    let header: Record<string, unknown>;
    try {
      header = JSON.parse(headerBytes.toString('utf8'));
    } catch (err) {
      throw new SlurryError(`${path}: header is not valid JSON (${(err as Error).message})`);
    }
    const dataStart = 8 + headerLength;
    const dataSize = size - dataStart;
    const tensors = new Map<string, NamedTensor>();
    let metadata: Record<string, string> = {};
    for (const [name, entry] of Object.entries(header)) {
      if (name === '__metadata__') {
        metadata = entry as Record<string, string>;
        continue;
      }
      const { dtype, shape, data_offsets } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
      if (!(dtype in DTYPES)) throw new SlurryError(`${path}: tensor ${name} has dtype ${dtype}; slurry reads F32 and F64`);
      if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new SlurryError(`${path}: tensor ${name} has an invalid shape ${JSON.stringify(shape)}`);
      }
      const [begin, end] = data_offsets ?? [];
      const width = DTYPES[dtype as DTypeName];
      const n = shape.reduce((a, b) => a * b, 1);
      if (!Number.isInteger(begin) || !Number.isInteger(end) || end - begin !== n * width) {
        throw new SlurryError(`${path}: tensor ${name} has data_offsets ${JSON.stringify(data_offsets)}, expected ${n * width} bytes for shape [${shape}]`);
      }
      if (end > dataSize) {
        throw new SlurryError(`${path}: truncated: tensor ${name} ends at byte ${end} of the data but the file holds ${dataSize}`);
      }
      const bytes = Buffer.alloc(end - begin);
      readSync(fd, bytes, 0, bytes.length, dataStart + begin);
      const data = dtype === 'F32' ? new Float32Array(n) : new Float64Array(n);
      new Uint8Array(data.buffer).set(bytes);
      tensors.set(name, { name, shape, data });
    }
    return { tensors, metadata };
  } finally {
    closeSync(fd);
  }
}
