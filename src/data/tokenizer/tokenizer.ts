/**
 * The byte-level BPE tokenizer: encode/decode, and its Hugging Face tokenizer.json form.
 *
 * Encoding pre-tokenises (pretokenize.ts), then applies the merges to each piece's UTF-8
 * bytes in rank order, as GPT-2 and Hugging Face's BPE model do, caching piece -> ids.
 * Every byte is a token, so any text encodes and `decode(encode(x)) === x` for any
 * well-formed string. `<|endoftext|>` is the last id; the builder places it between
 * documents, and `encode` never produces it (text is text, never control).
 */
import { z } from 'zod';
import { SlurryError } from '../../util/errors.js';
import { parseWith } from '../../util/schema.js';
import type { BpeModel } from './bpe-train.js';
import { BYTE_TO_CHAR, bytesToSymbols, symbolsToBytes } from './byte-level.js';
import { PRETOKENIZE_PATTERN, pretokenizer } from './pretokenize.js';

export const EOT_TEXT = '<|endoftext|>';

/**
 * What training, probes and tools need from a tokenizer: the corpus's byte-level BPE, a
 * checkpoint's tokenizer.json, or a test's stand-in. The one tokenizer interface.
 */
export interface Tokenizer {
  /** Number of ids, the end-of-text id included: ids are 0..vocabSize-1. */
  readonly vocabSize: number;
  /** The end-of-text id that separates documents (probes put it before a sentence as its start). */
  readonly eotId: number;
  encode(text: string): number[];
  /** Text of ids; ill-formed UTF-8 (a cut multi-byte character) decodes to U+FFFD. */
  decode(ids: ArrayLike<number>): string;
}

const CACHE_LIMIT = 1 << 19;

export class BpeTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly eotId: number;
  /** pair key (left * 65536 + right) -> rank * 65536 + result id */
  private readonly ranks = new Map<number, number>();
  private readonly cache = new Map<string, number[]>();
  private readonly encoder = new TextEncoder();
  /** This tokenizer's own pre-tokenizer regex (stateful lastIndex: not shared). */
  private readonly pieces = pretokenizer();
  private readonly decoder = new TextDecoder('utf-8');

  constructor(readonly model: BpeModel) {
    if (model.vocab.length + 1 > 65536)
      throw new SlurryError(`vocabulary of ${model.vocab.length + 1} ids does not fit uint16 shards (max 65536)`);
    this.vocabSize = model.vocab.length + 1;
    this.eotId = model.vocab.length;
    model.merges.forEach(([a, b, id], rank) => {
      const key = a * 65536 + b;
      if (!this.ranks.has(key)) this.ranks.set(key, rank * 65536 + id);
    });
  }

  /** BPE over one piece's bytes. */
  private encodePiece(piece: string): number[] {
    let syms: number[] = [];
    for (let i = 0; i < piece.length; i++) {
      const c = piece.charCodeAt(i);
      if (c >= 128) {
        syms = Array.from(this.encoder.encode(piece));
        break;
      }
      syms.push(c);
    }
    while (syms.length > 1) {
      let best = Infinity;
      for (let i = 0; i + 1 < syms.length; i++) {
        const r = this.ranks.get(syms[i]! * 65536 + syms[i + 1]!);
        if (r !== undefined && r < best) best = r;
      }
      if (best === Infinity) break;
      const id = best % 65536;
      const rank = Math.floor(best / 65536);
      const [a, b] = this.model.merges[rank]!;
      let w = 0;
      for (let i = 0; i < syms.length; i++) {
        if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
          syms[w++] = id;
          i++;
        } else syms[w++] = syms[i]!;
      }
      syms.length = w;
    }
    return syms;
  }

  encodeInto(text: string, out: { push(id: number): unknown }): void {
    const re = this.pieces;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const piece = m[0];
      let ids = this.cache.get(piece);
      if (ids === undefined) {
        ids = this.encodePiece(piece);
        if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
        this.cache.set(piece, ids);
      }
      for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
    }
  }

  encode(text: string): number[] {
    const out: number[] = [];
    this.encodeInto(text, out);
    return out;
  }

  tokenBytes(id: number): Uint8Array {
    if (id === this.eotId) return new Uint8Array(0);
    const bytes = this.model.vocab[id];
    if (!bytes) throw new SlurryError(`token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`);
    return bytes;
  }

  decode(ids: ArrayLike<number>): string {
    let out = '';
    let start = 0;
    const flush = (end: number) => {
      if (end <= start) return;
      let n = 0;
      for (let i = start; i < end; i++) n += this.tokenBytes(ids[i]!).length;
      const buf = new Uint8Array(n);
      let o = 0;
      for (let i = start; i < end; i++) {
        const b = this.tokenBytes(ids[i]!);
        buf.set(b, o);
        o += b.length;
      }
      out += this.decoder.decode(buf);
    };
    for (let i = 0; i < ids.length; i++) {
      if (ids[i] === this.eotId) {
        flush(i);
        out += EOT_TEXT;
        start = i + 1;
      }
    }
    flush(ids.length);
    return out;
  }

  /** The Hugging Face tokenizers serialisation (tokenizer.json). */
  toHuggingFace(): HuggingFaceTokenizerJson {
    const vocab: Record<string, number> = {};
    this.model.vocab.forEach((bytes, id) => (vocab[bytesToSymbols(bytes)] = id));
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [
        {
          id: this.eotId,
          content: EOT_TEXT,
          single_word: false,
          lstrip: false,
          rstrip: false,
          normalized: false,
          special: true,
        },
      ],
      normalizer: null,
      pre_tokenizer: {
        type: 'Sequence',
        pretokenizers: [
          { type: 'Split', pattern: { Regex: PRETOKENIZE_PATTERN }, behavior: 'Isolated', invert: false },
          { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
        ],
      },
      post_processor: null,
      decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab,
        merges: this.model.merges.map(
          ([a, b]) => `${bytesToSymbols(this.model.vocab[a]!)} ${bytesToSymbols(this.model.vocab[b]!)}`,
        ),
      },
    };
  }

  /**
   * Reads a tokenizer.json written by `toHuggingFace` (the same pre-tokenizer pattern and
   * byte-level BPE), validated whole: the schema below, then ids 0..n-1 each used once by
   * distinct byte strings, the 256 single bytes first, merges of known tokens, and
   * <|endoftext|> as the last id. `file` names it in errors.
   */
  static fromHuggingFace(json: unknown, file: string): BpeTokenizer {
    const j = parseWith(TokenizerJsonSchema, json, file);
    const bad = (what: string) => new SlurryError(`${file}: ${what}`);
    const split = j.pre_tokenizer.pretokenizers[0]!;
    if (split.type !== 'Split' || split.pattern?.Regex !== PRETOKENIZE_PATTERN)
      throw bad('field "pre_tokenizer": not the pre-tokenizer slurry writes (Split with its pattern, then ByteLevel)');
    const entries = Object.entries(j.model.vocab);
    if (entries.length + 1 > 65536)
      throw bad(`field "model.vocab": ${entries.length} tokens; uint16 shards hold at most 65535 and end-of-text`);
    const vocab: Uint8Array[] = new Array(entries.length);
    const symbolOf: string[] = new Array(entries.length);
    const byBytes = new Map<string, string>();
    for (const [sym, id] of entries) {
      const bytes = symbolsToBytes(sym);
      if (!bytes || bytes.length === 0)
        throw bad(`field "model.vocab": ${JSON.stringify(sym)} is not a byte-level token`);
      if (id >= entries.length)
        throw bad(`field "model.vocab": id ${id} of ${JSON.stringify(sym)} is outside 0..${entries.length - 1}`);
      if (vocab[id])
        throw bad(
          `field "model.vocab": id ${id} is used by both ${JSON.stringify(symbolOf[id])} and ${JSON.stringify(sym)}`,
        );
      const key = Buffer.from(bytes).toString('latin1');
      if (byBytes.has(key))
        throw bad(
          `field "model.vocab": ${JSON.stringify(sym)} and ${JSON.stringify(byBytes.get(key))} are the same bytes`,
        );
      byBytes.set(key, sym);
      vocab[id] = bytes;
      symbolOf[id] = sym;
    }
    for (let b = 0; b < 256; b++)
      if (vocab[b]?.length !== 1 || vocab[b]![0] !== b)
        throw bad(`field "model.vocab": id ${b} must be the byte ${JSON.stringify(BYTE_TO_CHAR[b])}`);
    const idOf = (sym: string) => (Object.hasOwn(j.model.vocab, sym) ? j.model.vocab[sym] : undefined);
    const merges = j.model.merges.map((m, i): [number, number, number] => {
      const parts = typeof m === 'string' ? m.split(' ') : m;
      const [l, r] = parts;
      const a = parts.length === 2 ? idOf(l!) : undefined;
      const b = parts.length === 2 ? idOf(r!) : undefined;
      const id = parts.length === 2 ? idOf(l! + r!) : undefined;
      if (a === undefined || b === undefined || id === undefined)
        throw bad(`field "model.merges[${i}]": not a pair of known tokens whose join is a token: ${JSON.stringify(m)}`);
      return [a, b, id];
    });
    const eot = j.added_tokens.find((t) => t.content === EOT_TEXT);
    if (!eot || eot.id !== vocab.length)
      throw bad(`field "added_tokens": expected ${EOT_TEXT} with id ${vocab.length}`);
    return new BpeTokenizer({ vocab, merges });
  }
}

/** The fields of tokenizer.json that slurry reads (others pass through unchecked, as Hugging Face adds fields). */
const TokenizerJsonSchema = z.object({
  added_tokens: z.array(z.object({ id: z.number().int().nonnegative(), content: z.string() })),
  pre_tokenizer: z.object({
    pretokenizers: z.array(z.object({ type: z.string(), pattern: z.object({ Regex: z.string() }).optional() })).min(1),
  }),
  model: z.object({
    type: z.literal('BPE'),
    vocab: z.record(z.string(), z.number().int().nonnegative()),
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])),
  }),
});

/** The parts of Hugging Face's tokenizer.json that slurry writes and reads. */
export interface HuggingFaceTokenizerJson {
  version: string;
  truncation: null;
  padding: null;
  added_tokens: {
    id: number;
    content: string;
    single_word: boolean;
    lstrip: boolean;
    rstrip: boolean;
    normalized: boolean;
    special: boolean;
  }[];
  normalizer: null;
  pre_tokenizer: {
    type: 'Sequence';
    pretokenizers: [
      { type: 'Split'; pattern: { Regex: string }; behavior: 'Isolated'; invert: boolean },
      { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean },
    ];
  };
  post_processor: null;
  decoder: { type: 'ByteLevel'; add_prefix_space: boolean; trim_offsets: boolean; use_regex: boolean };
  model: {
    type: 'BPE';
    dropout: null;
    unk_token: null;
    continuing_subword_prefix: null;
    end_of_word_suffix: null;
    fuse_unk: boolean;
    byte_fallback: boolean;
    ignore_merges: boolean;
    vocab: Record<string, number>;
    merges: (string | [string, string])[];
  };
}
