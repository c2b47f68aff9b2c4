/**
 * The scrubber's per-item view: the probe results stored in RUN/probes.jsonl (id, group,
 * discrete d, continuous c per item) joined by id with the item texts the built-in suites
 * cached in RUN/probe-items/SUITE.jsonl (a minimal pair's two sentences, a cloze prompt and
 * its answer). Token-window suites (tokens, icl) store token ids only, and an external
 * suite's file is not kept in the run: their items show id, group and scores, and say so.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readItemFile } from '../probes/items.js';
import { runPaths } from '../run/layout.js';
import type { ProbeRecord } from '../run/records.js';
import type { ItemRow, ItemText, SuiteItems } from './wire.js';

/** Item texts by id, cached per file and reloaded when the file changes. */
const textCache = new Map<string, { mtimeMs: number; texts: Map<string, ItemText> | string }>();

function itemTexts(file: string): Map<string, ItemText> | string {
  if (!existsSync(file)) return 'item texts are not stored in this run (an external suite file, or items not cached)';
  const mtimeMs = statSync(file).mtimeMs;
  const hit = textCache.get(file);
  if (hit && hit.mtimeMs === mtimeMs) return hit.texts;
  let texts: Map<string, ItemText> | string;
  try {
    const f = readItemFile(file, 'skip');
    texts = new Map();
    if (f.kind === 'pairs')
      f.items.forEach((it, i) =>
        (texts as Map<string, ItemText>).set(f.ids[i], { good: it.sentence_good, bad: it.sentence_bad }),
      );
    else for (const it of f.items) texts.set(it.id, { prompt: it.prompt, answer: it.answer });
  } catch {
    texts = 'this suite scores token windows (ids only): no sentence to show';
  }
  textCache.set(file, { mtimeMs, texts });
  if (textCache.size > 64) textCache.delete(textCache.keys().next().value!);
  return texts;
}

/** Every suite's items at one checkpoint, worst margin first (the wrong ones lead). */
export function itemsAt(runDir: string, records: readonly ProbeRecord[]): SuiteItems[] {
  return records.map((r) => {
    const texts = itemTexts(join(runPaths(runDir).probeItems, `${r.suite}.jsonl`));
    const items: ItemRow[] = r.items.map((it) => {
      const row: ItemRow = { id: it.id, group: it.group ?? '', d: it.d, c: it.c };
      if (it.control) row.control = true;
      if (typeof texts !== 'string') {
        const t = texts.get(it.id);
        if (t) row.text = t;
      }
      return row;
    });
    items.sort((a, b) => a.d - b.d || a.c - b.c);
    const out: SuiteItems = {
      suite: r.suite,
      discrete: r.discrete,
      continuous: r.continuous,
      right: items.filter((i) => i.d >= 0.5).length,
      n: items.length,
      items,
    };
    if (typeof texts === 'string') out.note = texts;
    return out;
  });
}
