/**
 * `slurry serve`'s HTTP server (node:http): the page and its bundled assets, a read-only
 * JSON/binary API over the run directories under ROOT, Server-Sent Events for live runs,
 * and the run files themselves. Only GET and HEAD; nothing writes or runs anything.
 *
 *   /                          the page (views are addressed by its query string)
 *   /assets/NAME               the page's script and style (bundled at build time)
 *   /api/runs                  every run under ROOT with status and a config summary
 *   /api/run?run=REL           one run: config, checkpoints, probe summaries, samples, analysis, errors
 *   /api/metrics?run=REL       its metric tables, binary columns (see table.ts)
 *   /api/items?run=REL&step=N  every suite's items at checkpoint N (right/wrong, texts, margins)
 *   /api/chart?run=REL&name=C  a chart of its analysis as SVG (the report's Vega-Lite specs)
 *   /api/events?run=REL        SSE: `rows` (new metric rows) and `meta` (anything else changed)
 *   /api/events?list=1         SSE: `runs` (the runs list, when it changes)
 *   /files/REL                 a file under ROOT, streamed (HTML sandboxed)
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COOKIE, loopbackHostHeader, requestToken, tokenMatches } from './auth.js';
import { chartSvg, CHART_NAMES } from './charts.js';
import { isRunDir } from './discover.js';
import { Hub } from './hub.js';
import { itemsAt } from './items.js';
import { PathRefused, relativeName, resolveUnder } from './root.js';

export interface ServeOptions {
  root: string; // real path of ROOT (see openRoot)
  host: string;
  port: number;
  /** Required on every request when set. */
  token: string | null;
  /** Whether the Host header must name this machine (bound to loopback without a token). */
  checkHost: boolean;
  pollMs?: number;
  listMs?: number;
}

/** Where the page's bundle is (dist/web, written by scripts/build-web.mjs). */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RunningServer {
  server: Server;
  hub: Hub;
  url: string;
  close(): Promise<void>;
}

export function createDashboard(opts: ServeOptions): { server: Server; hub: Hub } {
  const hub = new Hub(opts.root, { pollMs: opts.pollMs ?? 250, listMs: opts.listMs ?? 2000 });
  const server = createServer((req, res) => {
    try {
      handle(req, res, opts, hub);
    } catch (err) {
      fail(res, err);
    }
  });
  // Slow or silent clients: a request must arrive whole within these bounds.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxConnections = 512;
  return { server, hub };
}

/** Starts listening; rejects with the listen error (EADDRINUSE, EACCES...). */
export function listen(opts: ServeOptions): Promise<RunningServer> {
  const { server, hub } = createDashboard(opts);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      hub.warm();
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        server,
        hub,
        url: `http://${host}:${a.port}/`,
        close: () =>
          new Promise<void>((done) => {
            hub.close();
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function fail(res: ServerResponse, err: unknown): void {
  const status = err instanceof HttpError ? err.status : err instanceof PathRefused ? err.status : 500;
  const message = err instanceof Error ? err.message : String(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: message }));
}

function sendJson(res: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

/** The run named by ?run=, checked to be a run directory under ROOT. */
function runParam(url: URL, root: string): string {
  const rel = url.searchParams.get('run');
  if (rel === null) throw new HttpError(400, 'missing ?run= (a run directory relative to ROOT)');
  const real = resolveUnder(root, rel);
  if (!isRunDir(real)) throw new HttpError(404, `${rel}: not a run directory (no metrics.jsonl or probes.jsonl)`);
  return relativeName(root, real);
}

function handle(req: IncomingMessage, res: ServerResponse, opts: ServeOptions, hub: Hub): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    throw new HttpError(405, `${req.method}: this server is read-only (GET and HEAD only)`);
  }
  if (opts.checkHost && !loopbackHostHeader(req.headers.host)) {
    throw new HttpError(
      403,
      `Host ${req.headers.host ?? '(none)'}: only localhost may be served (use --host and --token to expose it)`,
    );
  }
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    throw new HttpError(400, 'malformed request URL');
  }
  if (opts.token !== null) {
    const given = requestToken(req, url);
    if (!tokenMatches(given, opts.token)) throw new HttpError(401, given === null ? 'missing token' : 'wrong token');
    if (url.searchParams.get('token') !== null) {
      res.setHeader('set-cookie', `${COOKIE}=${encodeURIComponent(opts.token)}; HttpOnly; SameSite=Strict; Path=/`);
    }
  }
  const path = url.pathname;
  if (path === '/' || path === '/index.html') return sendAsset(res, 'index.html', true);
  if (path.startsWith('/assets/')) return sendAsset(res, path.slice('/assets/'.length), false);
  if (path === '/api/runs') return sendJson(res, { root: opts.root, runs: hub.runs() });
  if (path === '/api/run') return sendJson(res, hub.state(runParam(url, opts.root)).meta());
  if (path === '/api/metrics') {
    const body = hub.state(runParam(url, opts.root)).metricsBody();
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'cache-control': 'no-store',
      'content-length': body.length,
    });
    res.end(body);
    return;
  }
  if (path === '/api/items') {
    const rel = runParam(url, opts.root);
    const step = Number(url.searchParams.get('step'));
    if (!Number.isInteger(step) || step < 0)
      throw new HttpError(400, `?step=${url.searchParams.get('step')}: expected a checkpoint step`);
    const s = hub.state(rel);
    return sendJson(res, { run: rel, step, suites: itemsAt(s.dir, s.probesAt(step)) });
  }
  if (path === '/api/chart') {
    const rel = runParam(url, opts.root);
    const name = url.searchParams.get('name') ?? '';
    if (!CHART_NAMES.includes(name))
      throw new HttpError(400, `?name=${name}: expected one of ${CHART_NAMES.join(', ')}`);
    chartSvg(hub.state(rel), name).then(
      (svg) => {
        if (svg === null)
          return fail(res, new HttpError(404, `${rel}: no ${name} chart (no analysis.json yet, or nothing to draw)`));
        res.writeHead(200, { 'content-type': 'image/svg+xml', 'cache-control': 'no-store' });
        res.end(svg);
      },
      (err) => fail(res, err),
    );
    return;
  }
  if (path === '/api/events') {
    if (url.searchParams.get('list') !== null) return hub.watchList(res);
    return hub.watchRun(runParam(url, opts.root), res);
  }
  if (path.startsWith('/files/')) return sendFile(res, opts.root, path.slice('/files/'.length), req.method === 'HEAD');
  throw new HttpError(404, `${path}: no such page`);
}

function sendAsset(res: ServerResponse, name: string, page: boolean): void {
  if (!/^[\w.-]+$/.test(name) || name.startsWith('.')) throw new HttpError(404, `${name}: no such asset`);
  const file = join(WEB_DIR, name);
  if (!existsSync(file)) {
    throw new HttpError(
      page ? 500 : 404,
      page ? `the page is not built (${file} missing): run npm run build` : `${name}: no such asset`,
    );
  }
  const headers: Record<string, string> = {
    'content-type': TYPES[extname(name)] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
  };
  if (page) headers['content-security-policy'] = PAGE_CSP;
  res.writeHead(200, headers);
  res.end(readFileSync(file));
}

/**
 * Streams a file under ROOT (a 1 GB checkpoint costs a 64 KiB buffer, and a client that
 * reads slowly is paced by the socket, not buffered). HTML from a run is sandboxed so it
 * cannot act as the dashboard.
 */
function sendFile(res: ServerResponse, root: string, encoded: string, head: boolean): void {
  let rel: string;
  try {
    rel = decodeURIComponent(encoded);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the path');
  }
  const real = resolveUnder(root, rel);
  const st = statSync(real);
  if (!st.isFile()) throw new HttpError(404, `${rel}: not a file`);
  res.writeHead(200, {
    'content-type': TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream',
    'content-length': st.size,
    'cache-control': 'no-cache',
    'content-security-policy': 'sandbox',
  });
  if (head) {
    res.end();
    return;
  }
  const stream = createReadStream(real, { highWaterMark: 64 * 1024 });
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy());
  stream.pipe(res);
}
