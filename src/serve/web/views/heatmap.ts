/** A matrix as a heatmap on a canvas (rows top to bottom), with PNG export. */
import { h } from '../dom.js';
import { chartToolbar } from '../export.js';

function colour(t: number): string {
  // white -> dark blue
  const v = Math.max(0, Math.min(1, t));
  return `rgb(${Math.round(255 - 225 * v)},${Math.round(255 - 185 * v)},${Math.round(255 - 90 * v)})`;
}

const fill = (v: number, lo: number, hi: number) =>
  Number.isFinite(v) ? colour((v - lo) / (hi - lo || 1)) : '#f4f4f4';

export function heatmap(title: string, rows: number[][], rowLabel: string, colLabel: string, cell = 6): HTMLElement {
  const nr = rows.length;
  const nc = Math.max(0, ...rows.map((r) => r.length));
  const canvas = h('canvas', { width: String(Math.max(1, nc * cell)), height: String(Math.max(1, nr * cell)) });
  const ctx = canvas.getContext('2d')!;
  const finite = rows.flat().filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  rows.forEach((r, i) =>
    r.forEach((v, j) => {
      ctx.fillStyle = fill(v, lo, hi);
      ctx.fillRect(j * cell, i * cell, cell, cell);
    }),
  );
  const fig = h('figure', { class: 'chart' }, h('figcaption', {}, title));
  fig.append(
    chartToolbar(() => ({ svg: async () => heatmapSvg(rows, lo, hi, cell) }), title),
    h(
      'div',
      { class: 'muted' },
      `rows: ${rowLabel} · columns: ${colLabel} · range ${lo.toPrecision(3)} to ${hi.toPrecision(3)}`,
    ),
    canvas,
  );
  return fig;
}

function heatmapSvg(rows: number[][], lo: number, hi: number, cell: number): string {
  const nc = Math.max(0, ...rows.map((r) => r.length));
  const rects = rows.flatMap((r, i) =>
    r.map(
      (v, j) => `<rect x="${j * cell}" y="${i * cell}" width="${cell}" height="${cell}" fill="${fill(v, lo, hi)}"/>`,
    ),
  );
  const size = `width="${nc * cell}" height="${rows.length * cell}"`;
  return `<svg xmlns="http://www.w3.org/2000/svg" ${size}>${rects.join('')}</svg>`;
}
