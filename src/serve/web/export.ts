/**
 * PNG and SVG export of any chart. A canvas chart (uPlot) gives its PNG from the canvas and
 * its SVG rebuilt from the same drawn (decimated) points, ticks and colours; an SVG chart
 * (the waves) gives its SVG as served and its PNG drawn from it onto a canvas.
 */
import type uPlot from 'uplot';
import { formatTick } from '../series.js';

type Source = { canvas: HTMLCanvasElement; plot: uPlot } | { svg: () => Promise<string> };

export function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

const fileName = (title: string, ext: string) =>
  `${
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'chart'
  }.${ext}`;

export function chartToolbar(source: () => Source | null, title: string): HTMLElement {
  const bar = document.createElement('div');
  bar.className = 'toolbar';
  for (const kind of ['png', 'svg'] as const) {
    const b = document.createElement('button');
    b.textContent = kind.toUpperCase();
    b.title = `download this chart as ${kind.toUpperCase()}`;
    b.dataset.export = kind;
    b.addEventListener('click', async () => {
      const s = source();
      if (!s) return;
      const blob =
        kind === 'png' ? await pngOf(s, title) : new Blob([await svgOf(s, title)], { type: 'image/svg+xml' });
      download(fileName(title, kind), blob);
    });
    bar.append(b);
  }
  return bar;
}

async function pngOf(s: Source, title: string): Promise<Blob> {
  let src: CanvasImageSource;
  let w: number;
  let h: number;
  if ('canvas' in s) {
    src = s.canvas;
    w = s.canvas.width;
    h = s.canvas.height;
  } else {
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([await s.svg()], { type: 'image/svg+xml' }));
    await img.decode();
    src = img;
    w = img.naturalWidth * 2;
    h = img.naturalHeight * 2;
  }
  const head = 'canvas' in s ? 28 * devicePixelRatio : 0;
  const out = document.createElement('canvas');
  out.width = w;
  out.height = h + head;
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, out.width, out.height);
  if (head) {
    ctx.fillStyle = '#222';
    ctx.font = `${14 * devicePixelRatio}px sans-serif`;
    ctx.fillText(title, 8 * devicePixelRatio, 19 * devicePixelRatio);
  }
  ctx.drawImage(src, 0, head, w, h);
  return new Promise((resolve, reject) =>
    out.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG export failed'))), 'image/png'),
  );
}

const esc = (t: string) => t.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

async function svgOf(s: Source, title: string): Promise<string> {
  if (!('plot' in s)) return s.svg();
  const u = s.plot;
  const dpr = devicePixelRatio;
  const left = u.bbox.left / dpr;
  const top = u.bbox.top / dpr + 24;
  const w = u.bbox.width / dpr;
  const h = u.bbox.height / dpr;
  const W = left + w + 20;
  const H = top + h + 50;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="16" font-size="14">${esc(title)}</text>`,
    `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
  ];
  const splits = (i: number): number[] =>
    ((u.axes[i] as unknown as { _splits?: number[] })._splits ?? []).filter((v) => v != null);
  for (const v of splits(0)) {
    const x = left + u.valToPos(v, 'x');
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${top}" y2="${top + h}" stroke="#eee"/>`,
      `<text x="${x}" y="${top + h + 14}" text-anchor="middle">${formatTick(v)}</text>`,
    );
  }
  for (const v of splits(1)) {
    const y = top + u.valToPos(v, 'y');
    parts.push(
      `<line x1="${left}" x2="${left + w}" y1="${y}" y2="${y}" stroke="#eee"/>`,
      `<text x="${left - 4}" y="${y + 4}" text-anchor="end">${formatTick(v)}</text>`,
    );
  }
  parts.push(
    `<text x="${left + w / 2}" y="${top + h + 32}" text-anchor="middle">${esc(String(u.axes[0].label ?? ''))}</text>`,
  );
  const legend: string[] = [];
  u.series.forEach((ser, i) => {
    if (i === 0 || ser.show === false) return;
    const xs = u.data[0];
    const ys = u.data[i];
    const pts: string[] = [];
    for (let k = 0; k < xs.length; k++) {
      const y = ys[k];
      if (y == null || !Number.isFinite(y)) continue;
      pts.push(`${(left + u.valToPos(xs[k], 'x')).toFixed(1)},${(top + u.valToPos(y, 'y')).toFixed(1)}`);
    }
    const stroke = typeof ser.stroke === 'function' ? '#333' : String(ser.stroke ?? '#333');
    const pointsOnly = (ser.width ?? 1) === 0;
    if (pointsOnly)
      for (const p of pts)
        parts.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="2.5" fill="${stroke}"/>`);
    else
      parts.push(
        `<polyline fill="none" stroke="${stroke}" stroke-width="${ser.width ?? 1}" points="${pts.join(' ')}"/>`,
      );
    legend.push(
      `<text x="${left + 8 + (legend.length % 4) * 150}" y="${top + h + 46}" fill="${stroke}">` +
        `${esc(String(ser.label ?? ''))}</text>`,
    );
  });
  parts.push(...legend, '</svg>');
  return parts.join('\n');
}
