/**
 * `priorlab/node`: the Node-only machinery. The tfjs-node/wasm backend init (which also loads the SAC
 * engine, `engine.wasm`, shipped inside the package), run folders (config.json, metrics.jsonl, status.json,
 * checkpoints, atomic writes), the experiment contract and the runner behind the CLI, `compare`, saved
 * agents (`agent.json` + `agent.bin`), the `train` machinery, and sweeps (folders of run folders).
 *
 * ```ts
 * import { initNodeBackend, saveAgent, loadRunAgent } from 'priorlab/node';
 * await initNodeBackend();          // tfjs-node when installed, else wasm, else cpu; loads engine.wasm
 * ```
 * @packageDocumentation
 */

// backend
export { initNodeBackend, NODE_BACKENDS, BACKEND_ENV_VAR, type NodeBackend } from './backend.js';
export { writeFileAtomic } from './atomicfs.js';

// run folders and the experiment contract
export {
  createRunDir,
  checkOutFolder,
  readJson,
  writeJson,
  readMetrics,
  appendMetrics,
  writeStatus,
  readCheckpoint,
  FILES,
  type RunConfig,
  type RunStatus,
  type CheckpointFile,
} from './run/rundir.js';
export {
  stepsOption,
  partStreams,
  sequentialParts,
  type Experiment,
  type RunContext,
  type Checkpoint,
} from './run/experiment.js';
export { runSeed, abortOnSignals, type Reporter, type RunSeedArgs, type RunOutcome } from './run/runner.js';
export {
  parseSeedList,
  splitArgs,
  validateFlags,
  helpLines,
  COMMON_OPTIONS,
  type CommonOptions,
} from './run/options.js';
export { findRuns, groupRuns, compareTable, compareMain, type Run, type GroupStats } from './run/compare.js';
export { linePlot, barChart, type LineSeries, type ChartText } from './run/svgplot.js';

// saved agents and train/eval/enjoy
export { saveAgent, loadAgent } from './train/agent-io.js';
export { loadRunAgent, evalMain, enjoyMain, type LoadedAgent } from './train/commands.js';
export {
  buildObjective,
  referenceSource,
  resolveTrain,
  trainOptions,
  type TrainOptions,
  type ResolvedTrain,
} from './train/setup.js';
export { tunedHyperparams } from './train/hyperparams.js';

// sweeps
export { parseSpec, expandTrials, type SweepSpec, type Trial, type Cell } from './sweep/spec.js';
export { initSweepFolder, readSweep, trialDir, trialStatus, type SweepFile } from './sweep/folder.js';
export { runTrial, provideExperiments, type ExperimentSource, type TrialRunArgs } from './sweep/trial.js';
export { summarize, writeSummary, finishSweep, type CellSummary } from './sweep/summary.js';
export { sweepMain } from './sweep/cli.js';

/** zod, the schema library of every option and config schema (an `Experiment`'s `options`). */
export { z } from 'zod';
