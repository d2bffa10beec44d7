/**
 * Preloaded by `bench/crash-safety.ts` into a priorlab process (`node --import ./bench/crash-hook.mjs bin/priorlab.mjs …`):
 * counts `fs.renameSync` calls (every atomic write's last step) and, with PRIORLAB_KILL_AT_RENAME=k, kills the
 * process with SIGKILL just before the k-th rename, as a power loss there would. With PRIORLAB_RENAME_LOG=<file>
 * it appends `<n> <target>` per rename. Not part of priorlab: only the benchmark loads it.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const at = Number(process.env.PRIORLAB_KILL_AT_RENAME ?? 0);
const log = process.env.PRIORLAB_RENAME_LOG;
const rename = fs.renameSync;
let n = 0;
fs.renameSync = function (from, to) {
  n++;
  if (log) fs.appendFileSync(log, `${n} ${String(to)}\n`);
  if (n === at) process.kill(process.pid, 'SIGKILL');
  return rename.call(this, from, to);
};
syncBuiltinESMExports();
