/**
 * `redis://[user:pass@]host[:port][/db]` (or `rediss://` for TLS): the only place credentials come from. It is
 * taken from `--queue <url>`, `--queue-file <file>` (its first line) or the `PRIORLAB_QUEUE` environment
 * variable, so a password need not appear on a command line, where `ps` shows it to every user of the machine.
 * `redact` is what every message shows instead of the URL.
 */
import { readFileSync } from 'node:fs';
import type { RedisOptions } from 'ioredis';
import { UsageError } from '../../core/errors.js';
import { cannotRead } from '../run/errors.js';

/** The environment variable a queue URL may come from. */
export const QUEUE_ENV = 'PRIORLAB_QUEUE';

/**
 * The queue URL of a command: `--queue`, else `--queue-file`'s first line, else `$PRIORLAB_QUEUE`, else
 * undefined. Giving both options is an error; a URL with a password on the command line gets a warning.
 * The URL is checked here (before any file is written).
 */
export function queueUrlOf(opts: { queue?: string; queueFile?: string }, warn = console.error): string | undefined {
  if (opts.queue !== undefined && opts.queueFile !== undefined)
    throw new UsageError('--queue and --queue-file were both given; use one');
  let url: string | undefined;
  if (opts.queueFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.queueFile, 'utf8');
    } catch (err) {
      throw new UsageError(
        `--queue-file: ${opts.queueFile} ${cannotRead(err)}; allowed: a file whose first line is ${ALLOWED}`,
      );
    }
    url = text.split(/\r?\n/)[0].trim();
    if (url === '')
      throw new UsageError(`--queue-file: ${opts.queueFile} is empty; allowed: a file whose first line is ${ALLOWED}`);
    parseQueueUrl(url, `--queue-file ${opts.queueFile}`);
  } else if (opts.queue !== undefined) {
    url = opts.queue;
    parseQueueUrl(url);
    if (/^rediss?:\/\/[^/@]*:[^/@]+@/.test(url))
      warn(
        `priorlab: warning: the --queue URL holds a password, which ps shows to every user here; pass it in $${QUEUE_ENV} or --queue-file instead`,
      );
  } else if (process.env[QUEUE_ENV]) {
    url = process.env[QUEUE_ENV];
    parseQueueUrl(url, `$${QUEUE_ENV}`);
  }
  return url;
}

const ALLOWED = 'redis://[user:pass@]host[:port][/db] or rediss://... (TLS)';

/** The URL with its password (and user) replaced by `***`; safe to print. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username) u.username = '***';
    return u.toString();
  } catch {
    return url.includes('@') || url.length > 80 ? '(unparseable URL)' : `'${url}'`;
  }
}

export function parseQueueUrl(url: string, what = '--queue'): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`${what}: got ${redact(url)}; allowed: ${ALLOWED}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:')
    throw new UsageError(`${what}: scheme '${u.protocol}' in ${redact(url)}; allowed: ${ALLOWED}`);
  if (!u.hostname) throw new UsageError(`${what}: no host in ${redact(url)}; allowed: ${ALLOWED}`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0)
    throw new UsageError(
      `${what}: database '${dbText}' in ${redact(url)}; allowed: a non-negative integer after the slash`,
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
