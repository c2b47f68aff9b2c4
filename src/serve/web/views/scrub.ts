/**
 * The checkpoint scrubber: pick a probed step; see its samples and, per suite, the items
 * the model gets wrong and right there (a minimal pair's two sentences, a cloze prompt and
 * answer) with the continuous score (the log-prob margin, or the answer's probability).
 */
import { getJson, LiveRun, runQuery, type ItemRow, type RunMeta, type SuiteItems } from '../api.js';
import { errorPanel, fmt, fmtTokens, h, setParams } from '../dom.js';
import { runHeader } from './run-header.js';

const SHOWN = 30;

function itemView(it: ItemRow, continuous: string): HTMLElement {
  const t = it.text;
  const body: (HTMLElement | string)[] = [];
  if (t?.good !== undefined)
    body.push(h('div', { class: 'good' }, '✓ ', t.good), h('div', { class: 'bad' }, '✗ ', t.bad ?? ''));
  else if (t?.prompt !== undefined) body.push(h('div', {}, t.prompt, h('span', { class: 'answer' }, t.answer ?? '')));
  else body.push(h('div', { class: 'muted' }, it.id));
  return h(
    'li',
    { class: it.d >= 0.5 ? 'right' : 'wrong', 'data-item': it.id },
    ...body,
    h('div', { class: 'muted' }, `${it.group}${it.control ? ' (control)' : ''} · ${continuous} ${fmt(it.c, 3)}`),
  );
}

function suiteView(s: SuiteItems): HTMLElement {
  const wrong = s.items.filter((i) => i.d < 0.5);
  const right = s.items.filter((i) => i.d >= 0.5).reverse();
  const list = (title: string, rows: ItemRow[], cls: string) =>
    h(
      'div',
      { class: cls },
      h('h4', {}, `${title} (${rows.length})`),
      h('ol', {}, ...rows.slice(0, SHOWN).map((i) => itemView(i, s.continuous))),
      rows.length > SHOWN ? h('p', { class: 'muted' }, `… and ${rows.length - SHOWN} more`) : null,
    );
  return h(
    'details',
    { class: 'suite', open: true, 'data-suite': s.suite },
    h('summary', {}, `${s.suite}: ${s.right} of ${s.n} right (${s.discrete}), ordered by ${s.continuous}`),
    s.note ? h('p', { class: 'muted' }, s.note) : null,
    h(
      'div',
      { class: 'pair' },
      list('wrong, worst first', wrong, 'wrong'),
      list('right, surest first', right, 'right'),
    ),
  );
}

export function scrubView(app: HTMLElement, q: URLSearchParams): () => void {
  const run = q.get('run') ?? '';
  let step = q.get('step') === null ? null : Number(q.get('step'));
  const header = h('div');
  const errors = h('div');
  const slider = h('input', { type: 'range', min: '0', max: '0', step: '1', 'aria-label': 'checkpoint' });
  const label = h('span', { class: 'steplabel' });
  const samples = h('section', { class: 'samples' });
  const suites = h('section');
  let steps: { step: number; tokens: number }[] = [];
  let loaded = '';
  const live = new LiveRun(run, (what) => what === 'meta' && refresh());
  app.append(
    header,
    errors,
    h('div', { class: 'controls' }, h('label', {}, 'checkpoint ', slider), label),
    samples,
    suites,
  );

  slider.addEventListener('input', () => {
    const s = steps[Number(slider.value)];
    if (!s) return;
    step = s.step;
    setParams({ step: String(step) });
    show();
  });

  function refresh(): void {
    const m = live.meta;
    if (!m) return;
    header.replaceChildren(runHeader(m, 'scrub'));
    errors.replaceChildren(errorPanel(m.errors) ?? '');
    const byStep = new Map<number, number>();
    for (const p of m.probes) byStep.set(p.step, p.tokens);
    for (const s of m.samples) byStep.set(s.step, s.tokens);
    steps = [...byStep].map(([s, t]) => ({ step: s, tokens: t })).sort((a, b) => a.step - b.step);
    slider.max = String(Math.max(0, steps.length - 1));
    if (steps.length === 0) {
      label.textContent = 'no checkpoint probed yet';
      return;
    }
    if (step === null || !byStep.has(step)) step = steps[steps.length - 1].step;
    slider.value = String(steps.findIndex((s) => s.step === step));
    show();
  }

  async function show(): Promise<void> {
    const m = live.meta as RunMeta;
    const at = steps.find((s) => s.step === step);
    if (!at) return;
    label.textContent = `step ${at.step} · ${fmtTokens(at.tokens)} tokens`;
    const key = `${at.step}:${m.probes.filter((p) => p.step === at.step).length}`;
    const rec = m.samples.find((s) => s.step === at.step);
    samples.replaceChildren(
      h('h3', {}, 'Samples'),
      rec
        ? h(
            'dl',
            {},
            ...rec.samples.flatMap((s) => [
              h('dt', {}, s.prompt),
              h('dd', {}, h('span', { class: 'muted' }, 'greedy: '), s.greedy),
              h('dd', {}, h('span', { class: 'muted' }, 'sampled: '), s.sampled),
            ]),
          )
        : h('p', { class: 'muted' }, 'no samples at this checkpoint'),
    );
    if (key === loaded) return;
    loaded = key;
    try {
      const r = await getJson<{ suites: SuiteItems[] }>(`/api/items?${runQuery(run)}&step=${at.step}`);
      if (step !== at.step) return;
      suites.replaceChildren(h('h3', {}, 'Probe items'), ...r.suites.map(suiteView));
      app.dataset.step = String(at.step);
    } catch (err) {
      suites.replaceChildren(errorPanel([String(err)])!);
    }
  }

  live.open().then(refresh, (err) => errors.replaceChildren(errorPanel([String(err)])!));
  return () => live.close();
}
