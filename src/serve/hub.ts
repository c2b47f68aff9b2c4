/**
 * Shared state of the server: one RunState per opened run (the least recently used are
 * forgotten past MAX_RUNS), and one poller per run that has live viewers, however many:
 * 50 browsers on one training run cost one poll every POLL_MS and one serialisation per
 * change. The runs list has its own channel, rescanned every LIST_MS while someone watches.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { runPaths } from '../run/layout.js';
import { findRuns } from './discover.js';
import { listEntry } from './run-list.js';
import type { RunListEntry } from './wire.js';
import { RunState } from './run-state.js';
import { event, SseChannel } from './sse.js';

const MAX_RUNS = 16;
/** Bytes of metrics.jsonl read per step of the background warm-up (a few ms of parsing). */
const WARM_SLICE = 1024 * 1024;

export interface HubOptions {
  /** How often a watched run is polled (ms). */
  pollMs: number;
  /** How often the runs list is rescanned while watched (ms). */
  listMs: number;
}

export class Hub {
  private readonly states = new Map<string, RunState>();
  private readonly channels = new Map<string, { channel: SseChannel; timer: NodeJS.Timeout }>();
  private list: { channel: SseChannel; timer: NodeJS.Timeout; last: string } | null = null;
  private warming: NodeJS.Immediate | null = null;
  private closed = false;

  constructor(
    readonly root: string,
    readonly opts: HubOptions,
  ) {}

  /** The run's state, polled up to now. `rel` must already be checked to be a run under root. */
  state(rel: string): RunState {
    let s = this.states.get(rel);
    if (s) {
      this.states.delete(rel);
    } else {
      s = new RunState(join(this.root, rel), rel);
    }
    this.states.set(rel, s);
    if (!this.channels.has(rel)) s.poll();
    for (const key of this.states.keys()) {
      if (this.states.size <= MAX_RUNS) break;
      if (!this.channels.has(key)) this.states.delete(key);
    }
    return s;
  }

  /**
   * Reads the runs under ROOT in the background (the most recently written first, as many
   * as are kept), WARM_SLICE bytes of metrics at a time between requests, so the first page
   * to open a long run finds it parsed rather than waiting for it.
   */
  warm(): void {
    const newest = findRuns(this.root)
      .map((rel) => ({ rel, mtime: statSync(runPaths(join(this.root, rel)).metrics, { throwIfNoEntry: false }) }))
      .sort((a, b) => (b.mtime?.mtimeMs ?? 0) - (a.mtime?.mtimeMs ?? 0))
      .slice(0, MAX_RUNS)
      .map((r) => r.rel);
    const step = () => {
      this.warming = null;
      const rel = newest[0];
      if (rel === undefined || this.closed) return;
      if (this.channels.has(rel)) {
        // Watched: its poller reads it (and sends what it reads to the page).
        newest.shift();
        this.warming = setImmediate(step);
        return;
      }
      let s = this.states.get(rel);
      if (!s) this.states.set(rel, (s = new RunState(join(this.root, rel), rel)));
      if (!s.poll(Date.now(), WARM_SLICE).more) newest.shift();
      this.warming = setImmediate(step);
    };
    this.warming = setImmediate(step);
  }

  runs(): RunListEntry[] {
    const now = Date.now();
    return findRuns(this.root).map((rel) => listEntry(this.root, rel, now));
  }

  /** Subscribes a response to a run's live events. */
  watchRun(rel: string, res: import('node:http').ServerResponse): void {
    const s = this.state(rel);
    let entry = this.channels.get(rel);
    if (!entry) {
      const channel = new SseChannel(() => {
        // After close() the entry is gone already.
        const gone = this.channels.get(rel);
        if (gone) clearInterval(gone.timer);
        this.channels.delete(rel);
      });
      const timer = setInterval(() => this.pollRun(rel), this.opts.pollMs);
      entry = { channel, timer };
      this.channels.set(rel, entry);
    }
    entry.channel.add(res, [event('meta', s.meta())]);
  }

  private pollRun(rel: string): void {
    const s = this.states.get(rel);
    const entry = this.channels.get(rel);
    if (!s || !entry) return;
    const delta = s.poll();
    for (const r of delta.rows) {
      const t = s.tables.get(r.table)!;
      entry.channel.send(
        event('rows', {
          table: r.table,
          start: r.start,
          n: r.n,
          columns: t.slice(r.start),
          arrays: t.arraysFrom(r.start),
        }),
      );
    }
    if (delta.metaChanged) entry.channel.send(event('meta', s.meta()));
  }

  watchList(res: import('node:http').ServerResponse): void {
    if (!this.list) {
      const channel = new SseChannel(() => {
        if (this.list) clearInterval(this.list.timer);
        this.list = null;
      });
      const timer = setInterval(() => this.pollList(), this.opts.listMs);
      this.list = { channel, timer, last: '' };
    }
    const runs = JSON.stringify(this.runs());
    this.list.last = runs;
    this.list.channel.add(res, [`event: runs\ndata: ${runs}\n\n`]);
  }

  private pollList(): void {
    if (!this.list) return;
    const runs = JSON.stringify(this.runs());
    if (runs === this.list.last) return;
    this.list.last = runs;
    this.list.channel.send(`event: runs\ndata: ${runs}\n\n`);
  }

  /** Live viewers and dropped slow clients, for the benchmark and tests. */
  stats(): { channels: number; clients: number; dropped: number } {
    let clients = this.list?.channel.size ?? 0;
    let dropped = this.list?.channel.dropped ?? 0;
    for (const { channel } of this.channels.values()) {
      clients += channel.size;
      dropped += channel.dropped;
    }
    return { channels: this.channels.size + (this.list ? 1 : 0), clients, dropped };
  }

  close(): void {
    this.closed = true;
    if (this.warming) clearImmediate(this.warming);
    for (const { channel, timer } of this.channels.values()) {
      clearInterval(timer);
      channel.close();
    }
    this.channels.clear();
    if (this.list) {
      clearInterval(this.list.timer);
      this.list.channel.close();
      this.list = null;
    }
  }
}
