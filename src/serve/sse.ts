/**
 * Server-Sent Events to many browsers. An event is serialised once and written to every
 * client; a client that does not read (its socket buffer over MAX_BUFFERED) is dropped
 * rather than buffered without bound: its EventSource reconnects and the page resyncs. A
 * comment line every HEARTBEAT_MS keeps proxies and idle timers from closing the stream.
 */
import type { ServerResponse } from 'node:http';

const MAX_BUFFERED = 4 * 1024 * 1024;
const HEARTBEAT_MS = 15_000;

export class SseChannel {
  private readonly clients = new Set<ServerResponse>();
  private heartbeat: NodeJS.Timeout | null = null;
  /** Clients dropped for not reading. */
  dropped = 0;

  constructor(private readonly onEmpty: () => void) {}

  get size(): number {
    return this.clients.size;
  }

  add(res: ServerResponse, first: string[]): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    for (const e of first) res.write(e);
    this.clients.add(res);
    res.on('close', () => this.remove(res));
    this.heartbeat ??= setInterval(() => this.send(': ping\n\n'), HEARTBEAT_MS).unref();
  }

  private remove(res: ServerResponse): void {
    if (!this.clients.delete(res)) return;
    if (this.clients.size === 0) {
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
      this.onEmpty();
    }
  }

  /** Writes a preformatted event (see `event()`) to every client. */
  send(text: string): void {
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED) {
        this.dropped++;
        res.destroy();
        this.remove(res);
        continue;
      }
      res.write(text);
    }
  }

  close(): void {
    for (const res of [...this.clients]) res.end();
  }
}

/** One SSE event: `event: NAME` and its JSON data on one line. */
export function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
