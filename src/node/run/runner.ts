/**
 * Runs one seed of one experiment in this process: builds its `RunContext` (streams, metrics,
 * checkpoints, atomic files, progress), wires Ctrl-C / SIGTERM to `ctx.signal`, and keeps
 * `status.json` current. Used directly for a single seed and inside each child process of
 * `--seeds` (see `parallel.ts`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { RngStreams } from '../../core/rng.js';
import { checkMetricKeys } from '../../core/vocabulary.js';
import { writeFileAtomic } from '../atomicfs.js';
import type { Checkpoint, Experiment, RunContext } from './experiment.js';
import { lockRunDir } from './lock.js';
import { checkSlotBlob } from './slots.js';
import {
  appendMetrics,
  checkRunValue,
  FILES,
  readCheckpoint,
  removeStaleTemps,
  RunFileError,
  truncateMetrics,
  writeCheckpoint,
  writeStatus,
  type CheckpointFile,
} from './rundir.js';
import { lastLoggedStep } from './rundir.js';

/** Where progress and report lines go: a local bar, or the parent process of `--seeds`. */
export interface Reporter {
  /** Reports progress: step of total, with the latest fields. */
  progress(step: number, total: number, fields: Record<string, number>): void;
  /** Prints a report line. */
  print(line: string): void;
  /** Ends the report (clears a progress bar). */
  finish(): void;
}

/** The arguments of `runSeed`: experiment, options, seed, run folder, resume flag, backend, signal, reporter. */
export interface RunSeedArgs {
  experiment: Experiment;
  options: Record<string, unknown>;
  seed: number;
  /** Run folder (already created, config.json written), or null for print-only experiments. */
  dir: string | null;
  resume: boolean;
  backend: string;
  signal: AbortSignal;
  reporter: Reporter;
  /** The command that starts this run again (config.json's, without `priorlab `), for messages. */
  command?: string;
}

/** How `runSeed` ended: done, or stopped by the signal. */
export type RunOutcome = 'done' | 'stopped';

/** Resolves `name` inside `dir`, refusing paths that escape it. */
function inside(dir: string, name: string): string {
  const path = resolve(dir, name);
  const rel = relative(dir, path);
  if (rel === '' || rel.startsWith('..') || rel.startsWith(sep) || resolve(rel) === rel) {
    throw new RangeError(`writeFile/readFile: name '${name}' must be a relative path inside the run folder`);
  }
  return path;
}

/**
 * The checkpoint of a resumed run, checked against the run's options and the experiment's state schema
 * (a step past `--steps` would mark the run done without its results).
 */
function checkCheckpoint(a: RunSeedArgs, dir: string, ck: CheckpointFile): void {
  const steps = a.options.steps;
  if (typeof steps === 'number' && ck.step > steps) {
    throw new RunFileError(
      `${join(dir, FILES.checkpoint)}: field step: got ${ck.step}; allowed: at most the run's --steps (${steps}); restore it from a backup or start a new run (metrics.jsonl was not touched)`,
    );
  }
  const schema = a.experiment.checkpointState?.(a.options);
  if (schema) checkRunValue(dir, FILES.checkpoint, schema, ck.state, ['state']);
}

/**
 * Runs the experiment; returns `stopped` when `signal` aborted it. Errors propagate (status.json says `failed`).
 * Holds the run folder's lock throughout; on resume, checks checkpoint.json before changing anything.
 */
export async function runSeed(a: RunSeedArgs): Promise<RunOutcome> {
  const release = a.dir !== null ? lockRunDir(a.dir) : () => {};
  try {
    return await runLocked(a);
  } finally {
    release();
  }
}

async function runLocked(a: RunSeedArgs): Promise<RunOutcome> {
  const streams = new RngStreams(a.seed);
  const dir = a.dir;
  const needDir = (what: string): string => {
    if (dir === null)
      throw new Error(`${what}: experiment '${a.experiment.name}' is kind 'print' and has no run folder`);
    return dir;
  };
  let lastStep: number | null = null;
  let checkpoint: CheckpointFile | null = null;

  if (dir !== null && a.resume) {
    checkpoint = readCheckpoint(dir, (ck) => checkCheckpoint(a, dir, ck));
    if (checkpoint) checkSlotBlob(dir, checkpoint.state);
    else {
      // Logged steps and no checkpoint: the checkpoint was lost (or never written); starting again from 0 would
      // quietly replace what the run did. Say so, and how to start again.
      const logged = lastLoggedStep(dir);
      if (logged !== null)
        throw new RunFileError(
          `${join(dir, FILES.checkpoint)}: missing, but metrics.jsonl has steps up to ${logged}, so the run cannot continue from where it was; start it again in a new run folder${a.command ? `: npm run exp -- ${a.command}` : ''} (nothing was changed)`,
        );
    }
    removeStaleTemps(dir);
    truncateMetrics(dir, checkpoint ? checkpoint.step : null);
    if (checkpoint) streams.setState(checkpoint.rng);
    lastStep = checkpoint?.step ?? null;
  }

  const ctx: RunContext = {
    seed: a.seed,
    streams,
    dir,
    backend: a.backend,
    resume: a.resume,
    signal: a.signal,
    log(step, scalars) {
      checkMetricKeys(scalars);
      lastStep = step;
      if (dir !== null) appendMetrics(dir, step, scalars);
    },
    progress(step, total, fields = {}) {
      a.reporter.progress(step, total, fields);
    },
    print(line) {
      a.reporter.print(line);
    },
    writeFile(name, data) {
      writeFileAtomic(inside(needDir('writeFile'), name), data);
    },
    readFile(name) {
      const path = inside(needDir('readFile'), name);
      return existsSync(path) ? new Uint8Array(readFileSync(path)) : null;
    },
    checkpoint(step, state) {
      const file: CheckpointFile = { step, state, rng: streams.getState() };
      writeCheckpoint(needDir('checkpoint'), file);
      checkpoint = file;
      writeStatus(needDir('checkpoint'), 'running', step);
    },
    loadCheckpoint<T>() {
      return checkpoint ? ({ step: checkpoint.step, state: checkpoint.state as T } satisfies Checkpoint<T>) : null;
    },
  };

  if (dir !== null) writeStatus(dir, 'running', lastStep);
  try {
    await a.experiment.run(a.options, ctx);
  } catch (err) {
    a.reporter.finish();
    if (dir !== null) writeStatus(dir, 'failed', lastStep, (err as Error).stack ?? String(err));
    throw err;
  }
  a.reporter.finish();
  const outcome: RunOutcome = a.signal.aborted ? 'stopped' : 'done';
  if (dir !== null) writeStatus(dir, outcome, lastStep);
  return outcome;
}

/**
 * First SIGINT/SIGTERM aborts the returned signal (the experiment stops at its next step and
 * checkpoints); a second one exits at once with code 130. Returns the signal and a disposer.
 */
export function abortOnSignals(onFirst: (sig: string) => void): {
  signal: AbortSignal;
  /** Removes the signal handlers. */
  dispose(): void;
} {
  const ac = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    if (ac.signal.aborted) process.exit(130);
    ac.abort(new Error(sig));
    onFirst(sig);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: ac.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
