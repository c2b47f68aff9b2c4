/** Small DOM helpers: elements from data (text is always text, never parsed as HTML). */

type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children)
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

/** A link to another view of the page (navigates without reloading). */
export function viewLink(params: Record<string, string | string[]>, text: string): HTMLAnchorElement {
  const a = h('a', { href: `?${query(params)}` }, text);
  a.addEventListener('click', (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    navigate(params);
  });
  return a;
}

export function query(params: Record<string, string | string[]>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) q.append(k, x);
  return q.toString();
}

export function navigate(params: Record<string, string | string[]>, replace = false): void {
  const url = `?${query(params)}`;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  window.dispatchEvent(new Event('slurry:navigate'));
}

/** Changes some parameters of the current view in place (the URL stays shareable). */
export function setParams(changes: Record<string, string | null>): void {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) q.delete(k);
    else q.set(k, v);
  }
  history.replaceState(null, '', `?${q}`);
}

export function errorPanel(errors: string[]): HTMLElement | null {
  if (errors.length === 0) return null;
  return h(
    'div',
    { class: 'errors', role: 'alert' },
    h('strong', {}, "Problems in this run's files"),
    h('ul', {}, ...errors.map((e) => h('li', {}, e))),
  );
}

export const fmt = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : `${+v.toPrecision(digits)}`;

export function fmtTokens(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)}B`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return String(v);
}

/** A labelled control row for a view's options. */
export function controls(...items: Node[]): HTMLElement {
  return h('div', { class: 'controls' }, ...items);
}

export function select(
  label: string,
  value: string,
  options: [string, string][],
  onChange: (v: string) => void,
): HTMLElement {
  const s = h(
    'select',
    { 'aria-label': label },
    ...options.map(([v, t]) => h('option', { value: v, selected: v === value }, t)),
  );
  s.addEventListener('change', () => onChange(s.value));
  return h('label', {}, `${label} `, s);
}
