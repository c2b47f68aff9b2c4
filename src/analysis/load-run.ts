/**
 * Reads what the analysis needs from a run directory, validating every line. Missing
 * files are not errors here (a run being trained has no probes yet): they come back as
 * empty lists and the analysis says what is missing. Repeated records (a probe re-run, a
 * resumed training) are resolved as "the last line wins" and counted in `warnings`.
 */
import { existsSync, statSync } from 'node:fs';
import type { z } from 'zod';
import { readCheckpointIndex } from '../run/checkpoint.js';
import { runPaths } from '../run/layout.js';
import type { ProbeRecord, SampleRecord } from '../run/records.js';
import { SlurryError } from '../util/errors.js';
import { readJsonlStrict } from '../util/jsonl.js';
import {
  metricsRecordSchema,
  probeRecordSchema,
  sampleRecordSchema,
  trainRecordSchema,
  valRecordSchema,
} from '../run/schemas.js';

export type TrainLine = z.output<typeof trainRecordSchema>;
export type ValLine = z.output<typeof valRecordSchema>;

export interface RunData {
  run: string;
  train: TrainLine[];
  val: ValLine[];
  probes: ProbeRecord[];
  samples: SampleRecord[];
  /** Saved checkpoints (checkpoints/index.json), whether probed or not. */
  checkpoints: { step: number; tokens: number; dir: string }[];
  /** Which files exist (so the analysis can tell "missing" from "empty"). */
  present: { metrics: boolean; probes: boolean; samples: boolean; checkpointIndex: boolean };
  warnings: string[];
}

export function loadRun(run: string): RunData {
  if (!existsSync(run) || !statSync(run).isDirectory())
    throw new SlurryError(`${run}: not a directory (expected a run directory written by \`slurry train\`)`);
  const p = runPaths(run);
  const present = {
    metrics: existsSync(p.metrics),
    probes: existsSync(p.probes),
    samples: existsSync(p.samples),
    checkpointIndex: existsSync(p.checkpointIndex),
  };
  if (!present.metrics && !present.probes) {
    throw new SlurryError(
      `${run}: neither metrics.jsonl nor probes.jsonl found; is this a run directory? (\`slurry train\` writes one)`,
    );
  }
  const warnings: string[] = [];
  const metrics = present.metrics ? readJsonlStrict(p.metrics, metricsRecordSchema) : [];
  const train = lastPerKey(
    metrics.filter((r): r is TrainLine => r.type === 'train'),
    (r) => String(r.step),
    'metrics.jsonl train records',
    warnings,
  );
  const val = lastPerKey(
    metrics.filter((r): r is ValLine => r.type === 'val'),
    (r) => String(r.step),
    'metrics.jsonl validation records',
    warnings,
  );
  const probes = present.probes
    ? lastPerKey(
        readJsonlStrict(p.probes, probeRecordSchema),
        (r) => `${r.suite}@${r.step}`,
        'probes.jsonl (suite, step) records',
        warnings,
      )
    : [];
  const samples = present.samples
    ? lastPerKey(
        readJsonlStrict(p.samples, sampleRecordSchema),
        (r) => String(r.step),
        'samples.jsonl records',
        warnings,
      )
    : [];
  const checkpoints = present.checkpointIndex ? readCheckpointIndex(run) : [];
  checkTokensAgree(probes, warnings);
  return {
    run,
    train: train.sort((a, b) => a.step - b.step),
    val: val.sort((a, b) => a.step - b.step),
    probes,
    samples: samples.sort((a, b) => a.step - b.step),
    checkpoints,
    present,
    warnings,
  };
}

/** Keeps the last record per key, in first-seen key order, and says how many it replaced. */
function lastPerKey<T>(records: T[], key: (r: T) => string, what: string, warnings: string[]): T[] {
  const byKey = new Map<string, T>();
  for (const r of records) byKey.set(key(r), r);
  const replaced = records.length - byKey.size;
  if (replaced > 0) warnings.push(`${what}: ${replaced} repeated (the last line of each was used)`);
  return [...byKey.values()];
}

function checkTokensAgree(probes: ProbeRecord[], warnings: string[]): void {
  const tokensAt = new Map<number, number>();
  for (const r of probes) {
    const seen = tokensAt.get(r.step);
    if (seen === undefined) tokensAt.set(r.step, r.tokens);
    else if (seen !== r.tokens)
      warnings.push(`probes.jsonl: step ${r.step} has tokens ${seen} and ${r.tokens} in different suites`);
  }
}
