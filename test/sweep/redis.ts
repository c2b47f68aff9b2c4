/**
 * Redis for the queue tests. Most tests use the server at SLURRY_TEST_REDIS (default
 * 127.0.0.1:6379) and are skipped, with the reason, when none answers; the restart test
 * starts its own `redis-server` on a free loopback port (skipped when it is not installed)
 * with an append-only file, so a restart keeps the queue.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRedis, parseQueueUrl } from '../../src/sweep/queue-connection.js';

export const testRedisUrl = `redis://${process.env.SLURRY_TEST_REDIS ?? '127.0.0.1:6379'}`;

/** null when Redis answers at SLURRY_TEST_REDIS, else why the test is skipped. */
export async function redisUnavailable(): Promise<string | null> {
  try {
    await checkRedis(parseQueueUrl(testRedisUrl), 2000);
    return null;
  } catch (err) {
    return `no Redis at ${testRedisUrl} (${(err as Error).message.split(';')[0]}); start redis-server or set SLURRY_TEST_REDIS=HOST:PORT`;
  }
}

export function redisServerMissing(): string | null {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'redis-server is not installed (apt-get install -y redis-server)';
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** A redis-server of this test's own, on 127.0.0.1:port, keeping its data in an append-only file. */
export class OwnRedis {
  private proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'slurry-redis-'));
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      {
        stdio: 'ignore',
      },
    );
    const end = Date.now() + 10_000;
    for (;;) {
      try {
        await checkRedis(parseQueueUrl(this.url), 1000);
        return;
      } catch (err) {
        if (Date.now() > end) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    await exited;
    this.proc = null;
  }
}
