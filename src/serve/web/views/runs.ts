/** Every run under ROOT, live: status, config summary, tokens, last loss; pick runs to compare. */
import type { RunListEntry } from '../api.js';
import { fmt, fmtTokens, h, navigate, viewLink } from '../dom.js';

export function runsView(app: HTMLElement): () => void {
  const chosen = new Set<string>();
  const table = h('table', { class: 'runs' });
  const compare = h('button', { disabled: true }, 'Compare selected');
  compare.addEventListener('click', () => navigate({ view: 'compare', run: [...chosen] }));
  const empty = h('p', { class: 'muted' });
  app.append(h('h2', {}, 'Runs'), h('div', { class: 'controls' }, compare), empty, table);

  const render = (runs: RunListEntry[]) => {
    empty.textContent = runs.length
      ? ''
      : 'No run directories under ROOT yet (a run directory has metrics.jsonl or probes.jsonl).';
    const keys = [...new Set(runs.flatMap((r) => Object.keys(r.config)))];
    table.replaceChildren(
      h(
        'tr',
        {},
        h('th'),
        h('th', {}, 'run'),
        h('th', {}, 'status'),
        ...keys.map((k) => h('th', {}, k)),
        h('th', {}, 'step'),
        h('th', {}, 'tokens'),
        h('th', {}, 'loss'),
        h('th', {}, 'checkpoints'),
        h('th', {}, 'probed'),
      ),
      ...runs.map((r) => {
        const box = h('input', { type: 'checkbox', 'aria-label': `select ${r.run}`, checked: chosen.has(r.run) });
        box.addEventListener('change', () => {
          if (box.checked) chosen.add(r.run);
          else chosen.delete(r.run);
          compare.disabled = chosen.size < 2;
        });
        const view = r.kind === 'grok' ? 'grok' : 'curves';
        return h(
          'tr',
          { 'data-run': r.run },
          h('td', {}, box),
          h(
            'td',
            {},
            viewLink({ view, run: r.run }, r.run || '(ROOT)'),
            r.error ? h('div', { class: 'error' }, r.error) : null,
          ),
          h('td', {}, h('span', { class: `status ${r.status}`, title: r.status_reason }, r.status)),
          ...keys.map((k) => h('td', {}, r.config[k] === undefined ? '' : String(r.config[k]))),
          h('td', { class: 'num' }, r.step ?? '–'),
          h('td', { class: 'num' }, fmtTokens(r.tokens)),
          h('td', { class: 'num' }, fmt(r.loss)),
          h('td', { class: 'num' }, r.checkpoints),
          h('td', { class: 'num' }, r.probed_steps),
        );
      }),
    );
  };
  const source = new EventSource('/api/events?list=1');
  source.addEventListener('runs', (e) => render(JSON.parse((e as MessageEvent).data) as RunListEntry[]));
  return () => source.close();
}
