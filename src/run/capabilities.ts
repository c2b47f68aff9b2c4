/**
 * The capabilities slurry measures and the built-in probe suite that measures each, in the
 * order of the claimed stages: the one table analysis (suite order, exposure buckets),
 * probes (the built-in suites) and the report (titles and captions) read. A suite's name is
 * what RUN/probes.jsonl records; external suites (BLiMP files) follow by name.
 */
export interface Capability {
  /** The probe suite (ProbeRecord.suite). */
  suite: string;
  /** What the suite measures, in words. */
  capability: string;
  /** Facts suites: items are grouped by how often the fact occurs in the corpus. */
  exposure?: {
    /** Title of the analysis's exposure summary. */
    summary: string;
    /** Title of the report's chart. */
    chart: string;
    /** Start of the chart's caption. */
    caption: string;
  };
}

export const CAPABILITIES: readonly Capability[] = [
  { suite: 'tokens', capability: 'token statistics' },
  { suite: 'syntax', capability: 'syntax' },
  // The template paradigms, charted beside natural syntax: implausible sentences whose
  // pairs a small model can tell apart by word frequency alone (probes/suites/syntax.ts).
  { suite: 'syntax_templates', capability: 'syntax in template sentences' },
  {
    suite: 'recall',
    capability: 'stored facts',
    exposure: {
      summary: 'Facts recalled in a training phrasing by exposure',
      chart: 'Facts in a training phrasing',
      caption: 'Facts asked in a phrasing seen in training',
    },
  },
  {
    suite: 'facts',
    capability: 'facts',
    exposure: {
      summary: 'Facts in held-out phrasings by exposure',
      chart: 'Facts in held-out phrasings',
      caption: 'Facts asked in phrasings never seen in training',
    },
  },
  { suite: 'reasoning', capability: 'reasoning' },
  { suite: 'icl', capability: 'in-context learning' },
];

/** The built-in capability suites in stage order. */
export const CAPABILITY_SUITES: readonly string[] = CAPABILITIES.map((c) => c.suite);

/** The capability a suite measures, if it is a built-in one. */
export function capabilityOf(suite: string): Capability | undefined {
  return CAPABILITIES.find((c) => c.suite === suite);
}

/** Suites whose item groups are exposure buckets (head, torso, tail, unseen). */
export const EXPOSURE_SUITES: readonly string[] = CAPABILITIES.filter((c) => c.exposure).map((c) => c.suite);
