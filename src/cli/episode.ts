/**
 * `slurry episode --preset quick|full [--compare] [--out DIR]`: the main job. Builds the
 * corpus, trains, probes every checkpoint, analyses and writes the report, then prints the
 * plain-language summary and the report's path. Rerunning continues an interrupted episode.
 */
import type { Command } from 'commander';
import { PRESETS } from '../data/config.js';
import { runEpisode } from '../episode/episode.js';
import { summaryParagraphs } from '../report/summary.js';
import { choiceFlag, intFlag, progressFlag, progressOption } from './flags.js';
import { trainProgress } from './train-progress.js';

export function registerEpisode(program: Command): void {
  program
    .command('episode')
    .description('the whole experiment: build the corpus, train, probe, analyze, report ("stages or slurry?")')
    .option('--preset <name>', `corpus and model size: ${PRESETS.join(' or ')}`, 'quick')
    .option('--compare', 'train one run per data schedule (mix, staged, anneal, adaptive) at equal tokens and compare them')
    .option('--out <dir>', 'episode directory (default: episodes/<preset> or episodes/compare)')
    .option('--seed <s>', 'seed of the initialisation and the data order')
    .addOption(progressOption())
    .action(async (flags: { preset: string; compare?: boolean; out?: string; seed?: string; progress: string }) => {
      const preset = choiceFlag('--preset', flags.preset, PRESETS);
      const seed = flags.seed === undefined ? undefined : intFlag('--seed', flags.seed, 0);
      const mode = progressFlag(flags.progress);
      const progress = trainProgress(mode);
      const result = await runEpisode({
        preset,
        compare: flags.compare,
        out: flags.out ?? `episodes/${flags.compare ? 'compare' : flags.preset}`,
        seed,
        progress: mode,
        log: progress.note,
        trainHooks: { onStart: progress.start, onProgress: progress.step, log: progress.note, onDone: (loss) => progress.done(loss) },
      });
      for (const run of result.runs) {
        console.log(result.runs.length > 1 ? `\n## ${run.label}\n` : '');
        for (const p of summaryParagraphs(run.analysis)) console.log(`${p}\n`);
      }
      console.log(`Episode finished in ${(result.seconds / 60).toFixed(1)} min. Report: ${result.report}`);
    });
}
