/**
 * User-facing errors as one line each: what (the path or option), what is wrong, what to do. zod's
 * issues are rendered here instead of printing its JSON, and file-system errors of the CLI are
 * translated from their errno codes instead of printing a stack.
 */
import type { z } from 'zod';

/** `options.alpha`, `q[3]`; empty for the top level. */
export function pathText(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

/** A value as the user wrote it, cut short: `"abc"`, `-1`, `null`, `nothing`. */
export function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'number') return String(v); // JSON.stringify would print NaN and Infinity as null
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = String(v);
  }
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** zod's message without its prefixes, one line: `expected number, received string`, `expected number to be >=0`. */
function expectation(issue: z.core.$ZodIssue): string {
  const msg = issue.message.replace(
    /^(Invalid input|Too small|Too big|Invalid option|Invalid string|Invalid element):\s*/,
    '',
  );
  return msg.split('\n')[0];
}

/**
 * The first issue of `err` in one line, `<field>: got <value>; <what is allowed>`, the field named by
 * `name` (default: its path, prefixed with `where`).
 */
export function issueLine(
  err: z.ZodError,
  input: unknown,
  name: (path: readonly PropertyKey[]) => string = pathText,
): string {
  const issue = err.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const where = name(issue.path);
    return `${where ? `${where}: ` : ''}unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
  }
  const where = name(issue.path) || 'value';
  return `${where}: got ${shown(valueAt(input, issue.path))}; allowed: ${expectation(issue)}`;
}

/** The file-system errors a user can cause (a path that is a file, a read-only folder, a full disk), in one line; null for others. */
export function fsErrorLine(err: unknown): string | null {
  const e = err as NodeJS.ErrnoException;
  const path = e?.path ?? (e as { dest?: unknown })?.dest;
  if (typeof e?.code !== 'string' || typeof path !== 'string') return null;
  const what: Record<string, string> = {
    EEXIST: 'exists and is not a folder; choose another --out or remove it',
    ENOTDIR: 'has a file where a folder is expected; choose another --out',
    EACCES: 'permission denied; make the folder writable (chmod u+w) or use another one',
    EPERM: 'operation not permitted; make the folder writable or use another one',
    EROFS: 'is on a read-only file system; choose another --out',
    ENOSPC: 'no space left on the device; free some space, then resume',
    ENOENT: 'does not exist; check the path',
    EISDIR: 'is a folder where a file is expected; remove or rename it',
  };
  // Reading a folder or a file's metadata is never a write: say "cannot read", not "make it writable".
  const reading = ['scandir', 'opendir', 'read', 'stat', 'lstat', 'realpath'].includes(e.syscall ?? '');
  if (reading && (e.code === 'EACCES' || e.code === 'EPERM' || e.code === 'EISDIR' || e.code === 'ENOTDIR'))
    return `${path}: ${cannotRead(e)}`;
  return e.code in what ? `${path}: ${what[e.code]} (${e.code})` : null;
}

/** Why a path could not be read, in words: `cannot read (permission denied, EACCES)`, `does not exist`. */
export function cannotRead(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EPERM') return `cannot read (permission denied, ${code})`;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EISDIR') return 'cannot read (it is a folder, a file was expected)';
  if (code === 'ENOTDIR') return 'cannot read (a part of the path is a file, not a folder)';
  return `cannot read (${code ?? (err as Error)?.message ?? String(err)})`;
}
