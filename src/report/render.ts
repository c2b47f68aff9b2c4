/**
 * Charts are data (Vega-Lite specs); this turns a spec into SVG headlessly (vega's View
 * with renderer 'none') and the SVG into PNG (resvg). Nothing is fetched: every chart
 * carries its data inline. Warnings from vega-lite and vega are collected, not printed,
 * so the caller can show them (and tests can require there are none).
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fs.js';
import type { ChartFigure } from './html.js';

function collectingLogger(into: string[]) {
  return vega.logger(vega.Warn, undefined, (_method, level, args) => {
    into.push(`${level} ${args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')}`);
  });
}

export async function renderSvg(spec: TopLevelSpec, warnings: string[]): Promise<string> {
  const logger = collectingLogger(warnings);
  const compiled = compile(spec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger, logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** PNG at twice the SVG's size, on white (charts are drawn for a light page). */
export function svgToPng(svg: string): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

/**
 * A renderer of a report's charts: each spec becomes OUT/charts/ID.svg and .png, listed in
 * `out.files`; renderer warnings go to `out.warnings`, prefixed with the chart's id.
 */
export function chartWriter(outDir: string, out: { files: string[]; warnings: string[] }) {
  return async (id: string, spec: TopLevelSpec, caption: string): Promise<ChartFigure> => {
    const chartWarnings: string[] = [];
    const svg = await renderSvg(spec, chartWarnings);
    out.warnings.push(...chartWarnings.map((w) => `chart ${id}: ${w}`));
    const svgFile = join('charts', `${id}.svg`);
    const pngFile = join('charts', `${id}.png`);
    writeFileAtomic(join(outDir, svgFile), svg);
    writeFileAtomic(join(outDir, pngFile), svgToPng(svg));
    out.files.push(join(outDir, svgFile), join(outDir, pngFile));
    return { id, svg, caption, svgFile, pngFile };
  };
}
