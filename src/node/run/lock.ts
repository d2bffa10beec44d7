/**
 * One writer per run folder. `lockRunDir(dir)` creates `dir/.lock` holding this process's pid; a second
 * writer (another `--resume` of the same folder) finds it and is refused with the holder's pid. A lock
 * left by a process that no longer exists (killed with -9, power loss) is stale and is taken over.
 *
 * The pid is written to a private temp file that is then hard-linked to `.lock`: the link either
 * appears whole or fails with EEXIST, so no reader ever sees an empty or torn lock.
 */
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../core/errors.js';

export const LOCK_FILE = '.lock';

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null; // gone meanwhile
  }
}

export class RunDirBusyError extends UsageError {
  constructor(
    dir: string,
    readonly pid: number,
  ) {
    super(
      `${dir}: in use by another priorlab process (pid ${pid}); wait for it to finish or stop it (kill -INT ${pid}), then resume`,
    );
  }
}

/** Takes the lock of `dir` or throws `RunDirBusyError`; returns the release function. */
export function lockRunDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  const mine = `${path}.${process.pid}.tmp`;
  writeFileSync(mine, `${process.pid}\n`);
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, path);
        return () => {
          if (holderOf(path) === process.pid) rmSync(path, { force: true });
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = holderOf(path);
      if (holder !== null && holder !== process.pid && alive(holder)) throw new RunDirBusyError(dir, holder);
      // Stale. Move it aside (only one of several takers succeeds), then check that what moved is the
      // stale lock and not a lock another taker has just made; if it is not, put it back and give way.
      const aside = `${path}.stale.${process.pid}.tmp`;
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      const moved = holderOf(aside);
      if (moved !== holder && moved !== null) {
        try {
          linkSync(aside, path);
        } finally {
          rmSync(aside, { force: true });
        }
        throw new RunDirBusyError(dir, moved);
      }
      rmSync(aside, { force: true });
    }
    throw new RunDirBusyError(dir, holderOf(path) ?? 0);
  } finally {
    rmSync(mine, { force: true });
  }
}
