/**
 * Cleaning: Unicode normalisation, then document-level quality filters in the manner of
 * Gopher (Rae et al. 2021, appendix A) and C4 (Raffel et al. 2020) for prose, and of Codex
 * and The Stack for code. Each filter returns the name of the first rule a document fails,
 * so the build can count what each rule removed, per source.
 */
import { z } from 'zod';
import { mix32 } from './random.js';
import type { FilterProfile } from './sources/types.js';

/**
 * NFC-normalises and tidies whitespace: CRLF/CR -> LF, control characters other than tab
 * and newline removed, trailing spaces cut, runs of blank lines collapsed to one, and the
 * text trimmed. Returns the same string when nothing changed.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b\ufeff]/g, '')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export const ProseThresholds = z.strictObject({
  minWords: z.number().int().nonnegative().default(50),
  maxWords: z.number().int().positive().default(100_000),
  minMeanWordLength: z.number().nonnegative().default(3),
  maxMeanWordLength: z.number().positive().default(10),
  /** Max ratio of "#" and ellipsis symbols to words. */
  maxSymbolRatio: z.number().nonnegative().default(0.1),
  /** Min fraction of words with at least one letter. */
  minAlphaWords: z.number().min(0).max(1).default(0.8),
  /** Min count of Gopher's stop words (the, be, to, of, and, that, have, with). */
  minStopWords: z.number().int().nonnegative().default(2),
  maxBulletLines: z.number().min(0).max(1).default(0.9),
  maxEllipsisLines: z.number().min(0).max(1).default(0.3),
  /** Max fraction of lines that duplicate an earlier line. */
  maxDuplicateLines: z.number().min(0).max(1).default(0.3),
  /** Max fraction of characters in duplicated lines. */
  maxDuplicateLineChars: z.number().min(0).max(1).default(0.2),
  /** Max fraction of characters covered by the most frequent word 2-, 3- and 4-gram. */
  maxTopNgramChars: z.tuple([z.number(), z.number(), z.number()]).default([0.2, 0.18, 0.16]),
});
export type ProseThresholds = z.infer<typeof ProseThresholds>;

export const CodeThresholds = z.strictObject({
  minChars: z.number().int().nonnegative().default(100),
  maxChars: z.number().int().positive().default(4_000_000),
  /** Longest line allowed: longer means minified or embedded data. */
  maxLineLength: z.number().int().positive().default(1000),
  maxMeanLineLength: z.number().positive().default(100),
  /** Min fraction of alphanumeric characters. */
  minAlnumFraction: z.number().min(0).max(1).default(0.25),
});
export type CodeThresholds = z.infer<typeof CodeThresholds>;

export const FilterThresholds = z.strictObject({
  /** false: no document is filtered out (the spam-poisons experiment's "filters off"); normalisation still applies. */
  enabled: z.boolean().default(true),
  prose: ProseThresholds.default(ProseThresholds.parse({})),
  code: CodeThresholds.default(CodeThresholds.parse({})),
});
export type FilterThresholds = z.infer<typeof FilterThresholds>;

/** Every rule name a filter can report, for stable tables. */
export const FILTER_RULES = {
  prose: [
    'empty',
    'min_words',
    'max_words',
    'mean_word_length',
    'symbol_ratio',
    'alpha_words',
    'stop_words',
    'bullet_lines',
    'ellipsis_lines',
    'duplicate_lines',
    'duplicate_line_chars',
    'top_ngram',
  ],
  code: ['empty', 'min_chars', 'max_chars', 'generated', 'max_line_length', 'mean_line_length', 'alnum_fraction'],
  generated: ['empty'],
} as const satisfies Record<FilterProfile, readonly string[]>;

const STOP_WORDS = new Set(['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with']);
const WORD = /\S+/g;
const HAS_LETTER = /\p{L}/u;

function duplicateLineStats(lines: readonly string[]): { lines: number; chars: number } {
  const seen = new Set<string>();
  let dupLines = 0;
  let dupChars = 0;
  for (const l of lines) {
    if (seen.has(l)) {
      dupLines++;
      dupChars += l.length;
    } else seen.add(l);
  }
  return { lines: dupLines, chars: dupChars };
}

/**
 * For n = 2, 3, 4: the fraction of characters (of all word characters) covered by the
 * occurrences of the most frequent word n-gram (Gopher's "top n-gram" rule). N-grams are
 * counted by a 30-bit hash of their word ids (small integers keep the Map fast); a rare
 * collision merges two n-grams' counts, which cannot matter for a threshold on the top one.
 */
export function topNgramCharFractions(words: readonly string[]): [number, number, number] {
  const idOf = new Map<string, number>();
  const ids = new Int32Array(words.length);
  let total = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    let id = idOf.get(w);
    if (id === undefined) idOf.set(w, (id = idOf.size));
    ids[i] = mix32(id);
    total += w.length;
  }
  const out: [number, number, number] = [0, 0, 0];
  const counts = new Map<number, number>();
  for (let n = 2; n <= 4; n++) {
    counts.clear();
    let bestCount = 1;
    let bestAt = -1;
    for (let i = 0; i + n <= ids.length; i++) {
      let h = n;
      for (let j = i; j < i + n; j++) h = Math.imul(h ^ ids[j]!, 0x9e3779b1) ^ (h >>> 15);
      const key = h & 0x3fffffff;
      const c = (counts.get(key) ?? 0) + 1;
      counts.set(key, c);
      if (c > bestCount) {
        bestCount = c;
        bestAt = i;
      }
    }
    if (bestAt >= 0) {
      let chars = 0;
      for (let j = bestAt; j < bestAt + n; j++) chars += words[j]!.length;
      out[n - 2] = (bestCount * chars) / total;
    }
  }
  return out;
}

/** The first prose rule `text` fails, or null. */
export function proseRejection(text: string, t: ProseThresholds): string | null {
  if (text.length === 0) return 'empty';
  const words = text.match(WORD) ?? [];
  if (words.length < t.minWords) return 'min_words';
  if (words.length > t.maxWords) return 'max_words';
  let chars = 0;
  let alpha = 0;
  let stop = 0;
  for (const w of words) {
    chars += w.length;
    if (HAS_LETTER.test(w)) alpha++;
    if (STOP_WORDS.has(w.toLowerCase())) stop++;
  }
  const mean = chars / words.length;
  if (mean < t.minMeanWordLength || mean > t.maxMeanWordLength) return 'mean_word_length';
  const symbols = (text.match(/#|\.\.\.|…/g) ?? []).length;
  if (symbols / words.length > t.maxSymbolRatio) return 'symbol_ratio';
  if (alpha / words.length < t.minAlphaWords) return 'alpha_words';
  if (stop < t.minStopWords) return 'stop_words';
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const bullets = lines.filter((l) => /^\s*[•*\-–]/.test(l)).length;
  if (bullets / lines.length > t.maxBulletLines) return 'bullet_lines';
  const ellipses = lines.filter((l) => /(\.\.\.|…)\s*$/.test(l)).length;
  if (ellipses / lines.length > t.maxEllipsisLines) return 'ellipsis_lines';
  const dup = duplicateLineStats(lines);
  if (dup.lines / lines.length > t.maxDuplicateLines) return 'duplicate_lines';
  if (dup.chars / text.length > t.maxDuplicateLineChars) return 'duplicate_line_chars';
  const top = topNgramCharFractions(words.map((w) => w.toLowerCase()));
  for (let n = 0; n < 3; n++) if (top[n]! > t.maxTopNgramChars[n]!) return 'top_ngram';
  return null;
}

const GENERATED_MARKER = /@generated|\bauto-?generated\b|\bdo not edit\b|\bgenerated by\b/i;

/** The first code rule `text` fails, or null. */
export function codeRejection(text: string, t: CodeThresholds): string | null {
  if (text.length === 0) return 'empty';
  if (text.length < t.minChars) return 'min_chars';
  if (text.length > t.maxChars) return 'max_chars';
  if (GENERATED_MARKER.test(text.slice(0, 1000))) return 'generated';
  const lines = text.split('\n');
  let longest = 0;
  for (const l of lines) if (l.length > longest) longest = l.length;
  if (longest > t.maxLineLength) return 'max_line_length';
  if (text.length / lines.length > t.maxMeanLineLength) return 'mean_line_length';
  const alnum = (text.match(/[\p{L}\p{N}]/gu) ?? []).length;
  if (alnum / text.length < t.minAlnumFraction) return 'alnum_fraction';
  return null;
}

/** The first rule of `profile` that `text` fails, or null when the document is kept. */
export function qualityRejection(text: string, profile: FilterProfile, t: FilterThresholds): string | null {
  switch (profile) {
    case 'prose':
      return proseRejection(text, t.prose);
    case 'code':
      return codeRejection(text, t.code);
    case 'generated':
      return text.length === 0 ? 'empty' : null;
  }
}
