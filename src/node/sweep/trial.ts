/**
 * Runs one trial in this process with the ordinary run machinery (`runSeed`): the trial's run folder gets
 * the same config.json, metrics.jsonl, checkpoints and status.json as `priorlab <experiment> --seed s`, and a
 * folder that already holds a config.json is resumed from its last checkpoint (`--resume` semantics).
 * Both backends call this: local workers on the sweep folder itself, Redis workers on a scratch folder
 * whose checkpoints they ship to Redis (`onCheckpoint`).
 *
 * The experiments live a floor above (`experiments/`), so the entry that starts a sweep hands them down once
 * (`provideExperiments`), with the entry of the local backend's child processes, which do the same.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment, RunContext } from '../run/experiment.js';
import { toArgv } from '../run/options.js';
import { FILES, gitInfo, packageVersion, truncateMetrics, writeJson, type RunConfig } from '../run/rundir.js';
import { runSeed, type Reporter, type RunOutcome } from '../run/runner.js';
import { removeStrayTemps } from './folder.js';
import type { Trial } from './spec.js';

/** What a sweep needs of the experiment list (`experiments/index.ts`): names and lazy loaders. */
export interface ExperimentSource {
  registry: readonly {
    readonly name: string;
    /** Imports the experiment's module. */
    load(): Promise<{ default: Experiment }>;
  }[];
  /** The script a local worker process runs: it provides the same source, then calls `serveTrials`. */
  childEntry: string;
}

let source: ExperimentSource | null = null;
const loaded = new Map<string, Experiment>();

/** Called once per process by the entry (the CLI, a local worker process) before any sweep code runs. */
export function provideExperiments(s: ExperimentSource): void {
  source = s;
}

export function experimentSource(): ExperimentSource {
  if (!source) throw new Error('sweep: no experiments provided; the entry must call provideExperiments() first');
  return source;
}

/** The experiment module named `name` (cached: a worker runs many trials of it). */
export async function loadExperimentByName(name: string): Promise<Experiment> {
  const cached = loaded.get(name);
  if (cached) return cached;
  const { registry } = experimentSource();
  const entry = registry.find((e) => e.name === name);
  if (!entry) throw new Error(`unknown experiment '${name}'; allowed: ${registry.map((e) => e.name).join(', ')}`);
  const exp = (await entry.load()).default;
  loaded.set(name, exp);
  return exp;
}

/** The arguments of `runTrial`: experiment, trial, run folder, backend, signal, reporter. */
export interface TrialRunArgs {
  experiment: Experiment;
  trial: Trial;
  dir: string;
  backend: string;
  signal: AbortSignal;
  reporter: Reporter;
  /** Called after each checkpoint is written (the experiment's loop is paused until it returns). */
  onCheckpoint?: (step: number) => void;
}

// Once per worker process: a worker runs many trials from one checkout (and `git` costs two process spawns).
let checkout: { version: string; git: RunConfig['git'] } | null = null;

/** The trial's config.json: what `priorlab <experiment> --seed s <options>` would have written. */
export function trialConfig(experiment: string, trial: Trial, backend: string): RunConfig {
  checkout ??= { version: packageVersion(), git: gitInfo() };
  return {
    experiment,
    seed: trial.seed,
    options: trial.options,
    version: checkout.version,
    node: process.version,
    backend,
    requestedBackend: null,
    git: checkout.git,
    createdAt: new Date().toISOString(),
    command: `priorlab ${[experiment, `--seed=${trial.seed}`, ...toArgv(trial.options)].join(' ')}`,
  };
}

/** Runs (or resumes) the trial in `dir`. */
export async function runTrial(a: TrialRunArgs): Promise<RunOutcome> {
  removeStrayTemps(a.dir);
  const started = existsSync(join(a.dir, FILES.config));
  if (!started) writeJson(join(a.dir, FILES.config), trialConfig(a.experiment.name, a.trial, a.backend));
  // An experiment that cannot resume starts over: its partial metrics go.
  const resume = started && a.experiment.resumable === true;
  if (started && !resume) truncateMetrics(a.dir, null);
  const experiment: Experiment = a.onCheckpoint
    ? {
        ...a.experiment,
        run: (opts, ctx) => {
          const hooked: RunContext = {
            ...ctx,
            checkpoint(step, state) {
              ctx.checkpoint(step, state);
              a.onCheckpoint!(step);
            },
          };
          return a.experiment.run(opts, hooked);
        },
      }
    : a.experiment;
  return runSeed({
    experiment,
    options: a.trial.options,
    seed: a.trial.seed,
    dir: a.dir,
    resume,
    backend: a.backend,
    signal: a.signal,
    reporter: a.reporter,
  });
}
