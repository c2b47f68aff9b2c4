import type { Command } from 'commander';
import { openCorpus } from '../data/corpus.js';
import { heldOutPhrasingWords, type Counted } from '../data/phrasing-words.js';
import { topTokens } from '../data/stats.js';
import { intFlag } from './flags.js';

interface StatsFlags {
  json?: boolean;
  top: string;
  phrasings?: boolean;
}

const mb = (bytes: number) => (bytes / 1e6).toFixed(2);

/** The rarest few, as "periodic table 0, is labelled 0". */
const rarest = (xs: readonly Counted[]) =>
  xs
    .slice(0, 2)
    .map((x) => `${x.text} ${x.count.toLocaleString('en-US')}`)
    .join(', ') || '-';

/** Columns padded to one width; the first `textColumns` aligned left, the rest (numbers) right. */
function table(rows: string[][], textColumns = 1): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c < textColumns ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** `slurry data stats DIR`: tokens per source, filter and dedup counts, top tokens. */
export function registerDataStats(data: Command): void {
  data
    .command('stats')
    .description('tokens per source, what cleaning and dedup removed, the most frequent tokens')
    .argument('<dir>', 'corpus directory')
    .option('--json', 'print JSON')
    .option('--top <n>', 'how many top tokens', '20')
    .option(
      '--phrasings',
      "each held-out fact phrasing's rarest words and word pairs in the training text (a phrasing whose cue the corpus never uses cannot be answered)",
    )
    .action((dir: string, flags: StatsFlags) => {
      const top = intFlag('--top', flags.top, 0);
      const corpus = openCorpus(dir, { verify: 'size' });
      const m = corpus.manifest;
      const tokens = topTokens(corpus, top);
      const phrasings = flags.phrasings ? heldOutPhrasingWords(corpus) : undefined;
      if (flags.json) {
        console.log(
          JSON.stringify(
            {
              sources: m.sources,
              totals: m.totals,
              tokenizer: m.tokenizer,
              exposure_buckets: m.exposure_buckets,
              top_tokens: tokens,
              ...(phrasings ? { held_out_phrasings: phrasings } : {}),
            },
            null,
            2,
          ),
        );
        return;
      }
      console.log(
        `corpus ${dir}: preset ${m.config.preset}, seed ${m.config.seed}, vocabulary ${m.tokenizer.vocab_size}, built in ${m.build.seconds.toFixed(1)}s\n`,
      );
      const rows = [
        ['source', 'kind', 'docs', 'train', 'val', 'MB', 'train tokens', 'val tokens', 'share', 'bytes/tok'],
      ];
      for (const s of m.sources)
        rows.push([
          s.name,
          s.kind,
          String(s.documents.extracted),
          String(s.documents.train),
          String(s.documents.val),
          mb(s.bytes.train + s.bytes.val),
          s.tokens.train.toLocaleString('en-US'),
          s.tokens.val.toLocaleString('en-US'),
          `${(100 * s.token_fraction).toFixed(1)}%`,
          s.tokens.train ? (s.bytes.train / s.tokens.train).toFixed(2) : '-',
        ]);
      rows.push([
        'total',
        '',
        '',
        '',
        '',
        mb(m.totals.bytes),
        m.totals.train_tokens.toLocaleString('en-US'),
        m.totals.val_tokens.toLocaleString('en-US'),
        '100%',
        (m.sources.reduce((n, s) => n + s.bytes.train, 0) / Math.max(1, m.totals.train_tokens)).toFixed(2),
      ]);
      console.log(table(rows));

      console.log('\nwhat cleaning and dedup removed (documents)');
      const removed = [['source', 'sampled', 'normalised', 'filtered out', 'by rule', 'exact dup', 'near dup']];
      for (const s of m.sources) {
        const rules = Object.entries(s.filtered)
          .filter(([, n]) => n > 0)
          .map(([r, n]) => `${r}:${n}`)
          .join(' ');
        removed.push([
          s.name,
          String(s.documents.sampled),
          String(s.normalized),
          String(s.documents.sampled - s.documents.filtered),
          rules || '-',
          String(s.duplicates.exact),
          String(s.duplicates.near),
        ]);
      }
      console.log(table(removed));

      if (m.exposure_buckets)
        console.log(
          `\nfacts by exposure bucket: ${Object.entries(m.exposure_buckets)
            .map(([b, n]) => `${b} ${n}`)
            .join(', ')}`,
        );
      if (phrasings) {
        console.log('\nheld-out fact phrasings: their rarest words and adjacent word pairs in the training text');
        console.log(
          table(
            [
              ['template', 'phrasing', 'rarest words', 'rarest pairs'],
              ...phrasings.map((p) => [p.template, p.phrasing, rarest(p.words), rarest(p.pairs)]),
            ],
            4,
          ),
        );
      }
      if (top > 0) {
        console.log(`\ntop ${top} tokens`);
        console.log(
          table([
            ['id', 'token', 'count', 'share'],
            ...tokens.map((t) => [
              String(t.id),
              JSON.stringify(t.text),
              t.count.toLocaleString('en-US'),
              `${(100 * t.fraction).toFixed(2)}%`,
            ]),
          ]),
        );
      }
    });
}
