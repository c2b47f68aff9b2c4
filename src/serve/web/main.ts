/**
 * The dashboard page: one view at a time, chosen by the query string (?view=curves&run=…),
 * so every view is a link. Navigation swaps views without reloading.
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { h, viewLink } from './dom.js';
import { compareView } from './views/compare.js';
import { curvesView } from './views/curves.js';
import { grokView } from './views/grok.js';
import { interpView } from './views/interp.js';
import { runsView } from './views/runs.js';
import { scrubView } from './views/scrub.js';
import { wavesView } from './views/waves.js';

type View = (app: HTMLElement, q: URLSearchParams) => () => void;

const VIEWS: Record<string, View> = {
  runs: runsView,
  curves: curvesView,
  waves: wavesView,
  scrub: scrubView,
  compare: compareView,
  grok: grokView,
  interp: interpView,
};

let cleanup: (() => void) | null = null;

function route(): void {
  const q = new URLSearchParams(location.search);
  if (q.has('token')) {
    // The server has set its cookie: keep the token out of the address bar and of shared links.
    q.delete('token');
    history.replaceState(null, '', `?${q}`);
  }
  cleanup?.();
  const app = document.getElementById('app')!;
  app.replaceChildren();
  const name = q.get('view') ?? 'runs';
  const view = VIEWS[name];
  app.dataset.view = name;
  if (!view) {
    app.append(h('p', { class: 'errors' }, `no view called "${name}"`));
    cleanup = null;
    return;
  }
  cleanup = view(app, q);
}

document.getElementById('home')!.replaceChildren(viewLink({ view: 'runs' }, 'slurry'));
window.addEventListener('popstate', route);
window.addEventListener('slurry:navigate', route);
route();
