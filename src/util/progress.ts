/**
 * Progress for long work: a redrawn bar with rate and ETA on a terminal, plain lines at a
 * slow cadence elsewhere (CI logs, pipes), or nothing. One shared reporter so every
 * command shows progress the same way.
 *
 *   const p = startProgress('encode', { total: bytes, unit: 'MB', scale: 1e6 });
 *   p.advance(chunk); ... p.done();
 */

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'silent';

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** Amount of work in all; unknown totals show a count and rate, no bar or ETA. */
  total?: number;
  /** Unit shown after counts ("docs", "MB"). */
  unit?: string;
  /** Counts are divided by this before display (1e6 shows bytes as MB). */
  scale?: number;
  /** auto: a bar on a TTY unless CI is set, lines otherwise. */
  mode?: ProgressMode;
  stream?: ProgressStream;
  /** Milliseconds clock (tests pass a fake one). */
  now?: () => number;
  /** Minimum milliseconds between redraws (bar) or lines. */
  intervalMs?: number;
}

export interface Progress {
  /** Adds `n` (default 1) to the work done. */
  advance(n?: number): void;
  /** Sets the work done; `note` (e.g. "loss 3.21") is shown after the counts until replaced. */
  update(done: number, note?: string): void;
  /** Ends the progress with a summary line (count, time, rate; plus `note`). */
  done(note?: string): void;
}

/** Formats seconds as 1m05s / 12.3s. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return `${m}m${String(s).padStart(2, '0')}s`;
}

function formatCount(x: number): string {
  if (x >= 100 || Number.isInteger(x)) return Math.round(x).toLocaleString('en-US');
  return x.toFixed(x >= 10 ? 1 : 2);
}

export function resolveMode(
  mode: ProgressMode,
  stream: ProgressStream,
  env: NodeJS.ProcessEnv = process.env,
): Exclude<ProgressMode, 'auto'> {
  if (mode !== 'auto') return mode;
  return stream.isTTY && !env.CI ? 'bar' : 'lines';
}

export function startProgress(label: string, opts: ProgressOptions = {}): Progress {
  const stream = opts.stream ?? process.stderr;
  const mode = resolveMode(opts.mode ?? 'auto', stream);
  const now = opts.now ?? (() => performance.now());
  const scale = opts.scale ?? 1;
  const unit = opts.unit ? ` ${opts.unit}` : '';
  const interval = opts.intervalMs ?? (mode === 'bar' ? 100 : 5000);
  const start = now();
  let doneSoFar = 0;
  let note = '';
  let lastDraw = -Infinity;
  let finished = false;

  const status = (): string => {
    const elapsed = (now() - start) / 1000;
    const rate = elapsed > 0 ? doneSoFar / scale / elapsed : 0;
    const counts =
      opts.total !== undefined
        ? `${formatCount(doneSoFar / scale)}/${formatCount(opts.total / scale)}${unit}`
        : `${formatCount(doneSoFar / scale)}${unit}`;
    let text = `${counts}${note ? `  ${note}` : ''}  ${formatCount(rate)}${unit}/s`;
    if (opts.total !== undefined && opts.total > 0 && rate > 0) {
      const eta = (opts.total - doneSoFar) / scale / rate;
      text = `${Math.floor((100 * doneSoFar) / opts.total)}% ${text}  ETA ${formatDuration(eta)}`;
    }
    return text;
  };

  const draw = (force: boolean) => {
    if (mode === 'silent' || finished) return;
    const t = now();
    if (!force && t - lastDraw < interval) return;
    lastDraw = t;
    if (mode === 'bar') {
      const width = 24;
      const frac = opts.total ? Math.min(1, doneSoFar / opts.total) : 0;
      const bar = opts.total ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '-')}] ` : '';
      const line = `${label} ${bar}${status()}`;
      const cols = stream.columns ?? 100;
      stream.write(`\r\x1b[2K${line.slice(0, cols - 1)}`);
    } else {
      stream.write(`${label}: ${status()}\n`);
    }
  };

  return {
    advance(n = 1) {
      doneSoFar += n;
      draw(false);
    },
    update(done, newNote) {
      doneSoFar = done;
      if (newNote !== undefined) note = newNote;
      draw(false);
    },
    done(note) {
      if (finished) return;
      if (mode !== 'silent') {
        const elapsed = (now() - start) / 1000;
        const rate = elapsed > 0 ? ` (${formatCount(doneSoFar / scale / elapsed)}${unit}/s)` : '';
        const summary = `${label}: ${formatCount(doneSoFar / scale)}${unit} in ${formatDuration(elapsed)}${rate}${note ? `; ${note}` : ''}`;
        stream.write(mode === 'bar' ? `\r\x1b[2K${summary}\n` : `${summary}\n`);
      }
      finished = true;
    },
  };
}
