/**
 * Who may read. Bound to loopback without a token, only requests whose Host header names
 * this machine are served (a web page elsewhere cannot reach the dashboard by rebinding a
 * domain name to 127.0.0.1). With a token, every request must carry it: an
 * `Authorization: Bearer` header, a `slurry_token` cookie (set when the page is first
 * opened with ?token=), or a `token` query parameter (EventSource cannot send headers).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export const COOKIE = 'slurry_token';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function tokenMatches(given: string | null, token: string): boolean {
  return given !== null && timingSafeEqual(digest(given), digest(token));
}

function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}

/** The token a request carries, from header, cookie or query (in that order). */
export function requestToken(req: IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
  return cookieValue(req, COOKIE) ?? url.searchParams.get('token');
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Host header names this machine (loopback name or address), any port. */
export function loopbackHostHeader(header: string | undefined): boolean {
  if (!header) return false;
  const host = header.startsWith('[') ? header.slice(1, header.indexOf(']')) : header.replace(/:\d+$/, '');
  return isLoopback(host) || (isIP(host) !== 0 && isLoopback(host));
}
