/**
 * A live line chart over uPlot (canvas): each series is raw (x, y) columns; what is drawn
 * is min/max-decimated to the chart's pixel columns for the visible x range (re-cut on zoom
 * and on new data, correct on a log axis), optionally smoothed with a debiased EMA drawn
 * over the faint raw curve. Drag to zoom, double-click to see everything again.
 */
import uPlot from 'uplot';
import { debiasedEma, decimate, FIRST_CHART, formatTick, formatValue, smoothedColumn } from '../series.js';
import { chartToolbar } from './export.js';

export interface SeriesInput {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  /** Drawn as points (validation, probes) rather than a line. */
  points?: boolean;
  /** Smooth this series when the chart's smoothing is on (train curves). */
  smooth?: boolean;
  dash?: number[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  logX: boolean;
  logY?: boolean;
  /** EMA weight in [0, 1); 0 draws the raw curve only. */
  smoothing: number;
  height?: number;
  /** Fixed y range (accuracies). */
  yRange?: [number, number];
}

export const PALETTE = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#ff7f0e',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#7f7f7f',
  '#bcbd22',
];

function faint(color: string): string {
  return color + '40';
}

export class LineChart {
  readonly el: HTMLElement;
  private plot: uPlot | null = null;
  private series: SeriesInput[] = [];
  private zoom: [number, number] | null = null;
  /** The x range drawn: the zoom, or all the data. */
  private range: [number, number] = [1, 10];
  private readonly body: HTMLElement;

  constructor(private opts: ChartOptions) {
    this.el = document.createElement('figure');
    this.el.className = 'chart';
    const cap = document.createElement('figcaption');
    cap.textContent = opts.title;
    this.body = document.createElement('div');
    this.el.append(
      cap,
      chartToolbar(() => this.exportable(), opts.title),
      this.body,
    );
  }

  setOptions(opts: Partial<ChartOptions>): void {
    const rebuild = opts.logX !== undefined && opts.logX !== this.opts.logX;
    this.opts = { ...this.opts, ...opts };
    if (rebuild) {
      this.plot?.destroy();
      this.plot = null;
      this.zoom = null;
    }
    this.draw();
  }

  setData(series: SeriesInput[]): void {
    this.series = series;
    this.draw();
  }

  /** The x range holding every drawable point (x sorted ascending: only each end is looked at). */
  private fullRange(): [number, number] {
    let lo = Infinity;
    let hi = -Infinity;
    const drawable = (s: SeriesInput, i: number) => Number.isFinite(s.y[i]) && (!this.opts.logX || s.x[i] > 0);
    for (const s of this.series) {
      for (let i = 0; i < s.x.length; i++) {
        if (!drawable(s, i)) continue;
        lo = Math.min(lo, s.x[i]);
        break;
      }
      for (let i = s.x.length - 1; i >= 0; i--) {
        if (!drawable(s, i)) continue;
        hi = Math.max(hi, s.x[i]);
        break;
      }
    }
    if (!Number.isFinite(lo)) return [1, 10];
    if (lo === hi) return this.opts.logX ? [lo / 2, hi * 2] : [lo - 1, hi + 1];
    return [lo, hi];
  }

  /** Decimated, aligned data and uPlot series for the visible range. */
  private build(width: number, [lo, hi]: [number, number]): { data: uPlot.AlignedData; series: uPlot.Series[] } {
    const columns = Math.max(50, Math.round(width));
    const tables: uPlot.AlignedData[] = [];
    const value = (_u: uPlot, v: number | null) => formatValue(v);
    const series: uPlot.Series[] = [{ label: this.opts.xLabel, value }];
    for (const s of this.series) {
      const smooth = s.smooth && this.opts.smoothing > 0;
      const raw = decimate(s.x, s.y, lo, hi, columns, this.opts.logX);
      tables.push([raw.x, raw.y]);
      const points = s.points ? { show: true, size: 6, fill: s.color } : { show: false };
      series.push({
        label: smooth ? `${s.label} (raw)` : s.label,
        value,
        stroke: smooth ? faint(s.color) : s.color,
        width: s.points ? 0 : smooth ? 1 : 1.5,
        dash: s.dash,
        spanGaps: true,
        points,
        paths: s.points ? () => null : undefined,
      });
      if (smooth) {
        const ys =
          s.y instanceof Float64Array
            ? smoothedColumn(s.y, this.opts.smoothing)
            : debiasedEma(s.y, this.opts.smoothing);
        const sm = decimate(s.x, ys, lo, hi, columns, this.opts.logX);
        tables.push([sm.x, sm.y]);
        series.push({ label: s.label, value, stroke: s.color, width: 2, spanGaps: true, points: { show: false } });
      }
    }
    const data = tables.length ? uPlot.join(tables as uPlot.AlignedData[]) : ([[]] as unknown as uPlot.AlignedData);
    return { data, series };
  }

  draw(): void {
    if (!this.el.isConnected) return;
    const width = Math.max(300, this.body.clientWidth || 640);
    this.range = this.zoom ?? this.fullRange();
    const [lo, hi] = this.range;
    const { data, series } = this.build(width, this.range);
    const sig = series.map((s) => `${s.label}|${String(s.stroke)}`).join(';');
    if (this.plot && (this.plot as unknown as { _sig: string })._sig !== sig) {
      this.plot.destroy();
      this.plot = null;
    }
    if (!this.plot) {
      const o = this.opts;
      const opts: uPlot.Options = {
        width,
        height: o.height ?? 260,
        series,
        scales: {
          x: {
            time: false,
            distr: o.logX ? 3 : 1,
            log: 10,
            range: () => [this.range[0], this.range[1]],
          },
          y: { distr: o.logY ? 3 : 1, log: 10, range: o.yRange ? () => o.yRange! : undefined },
        },
        axes: [
          {
            label: o.xLabel,
            values: (_u, vals) => vals.map(formatTick),
            splits: o.logX ? (_u, _i, min, max) => logSplits(min, max) : undefined,
          },
          { label: o.yLabel, size: 60, values: (_u, vals) => vals.map(formatTick) },
        ],
        legend: { live: true },
        cursor: { drag: { x: true, y: false, setScale: false } },
        hooks: {
          draw: [markFirstChart],
          setSelect: [
            (u) => {
              if (u.select.width < 3) return;
              const a = u.posToVal(u.select.left, 'x');
              const b = u.posToVal(u.select.left + u.select.width, 'x');
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              this.zoom = [a, b];
              this.draw();
            },
          ],
        },
      };
      this.plot = new uPlot(opts, data, this.body);
      (this.plot as unknown as { _sig: string })._sig = sig;
      this.plot.over.addEventListener('dblclick', () => {
        this.zoom = null;
        this.draw();
      });
    } else {
      this.plot.setData(data, false);
      this.plot.setScale('x', { min: lo, max: hi });
    }
  }

  /** The drawn chart, for export. */
  private exportable(): { canvas: HTMLCanvasElement; plot: uPlot } | null {
    return this.plot ? { canvas: this.plot.ctx.canvas, plot: this.plot } : null;
  }

  resize(): void {
    if (this.plot) this.plot.setSize({ width: Math.max(300, this.body.clientWidth), height: this.opts.height ?? 260 });
    this.draw();
  }

  destroy(): void {
    this.plot?.destroy();
  }
}

/** The page's first chart with points on it is drawn: a performance mark (the open-time benchmark reads it). */
function markFirstChart(u: uPlot): void {
  if (u.data[0].length > 0 && performance.getEntriesByName(FIRST_CHART).length === 0) performance.mark(FIRST_CHART);
}

/** Ticks of a log axis: the powers of ten in range, with 2x and 5x when it spans under three decades. */
export function logSplits(min: number, max: number): number[] {
  const out: number[] = [];
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) return out;
  const few = Math.log10(max / min) < 3;
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of few ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e;
      if (v >= min && v <= max) out.push(v);
    }
  }
  return out;
}
