/**
 * Crash-safe file writes: write to a temp file in the same folder, fsync, then rename over the
 * target. A crash or Ctrl-C mid-write leaves the previous version intact. Folders are made one level at a
 * time (`makeFolders`), never with `mkdirSync(…, { recursive: true })`, which spins forever under a path
 * that cannot hold folders (Node 20 under /proc as root).
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';

/**
 * Makes `path` and its missing parents, one level at a time. A level that cannot be made is a one-line
 * UsageError naming it and why (a file in the way, a read-only or virtual file system, no permission).
 */
export function makeFolders(path: string): void {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(p) !== p) {
        missing.push(p);
        continue;
      }
      throw new UsageError(`${p}: cannot be read (${code ?? (err as Error).message}); choose another path`);
    }
    if (!isDir) throw new UsageError(`${p}: is a file, so ${resolve(path)} cannot be a folder; choose another path`);
    break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && statSync(d).isDirectory()) continue;
      const why: Record<string, string> = {
        EACCES: 'permission denied',
        EPERM: 'operation not permitted',
        EROFS: 'a read-only file system',
        ENOSPC: 'no space left on the device',
        ENOENT: `${dirname(d)} does not hold new folders (a virtual file system?)`,
        EEXIST: 'a file is in the way',
      };
      throw new UsageError(`${d}: cannot make this folder (${why[code ?? ''] ?? code}); choose another path`);
    }
  }
}

/** Writes a file atomically: a temporary file, then a rename over the old one. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  makeFolders(dirname(path));
  const tmp = `${path}.${process.pid}.tmp`;
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'w');
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (err) {
    // A failed write (a folder in the way of the rename, a full disk) leaves no temp file behind.
    if (fd !== null) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}
