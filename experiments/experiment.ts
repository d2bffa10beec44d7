/**
 * The contract between an experiment script and the CLI that runs it. An experiment declares its
 * options as a zod object (typed, defaulted, validated before any work) and a `run` that receives
 * them plus a `RunContext`: the seeded streams, a metrics logger, a progress reporter and the
 * run folder. The CLI owns everything around it (parsing, run folders, seeds in parallel, Ctrl-C).
 */
import type { z } from 'zod';
import type { RngStreams } from '../src/core/rng.js';

export interface RunContext {
  /** The root seed of this run; `streams` is derived from it. */
  readonly seed: number;
  readonly streams: RngStreams;
  /** Absolute path of the run folder (`runs/<date>-<name>-<seed>/`), or null for print-only experiments. */
  readonly dir: string | null;
  /** Name of the active tfjs backend (`tensorflow`, `wasm`, `webgl` or `cpu`). */
  readonly backend: string;
  /** True when `--resume` was given: load the last checkpoint from `dir` and continue. */
  readonly resume: boolean;
  /** Aborted on Ctrl-C / SIGTERM: finish the current step, checkpoint, and return. */
  readonly signal: AbortSignal;
  /** Appends `{ step, ...scalars }` to `metrics.jsonl`. Keys are namespaced: `charts/return`, `losses/critic`. */
  log(step: number, scalars: Record<string, number>): void;
  /** Updates the progress bar (silent when stdout is not a TTY or under CI). */
  progress(step: number, total: number, fields?: Record<string, number>): void;
  /** Prints a line of the experiment's report (tables, summaries). */
  print(line: string): void;
  /** Writes `name` inside the run folder atomically (temp file + rename). */
  writeFile(name: string, data: string | Uint8Array): void;
  /** Reads `name` from the run folder, or null when it does not exist. */
  readFile(name: string): Uint8Array | null;
}

export interface Experiment<S extends z.ZodObject = z.ZodObject> {
  /** CLI name, e.g. `sac-pendulum`. */
  readonly name: string;
  /** One line for `priorlab list`. */
  readonly summary: string;
  /** Options beyond the common ones; every field has a default and a `.describe()` text. */
  readonly options: S;
  /** `print`: a report with no run folder (e.g. `lesson`); `train`: writes a run folder per seed. */
  readonly kind: 'print' | 'train';
  run(opts: z.infer<S>, ctx: RunContext): Promise<void>;
}
