/**
 * `slurry interp RUN`: interpretability measures at every checkpoint not yet measured
 * (linear probes with control tasks, CKA, attention-head scores and ICL, MLP neuron
 * selectivity, a TopK SAE), appended to RUN/interp.jsonl; RUN/interp/across.json holds CKA
 * to the final checkpoint and SAE feature births.
 * `slurry interp CHECKPOINT_DIR --json`: one checkpoint's summary (nothing written).
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_SAE, measureCheckpoint, type MeasureOptions } from '../interp/measure.js';
import { checkCompatible, interpRun, runSample, sampleFromCorpus } from '../interp/runner.js';
import { openCheckpoint } from '../model/load-checkpoint.js';
import { runCorpus, runOfCheckpoint } from '../probes/runner.js';
import { MODEL_FILE, runPaths } from '../run/layout.js';
import type { InterpRecord } from '../run/interp-records.js';
import { SlurryError } from '../util/errors.js';
import { startProgress, type Progress, type ProgressMode } from '../util/progress.js';

interface InterpFlags {
  corpus?: string;
  saeSite?: string;
  saeLatents?: string;
  saeK: string;
  saeEpochs: string;
  seed: string;
  json?: boolean;
  progress: string;
}

const PROGRESS_MODES = ['auto', 'bar', 'lines', 'silent'];

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new SlurryError(`${flag} ${v}: expected a positive integer`);
  return n;
}

export function registerInterp(program: Command): void {
  program
    .command('interp')
    .description('interpretability at every checkpoint of a run (resumable): probes, CKA, heads, neurons, SAEs')
    .argument('<path>', 'RUN (every checkpoint not yet measured) or a checkpoint directory (printed, not recorded)')
    .option('--corpus <dir>', "corpus to build the held-out sample from (default: the run's)")
    .option('--sae-site <hook>', 'hook the SAE reads (default: blocks.{n_layer/2 - 1}.hook_resid_post)')
    .option('--sae-latents <n>', 'SAE latents (default: 8 x the site width)')
    .option('--sae-k <n>', 'active SAE latents per token', String(DEFAULT_SAE.k))
    .option('--sae-epochs <n>', 'SAE training epochs over its tokens', String(DEFAULT_SAE.epochs))
    .option('--seed <n>', 'seed of the sample, control labels and SAE', '0')
    .option('--json', 'print a JSON summary')
    .option('--progress <mode>', 'auto (a bar on a terminal, lines otherwise), bar, lines or silent', 'auto')
    .action((path: string, flags: InterpFlags) => {
      if (!PROGRESS_MODES.includes(flags.progress))
        throw new SlurryError(`--progress ${flags.progress}: expected one of ${PROGRESS_MODES.join(', ')}`);
      if (!existsSync(path)) throw new SlurryError(`${path}: no such run or checkpoint directory`);
      const seed = Number(flags.seed);
      if (!Number.isInteger(seed) || seed < 0)
        throw new SlurryError(`--seed ${flags.seed}: expected a non-negative integer`);
      const opts: MeasureOptions = {
        saeSite: flags.saeSite,
        sae: {
          ...DEFAULT_SAE,
          k: positiveInt('--sae-k', flags.saeK),
          epochs: positiveInt('--sae-epochs', flags.saeEpochs),
          ...(flags.saeLatents ? { latents: positiveInt('--sae-latents', flags.saeLatents) } : {}),
        },
        memoryLimit: totalmem() / 4,
        headSequences: 16,
        ckaRows: 512,
        seed,
      };
      const log = (line: string) => process.stderr.write(`slurry: ${line}\n`);
      if (existsSync(join(path, MODEL_FILE))) {
        const summary = measureOne(path, flags.corpus, opts);
        console.log(flags.json ? JSON.stringify(summary) : formatSummary(summary));
        return;
      }
      let bar: Progress | null = null;
      const progress = (p: { done: number; total: number; note: string }) => {
        bar ??= startProgress('interp', { total: p.total, unit: 'checkpoints', mode: flags.progress as ProgressMode });
        bar.update(p.done, p.note);
      };
      const result = interpRun(path, { ...opts, corpus: flags.corpus && resolve(flags.corpus), log, progress });
      (bar as Progress | null)?.done();
      if (flags.json)
        console.log(JSON.stringify({ measured: result.measured, failed: result.failed, upToDate: result.upToDate }));
      else
        log(
          `${result.measured.length} checkpoint(s) measured, ${result.upToDate} already up to date, ${result.failed.length} failed`,
        );
      if (result.failed.length) {
        throw new SlurryError(
          `${result.failed.length} checkpoint(s) could not be measured: ${result.failed.map((f) => `step ${f.step}: ${f.message}`).join('; ')}`,
        );
      }
    });
}

/** One checkpoint measured on its run's sample (or one built from --corpus), nothing written. */
function measureOne(dir: string, corpus: string | undefined, opts: MeasureOptions) {
  const { model, tokenizer } = openCheckpoint(dir);
  const run = runOfCheckpoint(dir);
  const context = Math.min(model.config.n_positions, 128);
  const sample =
    run && !corpus && existsSync(runPaths(run).interpSample)
      ? runSample(run, context, opts.seed)
      : sampleFromCorpus(corpus ? resolve(corpus) : run ? runCorpus(run) : noCorpus(dir), context, opts.seed);
  checkCompatible(sample, model.config.vocab_size, model.config.n_positions, dir);
  const { record } = measureCheckpoint(model, tokenizer, sample, { step: -1, tokens: 0 }, null, opts);
  return { checkpoint: resolve(dir), ...summarize(record) };
}

function noCorpus(dir: string): never {
  throw new SlurryError(`${dir}: not inside a run; pass --corpus DIR to build the held-out sample`);
}

/** The headline numbers of a record. */
export function summarize(r: InterpRecord) {
  const best = (m: number[][]) => {
    let out = { layer: 0, head: 0, score: -Infinity };
    m.forEach((heads, layer) => heads.forEach((score, head) => score > out.score && (out = { layer, head, score })));
    return out;
  };
  return {
    layers: r.layers,
    probes: Object.fromEntries(
      Object.entries(r.probes).flatMap(([name, p]) =>
        p ? [[name, { accuracy: p.accuracy, control: p.control_accuracy, selectivity: p.selectivity }]] : [],
      ),
    ),
    heads: {
      previous_token: { best: best(r.heads.previous_token.mean), chance: r.heads.previous_token.chance },
      duplicate_token: { best: best(r.heads.duplicate_token.mean), chance: r.heads.duplicate_token.chance },
      prefix_matching: { best: best(r.heads.prefix_matching.mean), chance: r.heads.prefix_matching.chance },
    },
    icl_score: r.icl.score,
    neurons: { pos: r.neurons.pos?.map((s) => s.mean) ?? null, source: r.neurons.source.map((s) => s.mean) },
    sae: {
      site: r.sae.site,
      latents: r.sae.latents,
      k: r.sae.k,
      l0: r.sae.l0,
      dead: r.sae.dead,
      fvu: r.sae.fvu,
      loss_recovered: r.sae.loss_recovered,
    },
    seconds: r.seconds,
  };
}

function formatSummary(s: ReturnType<typeof measureOne>): string {
  const f = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
  const lines = [s.checkpoint];
  for (const [name, p] of Object.entries(s.probes)) {
    lines.push(
      `  probe ${name.padEnd(7)} accuracy ${f(p.accuracy)} | control ${f(p.control)} | selectivity ${f(p.selectivity)}`,
    );
  }
  for (const [name, h] of Object.entries(s.heads)) {
    lines.push(
      `  ${name.padEnd(16)} best L${h.best.layer}H${h.best.head} ${h.best.score.toFixed(3)} (chance ${h.chance.toFixed(3)})`,
    );
  }
  lines.push(`  icl score ${s.icl_score.toFixed(3)} nats; neuron selectivity (source) ${f(s.neurons.source)}`);
  lines.push(
    `  SAE ${s.sae.site} ${s.sae.latents}x k=${s.sae.k}: L0 ${s.sae.l0.toFixed(1)}, dead ${(100 * s.sae.dead).toFixed(1)}%, FVU ${s.sae.fvu.toFixed(3)}, loss recovered ${s.sae.loss_recovered?.toFixed(3) ?? 'n/a (ablation costs too little)'}`,
  );
  lines.push(
    `  seconds: ${Object.entries(s.seconds)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(', ')}`,
  );
  return lines.join('\n');
}
