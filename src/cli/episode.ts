/**
 * `slurry episode --preset quick|full|long [--compare | --seeds N] [--suite FILE.jsonl ...] [--out DIR]`:
 * the main job. Builds the corpus, trains (one run, one per schedule, or one per seed),
 * probes every checkpoint (built-in suites and the --suite files), analyses and writes the
 * report, then prints the plain-language answer and the report's path. Rerunning continues
 * an interrupted episode.
 */
import type { Command } from 'commander';
import { runEpisode } from '../episode/episode.js';
import { EPISODE_PRESET_NAMES } from '../episode/presets.js';
import { parsePrecision, PRECISION_CHOICES } from '../engine/precision.js';
import { summaryParagraphs, VERDICT_LABEL, wavesAnswer } from '../report/summary.js';
import { choiceFlag, intFlag, progressFlag, progressOption } from './flags.js';
import { trainProgress } from './train-progress.js';

export function registerEpisode(program: Command): void {
  program
    .command('episode')
    .description('the whole experiment: build the corpus, train, probe, analyze, report ("stages or slurry?")')
    .option(
      '--preset <name>',
      'quick (the demo, minutes), full (the reference: a wider model, 34M tokens on the reference corpus, under an hour) or long (overnight, on the full corpus)',
      'quick',
    )
    .option(
      '--compare',
      'train one run per data schedule (mix, staged, anneal, adaptive) at equal tokens and compare them',
    )
    .option('--out <dir>', 'episode directory (default: episodes/<preset> or episodes/compare)')
    .option('--seed <s>', 'seed of the initialisation and the data order (with --seeds: of the first run)')
    .option(
      '--seeds <n>',
      'train n runs of the same config, seeds s, s+1, ...: verdict and midpoints across seeds',
      '1',
    )
    .option(
      '--suite <file>',
      'a JSONL file of BLiMP minimal pairs or cloze items, probed at every checkpoint as an extra capability; repeat for several',
      (v: string, prev: string[]) => [...prev, v],
      [],
    )
    .option(
      '--precision <p>',
      `arithmetic of the matrix products: ${PRECISION_CHOICES.join(', ')} (default: the preset's; bf16 needs AVX512_BF16)`,
    )
    .addOption(progressOption())
    .action(
      async (flags: {
        preset: string;
        compare?: boolean;
        out?: string;
        seed?: string;
        seeds: string;
        suite: string[];
        precision?: string;
        progress: string;
      }) => {
        const preset = choiceFlag('--preset', flags.preset, EPISODE_PRESET_NAMES);
        const seed = flags.seed === undefined ? undefined : intFlag('--seed', flags.seed, 0);
        const seeds = intFlag('--seeds', flags.seeds, 1);
        const precision = flags.precision === undefined ? undefined : parsePrecision(flags.precision, '--precision');
        const mode = progressFlag(flags.progress);
        const progress = trainProgress(mode);
        const result = await runEpisode({
          preset,
          compare: flags.compare,
          out:
            flags.out ?? `episodes/${flags.compare ? 'compare' : seeds > 1 ? `${flags.preset}-seeds` : flags.preset}`,
          seed,
          seeds,
          suiteFiles: flags.suite,
          precision,
          progress: mode,
          log: progress.note,
          trainHooks: {
            onStart: progress.start,
            onProgress: progress.step,
            log: progress.note,
            onDone: (loss) => progress.done(loss),
          },
        });
        if (result.seeds)
          console.log(
            `Across ${result.runs.length} seeds: ${VERDICT_LABEL[result.seeds.verdict.verdict]} (${result.seeds.verdict.reason}).`,
          );
        for (const run of result.runs) {
          console.log(result.runs.length > 1 ? `\n## ${run.label}\n` : '');
          for (const p of [wavesAnswer(run.analysis), ...summaryParagraphs(run.analysis)]) console.log(`${p}\n`);
        }
        console.log(`Episode finished in ${(result.seconds / 60).toFixed(1)} min. Report: ${result.report}`);
      },
    );
}
