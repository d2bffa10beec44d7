/**
 * A local sweep worker process (started by `local.ts` with an IPC channel, through the entry the experiments
 * provided, `ExperimentSource.childEntry`): initializes the tfjs backend once, then runs the trials the parent
 * sends, one at a time, in its run folder (resuming it when it was started before). SIGTERM stops the current
 * trial at its next step (it checkpoints) and ends the process.
 */
import { initNodeBackend } from '../backend.js';
import { loadExperimentByName, runTrial } from './trial.js';
import type { ChildMessage, ParentMessage } from './local.js';

const send = (msg: ChildMessage): void => {
  process.send?.(msg);
};

/** Serves the parent's trials until it disconnects; `provideExperiments` must have run in this process. */
export async function serveTrials(): Promise<void> {
  const backend = await initNodeBackend(process.env.PRIORLAB_BACKEND || undefined);
  let current: AbortController | null = null;
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
    current?.abort(new Error('SIGTERM'));
    if (!current) process.disconnect?.();
  });
  process.on('SIGINT', () => {}); // the parent decides; Ctrl-C in the terminal reaches it first

  process.on('message', (msg: ParentMessage) => {
    if (msg.type !== 'run' || stopping) return;
    void (async () => {
      current = new AbortController();
      let last = 0;
      try {
        const experiment = await loadExperimentByName(msg.experiment);
        const outcome = await runTrial({
          experiment,
          trial: msg.trial,
          dir: msg.dir,
          backend,
          signal: current.signal,
          reporter: {
            progress(step, total) {
              const now = performance.now();
              if (now - last < 200 && step < total) return;
              last = now;
              send({ type: 'progress', id: msg.trial.id, step, total });
            },
            print() {}, // an experiment's report lines; the sweep's summary replaces them
            finish() {},
          },
        });
        send({ type: 'result', id: msg.trial.id, outcome, error: null });
      } catch (err) {
        send({ type: 'result', id: msg.trial.id, outcome: 'failed', error: (err as Error).stack ?? String(err) });
      }
      current = null;
      if (stopping) process.disconnect?.();
    })();
  });
  send({ type: 'ready', backend });
}
