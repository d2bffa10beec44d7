/**
 * File-system errors of the CLI, translated from their errno codes into one line instead of a stack (the
 * browser-safe message helpers, e.g. zod issues as one line, are in `src/core/errors.ts`).
 */
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
