/** A dashboard server over a temporary ROOT, for the serve tests. */
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, type RunningServer } from '../../src/serve/server.js';

export function tempRoot(): string {
  return realpathSync(mkdtempSync(join(tmpdir(), 'slurry-serve-')));
}

export function startServer(root: string, opts: { token?: string } = {}): Promise<RunningServer> {
  return listen({
    root,
    host: '127.0.0.1',
    port: 0,
    token: opts.token ?? null,
    checkHost: !opts.token,
    pollMs: 100,
    listMs: 300,
  });
}
