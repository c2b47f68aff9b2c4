/** The title block of a run's views: name, status, links to its other views. */
import type { RunMeta } from '../api.js';
import { fmt, fmtTokens, h, viewLink } from '../dom.js';

export function runHeader(m: RunMeta, current: string): HTMLElement {
  const views: [string, string][] =
    m.kind === 'grok'
      ? [['grok', 'grokking']]
      : [
          ['curves', 'curves'],
          ['waves', 'waves'],
          ['scrub', 'checkpoints'],
        ];
  if (m.interp.length) views.push(['interp', 'interpretability']);
  const nav = h(
    'nav',
    { class: 'runnav' },
    ...views.map(([v, t]) => (v === current ? h('strong', {}, t) : viewLink({ view: v, run: m.run }, t))),
  );
  const last = m.last
    ? `step ${m.last.step}, ${fmtTokens(m.last.tokens)} tokens, loss ${fmt(m.last.loss)}`
    : 'no training record yet';
  return h(
    'header',
    { class: 'runhead' },
    h('h2', {}, m.run || '(ROOT)'),
    h('span', { class: `status ${m.status}`, 'data-status': m.status, title: m.status_reason }, m.status),
    h('span', { class: 'muted' }, ` ${m.status_reason} · ${last}`),
    nav,
  );
}
