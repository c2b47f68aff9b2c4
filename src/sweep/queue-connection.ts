/**
 * The Redis behind the BullMQ queue: `redis://HOST:PORT[/DB]` parsed once, a fail-fast
 * check that it answers (a clear error within 5 s instead of an endless reconnect loop),
 * and the connection options BullMQ needs for the long haul (commands wait through a
 * Redis restart instead of failing: maxRetriesPerRequest null, ioredis reconnecting).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { SlurryError } from '../util/errors.js';

export interface QueueAddress {
  url: string;
  host: string;
  port: number;
  db: number;
}

export function parseQueueUrl(url: string): QueueAddress {
  const m = /^redis:\/\/([^:/\s]+|\[[0-9a-fA-F:]+\]):(\d{1,5})(?:\/(\d+))?\/?$/.exec(url);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535)
    throw new SlurryError(`--queue ${url}: expected redis://HOST:PORT (optionally /DB), e.g. redis://127.0.0.1:6379`);
  return { url, host: m[1].replace(/^\[|\]$/g, ''), port, db: m[3] === undefined ? 0 : Number(m[3]) };
}

/** Connection options for BullMQ's Queue and Worker: retry forever, wait through restarts. */
export function connectionOptions(a: QueueAddress): RedisOptions {
  return {
    host: a.host,
    port: a.port,
    db: a.db,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  };
}

/** Resolves when Redis answers PING; otherwise a SlurryError naming the address within `timeoutMs`. */
export async function checkRedis(a: QueueAddress, timeoutMs = 4000): Promise<void> {
  const client = new Redis({
    host: a.host,
    port: a.port,
    db: a.db,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: NodeJS.ErrnoException | null = null;
  client.on('error', (err) => (lastError = err));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
  } catch (err) {
    const cause = (lastError ?? err) as NodeJS.ErrnoException;
    const why = cause.code ?? cause.message;
    throw new SlurryError(
      `--queue ${a.url}: Redis does not answer (${why}); start one (redis-server --port ${a.port}) or check the address`,
    );
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}
