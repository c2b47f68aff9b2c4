/**
 * Schemas for the run-directory records (records.ts) and checkpoint manifests. They check
 * the fields readers use and drop the others, so a writer that adds a field does not break
 * reading. The type assertions at the bottom keep them in step with records.ts.
 */
import { z } from 'zod';
import type { CheckpointIndex, ProbeRecord, SampleRecord, TrainRecord, ValRecord } from './records.js';

const count = z.number().int().nonnegative();
const lossBySource = z.record(z.string(), z.number());

export const trainRecordSchema = z.object({
  type: z.literal('train'),
  step: count,
  tokens: z.number().nonnegative(),
  loss: z.number(),
  loss_by_source: lossBySource,
});

export const valRecordSchema = z.object({
  type: z.literal('val'),
  step: count,
  tokens: z.number().nonnegative(),
  loss: z.number(),
  loss_by_source: lossBySource,
});

export const metricsRecordSchema = z.discriminatedUnion('type', [trainRecordSchema, valRecordSchema]);

export const probeItemSchema = z.object({
  id: z.string().min(1),
  group: z.string().optional(),
  d: z.number(),
  c: z.number(),
  control: z.boolean().optional(),
});

export const probeRecordSchema = z.object({
  step: count,
  tokens: z.number().nonnegative(),
  suite: z.string().min(1),
  discrete: z.string(),
  continuous: z.string(),
  chance: z.object({ d: z.number(), c: z.number() }),
  chance_by_group: z.record(z.string(), z.object({ d: z.number(), c: z.number() })).optional(),
  ceiling: z.object({ d: z.number(), c: z.number().nullable() }),
  metrics: z.record(z.string(), z.number()),
  items: z.array(probeItemSchema).min(1, 'a probe record needs at least one item'),
});

export const sampleRecordSchema = z.object({
  step: count,
  tokens: z.number().nonnegative(),
  samples: z.array(z.object({ prompt: z.string(), greedy: z.string(), sampled: z.string() })),
});

export const checkpointIndexSchema = z.object({
  checkpoints: z.array(z.object({ step: count, tokens: z.number().nonnegative(), dir: z.string().min(1) })),
});

/**
 * RUN/checkpoints/step-N/manifest.json: size and sha256 of every other file, each a plain
 * file name in the directory; the weights and their config are always among them.
 */
export const manifestSchema = z.strictObject({
  files: z
    .record(
      z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'expected a file name in the checkpoint directory'),
      z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256'), bytes: count }),
    )
    .refine(
      (files) => 'model.safetensors' in files && 'config.json' in files,
      'expected model.safetensors and config.json among the files',
    ),
});
export type Manifest = z.output<typeof manifestSchema>;

// Compile-time checks: every record of the contract passes these schemas...
type Accepts<Wide, Narrow extends Wide> = Narrow;
export type _Checks = [
  Accepts<z.output<typeof trainRecordSchema>, TrainRecord>,
  Accepts<z.output<typeof valRecordSchema>, ValRecord>,
  Accepts<z.output<typeof probeRecordSchema>, ProbeRecord>,
  Accepts<z.output<typeof sampleRecordSchema>, SampleRecord>,
  Accepts<z.output<typeof checkpointIndexSchema>, CheckpointIndex>,
  // ...and probe and sample records parse to the contract's types exactly.
  Accepts<ProbeRecord, z.output<typeof probeRecordSchema>>,
  Accepts<SampleRecord, z.output<typeof sampleRecordSchema>>,
];
