/**
 * What the server sends and the page reads (types only, so the page's bundle can share
 * them): the runs list, a run's meta, and a checkpoint's items.
 */
import type { InterpPoint } from './interp-curves.js';
import type { ProbeRecord, SampleRecord } from '../run/records.js';

export type RunKind = 'train' | 'grok';
export type RunStatus = 'training' | 'probing' | 'done' | 'failed' | 'empty';

/** A probe record without its items (items come per checkpoint, from /api/items). */
export interface ProbeSummary extends Omit<ProbeRecord, 'items'> {
  n: number;
}

export interface RunMeta {
  run: string;
  kind: RunKind;
  status: RunStatus;
  /** Why the status is what it is, in words. */
  status_reason: string;
  config: Record<string, unknown> | null;
  checkpoints: { step: number; tokens: number; dir: string }[];
  probes: ProbeSummary[];
  samples: SampleRecord[];
  analysis: unknown;
  /** The report's plain-language verdict paragraphs, from analysis.json. */
  verdict_text: string[];
  /** A grokking run's summary.json. */
  summary: unknown;
  /** Interpretability results (RUN/interp/*.json), when `slurry interp` wrote any. */
  interp: { name: string; value: unknown }[];
  /** RUN/interp.jsonl, one point per measured checkpoint, cut to what the curves draw. */
  interp_points: InterpPoint[];
  errors: string[];
  tables: Record<string, number>;
  last: { step: number; tokens: number; loss: number | null } | null;
  updated_ms: number;
}

export interface RunListEntry {
  run: string;
  kind: 'train' | 'grok';
  status: RunStatus;
  status_reason: string;
  /** A few config keys: preset, model size, schedule, seed, budget. */
  config: Record<string, string | number>;
  step: number | null;
  tokens: number | null;
  loss: number | null;
  checkpoints: number;
  probed_steps: number;
  updated_ms: number;
  error?: string;
}

export interface ItemText {
  good?: string;
  bad?: string;
  prompt?: string;
  answer?: string;
}

export interface ItemRow {
  id: string;
  group: string;
  d: number;
  c: number;
  control?: boolean;
  text?: ItemText;
}

export interface SuiteItems {
  suite: string;
  discrete: string;
  continuous: string;
  right: number;
  n: number;
  /** Why texts are missing, when they are. */
  note?: string;
  items: ItemRow[];
}
