/**
 * `slurry train [CONFIG] [--preset NAME] [--steps N] [--seed S] --out RUN`, and
 * `slurry train --resume RUN` to continue a run after a crash or kill.
 */
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { kernels } from '../engine/backend.js';
import { checkResumePrecision, parsePrecision, PRECISION_CHOICES } from '../engine/precision.js';
import { probeOnCheckpoint } from '../probes/inline.js';
import { resolveSuites } from '../probes/registry.js';
import { layeredConfig } from '../train/config-file.js';
import { TRAIN_PRESETS } from '../train/presets.js';
import { train } from '../train/trainer.js';
import { SlurryError } from '../util/errors.js';
import { intFlag, progressFlag, progressOption, withFlagNames } from './flags.js';
import { trainProgress } from './train-progress.js';

interface TrainFlags {
  preset?: string;
  steps?: string;
  tokens?: string;
  seed?: string;
  corpus?: string;
  from?: string;
  out?: string;
  resume?: string;
  precision?: string;
  progress: string;
  probe?: boolean;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a model: checkpoints, metrics.jsonl and config.json go to the run directory')
    .argument('[config]', 'a YAML or JSON training config (keys override the preset)')
    .option('--preset <name>', `a named config: ${Object.keys(TRAIN_PRESETS).join(', ')}`)
    .option('--steps <n>', 'optimizer steps (replaces the budget)')
    .option('--tokens <n>', 'training tokens, rounded up to whole steps (replaces the budget)')
    .option('--seed <s>', 'seed of the initialisation and the data order')
    .option('--corpus <dir>', 'corpus directory built by `slurry data build`')
    .option('--from <checkpoint>', 'continued pretraining: start from RUN/checkpoints/step-N')
    .option('--out <run>', 'run directory to create')
    .option('--resume <run>', 'continue the run in this directory from its last checkpoint')
    .option(
      '--precision <p>',
      `arithmetic of the matrix products: ${PRECISION_CHOICES.join(', ')} (replaces the config's precision)`,
    )
    .addOption(progressOption())
    .option('--probe', 'probe each checkpoint as it is written (every built-in suite; as `slurry probe RUN`)')
    .action(async (configFile: string | undefined, flags: TrainFlags) => {
      const progress = trainProgress(progressFlag(flags.progress));
      const run = flags.resume ?? flags.out;
      const probe =
        flags.probe && run
          ? probeOnCheckpoint(run, { suites: resolveSuites([]), badRows: 'refuse', log: progress.note })
          : null;
      const onCheckpoint = (step: number, dir: string) => {
        progress.note(`checkpoint ${dir} (step ${step})`);
        probe?.(step, dir);
      };
      if (flags.resume !== undefined) {
        const extra = ['preset', 'steps', 'tokens', 'seed', 'corpus', 'from', 'out'].filter(
          (k) => flags[k as keyof TrainFlags] !== undefined,
        );
        if (configFile !== undefined || extra.length) {
          throw new SlurryError(
            `--resume continues ${flags.resume} with the config it started with; drop ${[...(configFile ? [configFile] : []), ...extra.map((k) => `--${k}`)].join(', ')}`,
          );
        }
        if (flags.precision !== undefined)
          checkResumePrecision(flags.resume, parsePrecision(flags.precision, '--precision'), kernels());
        const r = await train(undefined, {
          out: flags.resume,
          resume: true,
          onStart: progress.start,
          onProgress: progress.step,
          onCheckpoint,
          log: progress.note,
          warn: progress.warn,
        });
        progress.done(r.finalLoss);
        return;
      }
      if (flags.out === undefined)
        throw new SlurryError('--out RUN is required (the run directory to create), or --resume RUN');
      const overrides: Record<string, unknown> = {};
      if (flags.steps !== undefined) overrides.steps = intFlag('--steps', flags.steps, 1);
      if (flags.tokens !== undefined) overrides.tokens = intFlag('--tokens', flags.tokens, 1);
      if (flags.seed !== undefined) overrides.seed = intFlag('--seed', flags.seed, 0);
      if (flags.corpus !== undefined) overrides.corpus = resolve(flags.corpus);
      if (flags.precision !== undefined) overrides.precision = parsePrecision(flags.precision, '--precision');
      if (flags.from !== undefined) overrides.init_from = resolve(flags.from);
      if (!configFile && !flags.preset)
        throw new SlurryError('give a config file or --preset (one of ' + Object.keys(TRAIN_PRESETS).join(', ') + ')');
      const layers = { preset: flags.preset, file: configFile, overrides };
      const config = await withFlagNames({ preset: '--preset' }, () => layeredConfig(layers));
      const where = configFile ?? `--preset ${flags.preset}`;
      const r = await train(config, {
        out: flags.out,
        where,
        onStart: progress.start,
        onProgress: progress.step,
        onCheckpoint,
        log: progress.note,
        warn: progress.warn,
      });
      progress.done(r.finalLoss);
    });
}
