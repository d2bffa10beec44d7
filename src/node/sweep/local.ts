/**
 * The local backend: `workers` child processes (default: every core), each running trials one after the
 * other in the sweep folder, fed from one queue of the trials not yet done. Restarting the sweep picks up
 * where it stopped: finished trials are skipped, interrupted ones resume from their last checkpoint.
 *
 * Ctrl-C / SIGTERM: every child stops its trial at the next step (checkpointing it) and the sweep returns
 * `stopped`; a second Ctrl-C kills the children.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { trialDir, type SweepFile } from './folder.js';
import { SweepProgress } from './progress.js';
import type { Trial } from './spec.js';
import { experimentSource } from './trial.js';

export type ParentMessage = { type: 'run'; experiment: string; trial: Trial; dir: string };
export type ChildMessage =
  | { type: 'ready'; backend: string }
  | { type: 'progress'; id: string; step: number; total: number }
  | { type: 'result'; id: string; outcome: 'done' | 'stopped' | 'failed'; error: string | null };

/** tsx's loader, resolved from here so that the child runs from any working folder. */
const TSX = import.meta.resolve('tsx');

export interface LocalResult {
  failed: Array<{ id: string; error: string }>;
  stopped: boolean;
}

export async function runLocal(
  sweepDir: string,
  sweep: SweepFile,
  pending: readonly Trial[],
  workers: number,
  progress: SweepProgress,
  backend?: string,
): Promise<LocalResult> {
  const queue = [...pending];
  const failed: LocalResult['failed'] = [];
  const children = new Set<ChildProcess>();
  let interrupted = 0;
  const onSignal = (): void => {
    interrupted++;
    for (const c of children) c.kill(interrupted === 1 ? 'SIGTERM' : 'SIGKILL');
    if (interrupted === 1)
      progress.println('stopping: every running trial checkpoints and stops (Ctrl-C again to kill them)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const lane = (): Promise<void> =>
    new Promise((resolveLane) => {
      const child = spawn(process.execPath, ['--import', TSX, experimentSource().childEntry], {
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        detached: true, // its own process group: the terminal's Ctrl-C reaches only the parent
        env: { ...process.env, ...(backend ? { PRIORLAB_BACKEND: backend } : {}) },
      });
      children.add(child);
      let stderr = '';
      let current: Trial | null = null;
      let ready = false;
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-4000);
      });
      const next = (): void => {
        current = interrupted ? null : (queue.shift() ?? null);
        if (!current) {
          child.disconnect();
          return;
        }
        progress.set(current.id, 'running', 0);
        child.send({
          type: 'run',
          experiment: sweep.experiment,
          trial: current,
          dir: trialDir(sweepDir, current.id),
        } satisfies ParentMessage);
      };
      child.on('message', (msg: ChildMessage) => {
        if (msg.type === 'ready') {
          ready = true;
          next();
        } else if (msg.type === 'progress') progress.set(msg.id, 'running', msg.total > 0 ? msg.step / msg.total : 0);
        else if (msg.type === 'result') {
          progress.set(msg.id, msg.outcome);
          if (msg.outcome === 'failed') failed.push({ id: msg.id, error: msg.error ?? '' });
          next();
        }
      });
      // 'exit', not 'close': a helper process of the child's loader may hold its stderr open a while longer.
      child.on('exit', (code, signal) => {
        children.delete(child);
        if (!ready && !interrupted)
          failed.push({
            id: '(worker start)',
            error: stderr.trim().split('\n').slice(-12).join('\n') || `exited (${signal ?? code})`,
          });
        if (current) {
          // Died mid-trial (crash or kill): the trial is left resumable, reported failed for this run.
          const error = stderr.trim().split('\n').slice(-12).join('\n') || `worker exited (${signal ?? code})`;
          progress.set(current.id, interrupted ? 'stopped' : 'failed');
          if (!interrupted) failed.push({ id: current.id, error });
        }
        // A worker that died after starting is replaced, so one crash does not halve the sweep's speed.
        resolveLane(ready && !interrupted && queue.length ? lane() : undefined);
      });
    });

  try {
    await Promise.all(Array.from({ length: Math.min(workers, queue.length) }, lane));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return { failed, stopped: interrupted > 0 };
}
