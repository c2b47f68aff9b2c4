/**
 * DIR/report.md (pure): the answer as the first paragraph, then the question, the design,
 * the numbers behind the answer and the cells, each a run directory to open with `slurry
 * report`.
 */
import type { Answer, Experiment, Scale, Table } from './types.js';

export interface ReportContext {
  scale: Scale;
  seeds: number;
  cells: { arm: string; seed: number; hash: string; dir: string }[];
}

export function renderReport(experiment: Experiment, answer: Answer, ctx: ReportContext): string {
  const lines = [
    `# ${experiment.name}`,
    '',
    answer.sentence,
    '',
    `**Question.** ${experiment.question}`,
    '',
    '## Design',
    '',
    `- Varies: ${experiment.design.varies}.`,
    `- Held equal: ${experiment.design.heldEqual}.`,
    `- Measured: ${experiment.design.measure}.`,
    `- Seeds: ${ctx.seeds} per arm (initialisation and data order), scale ${ctx.scale}.`,
    '- Rule: a mean over seeds with a 95% interval (the Student-t interval across seeds and, where the number comes ' +
      "from probe items, the seeds' intervals over items, added in quadrature); two arms differ only where the " +
      'intervals do not overlap, otherwise "no difference shown".',
    '',
    ...answer.tables.flatMap(markdownTable),
    '## Cells',
    '',
    ...markdownTable({
      title: '',
      header: ['arm', 'seed', 'run directory'],
      rows: ctx.cells.map((c) => [c.arm, String(c.seed), c.dir]),
    }),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}

function markdownTable(t: Table): string[] {
  const row = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    ...(t.title ? [`## ${t.title}`, ''] : []),
    row(t.header),
    row(t.header.map(() => '---')),
    ...t.rows.map(row),
    '',
  ];
}
