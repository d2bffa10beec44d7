/**
 * `--queue redis://[user:pass@]host[:port][/db]` (or `rediss://` for TLS): the only place credentials come
 * from. `redact` is what every message shows instead of the URL.
 */
import type { RedisOptions } from 'ioredis';
import { UsageError } from '../../core/errors.js';

const ALLOWED = 'redis://[user:pass@]host[:port][/db] or rediss://... (TLS)';

/** The URL with its password (and user) replaced by `***`; safe to print. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username) u.username = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export function parseQueueUrl(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--queue: got ${redact(url)}; allowed: ${ALLOWED}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new UsageError(`--queue: scheme '${u.protocol}' in ${redact(url)}; allowed: ${ALLOWED}`);
  if (!u.hostname) throw new UsageError(`--queue: no host in ${redact(url)}; allowed: ${ALLOWED}`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new UsageError(
      `--queue: database '${dbText}' in ${redact(url)}; allowed: a non-negative integer after the slash`,
    );
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: { servername: u.hostname } } : {}),
  };
}
