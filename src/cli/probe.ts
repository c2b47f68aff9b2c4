/**
 * `slurry probe RUN [--suite NAME|FILE ...]`: probe every checkpoint of a run that is not
 * probed yet, appending to RUN/probes.jsonl and RUN/samples.jsonl.
 * `slurry probe CHECKPOINT_DIR --json`: one checkpoint's summary on stdout (nothing written
 * to the run).
 */
import type { Command } from 'commander';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { CONFIG_FILE, MODEL_FILE, runPaths } from '../run/layout.js';
import { BUILTIN_SUITES, OPT_IN_SUITES, resolveSuites } from '../probes/registry.js';
import { openCheckpoint } from '../model/load-checkpoint.js';
import { prepareSuites, probeRun, runCorpus, runOfCheckpoint, runSuite } from '../probes/runner.js';
import { SlurryError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';
import { startProgress, type Progress } from '../util/progress.js';
import { progressFlag, progressOption } from './flags.js';

interface ProbeFlags {
  suite: string[];
  corpus?: string;
  items?: string;
  skipBadRows?: boolean;
  json?: boolean;
  progress: string;
}

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('measure each capability at every checkpoint of a run (resumable), or summarise one checkpoint')
    .argument('<path>', 'RUN (every checkpoint not yet probed) or a checkpoint directory (printed, not recorded)')
    .option(
      '--suite <name|file>',
      `a built-in suite (${BUILTIN_SUITES.map((s) => s.name).join(', ')}; ${OPT_IN_SUITES.map((s) => s.name).join(', ')} on a corpus built with duplicates) or a JSONL file of BLiMP pairs or cloze items; repeat for several (default: every built-in but ${OPT_IN_SUITES.map((s) => s.name).join(', ')})`,
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option('--corpus <dir>', "corpus to build the built-in items from (default: the run's)")
    .option('--items <dir>', 'where built-in items are cached (default: RUN/probe-items)')
    .option('--skip-bad-rows', 'skip malformed rows of a --suite file (reported by line) instead of refusing the file')
    .option('--json', 'print a JSON summary')
    .addOption(progressOption())
    .action((path: string, flags: ProbeFlags) => {
      const mode = progressFlag(flags.progress);
      const suites = resolveSuites(flags.suite);
      const badRows = flags.skipBadRows ? 'skip' : 'refuse';
      const log = (line: string) => process.stderr.write(`slurry: ${line}\n`);
      if (!existsSync(path)) throw new SlurryError(`${path}: no such run or checkpoint directory`);
      if (existsSync(join(path, MODEL_FILE))) {
        const summary = probeCheckpoint(path, suites, { ...flags, badRows, log });
        console.log(flags.json ? JSON.stringify(summary) : formatSummary(summary));
        return;
      }
      let bar: Progress | null = null;
      const progress = (p: { done: number; total: number; note: string }) => {
        bar ??= startProgress('probe', { total: p.total, unit: 'checkpoints', mode });
        bar.update(p.done, p.note);
      };
      const result = probeRun(path, {
        suites,
        badRows,
        corpus: flags.corpus && resolve(flags.corpus),
        itemsDir: flags.items,
        log,
        progress,
      });
      (bar as Progress | null)?.done();
      if (flags.json) console.log(JSON.stringify(result));
      else
        log(
          `${result.probed.length} checkpoint(s) probed, ${result.upToDate} already up to date, ${result.failed.length} failed`,
        );
      if (result.failed.length) {
        const lines = result.failed.map((f) => `  step ${f.step}${f.suite ? `, ${f.suite}` : ''}: ${f.message}`);
        throw new SlurryError(`${result.failed.length} probe(s) failed (rerun to retry them):\n${lines.join('\n')}`);
      }
    });
}

/** The step and tokens a training checkpoint records in its config.json (`slurry` field). */
const checkpointPosition = z.object({
  slurry: z.object({ step: z.number().optional(), tokens: z.number().optional() }).optional(),
});

interface CheckpointSummary {
  checkpoint: string;
  step: number | null;
  tokens: number | null;
  suites: Record<
    string,
    {
      discrete: string;
      continuous: string;
      d: number;
      c: number;
      chance: { d: number; c: number };
      metrics: Record<string, number>;
    }
  >;
  samples?: { prompt: string; greedy: string; sampled: string }[];
}

function probeCheckpoint(
  dir: string,
  specs: ReturnType<typeof resolveSuites>,
  o: { corpus?: string; items?: string; badRows: 'skip' | 'refuse'; log: (l: string) => void },
): CheckpointSummary {
  const { model, tokenizer } = openCheckpoint(dir);
  const run = runOfCheckpoint(dir);
  const corpus = () => {
    if (o.corpus) return resolve(o.corpus);
    if (run) return runCorpus(run);
    throw new SlurryError(`${dir}: not inside a run; pass --corpus DIR to build the probe items`);
  };
  // Items live with the run; a lone checkpoint caches them per corpus and context. Only
  // built-in suites have items to cache.
  const builtin = specs.some((s) => s.kind === 'builtin');
  const itemsDir =
    o.items ??
    (!builtin
      ? ''
      : run && !o.corpus
        ? runPaths(run).probeItems
        : join(tmpdir(), 'slurry-probe-items', cacheKey(corpus(), model.config.n_positions)));
  const prepared = prepareSuites(specs, tokenizer, model.config.n_positions, itemsDir, corpus, o);
  const { slurry } = readJsonFile(join(dir, CONFIG_FILE), checkpointPosition);
  const summary: CheckpointSummary = {
    checkpoint: resolve(dir),
    step: slurry?.step ?? null,
    tokens: slurry?.tokens ?? null,
    suites: {},
  };
  for (const suite of prepared) {
    if (suite.kind === 'samples') {
      summary.samples = suite.run(model);
      continue;
    }
    const r = runSuite(suite, model);
    summary.suites[r.suite] = {
      discrete: r.discrete,
      continuous: r.continuous,
      d: r.metrics[r.discrete],
      c: r.metrics[r.continuous],
      chance: r.chance,
      metrics: r.metrics,
    };
  }
  return summary;
}

function cacheKey(corpus: string, context: number): string {
  const manifest = join(corpus, 'manifest.json');
  const hash = createHash('sha256').update(existsSync(manifest) ? readFileSync(manifest) : corpus);
  return `${hash.digest('hex').slice(0, 16)}-ctx${context}`;
}

function formatSummary(s: CheckpointSummary): string {
  const lines = [`${s.checkpoint} (step ${s.step ?? '?'}, ${s.tokens ?? '?'} tokens)`];
  for (const [name, r] of Object.entries(s.suites)) {
    lines.push(
      `  ${name.padEnd(12)} ${r.discrete} ${r.d.toFixed(3)} (chance ${r.chance.d.toFixed(3)})   ${r.continuous} ${r.c.toFixed(3)} (chance ${r.chance.c.toFixed(3)})`,
    );
  }
  for (const x of s.samples ?? []) lines.push(`  ${JSON.stringify(x.prompt)} -> ${JSON.stringify(x.greedy)}`);
  return lines.join('\n');
}
