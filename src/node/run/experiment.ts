/**
 * The contract between an experiment script (`experiments/*.ts`) and the CLI that runs it (`runner.ts`).
 * An experiment declares its options as a zod object (typed, defaulted, validated before any work) and a
 * `run` that receives them plus a `RunContext`: the seeded streams, a metrics logger, a progress reporter
 * and the run folder. The CLI owns everything around it (parsing, run folders, seeds in parallel, Ctrl-C).
 *
 * Checkpoints and resume: declare `resumable: true` and call `ctx.checkpoint(step, state)` every N steps
 * (after logging that step). It writes `checkpoint.json` atomically with `state` and the RNG streams' state. On
 * `--resume`, the CLI restores the streams, drops every `metrics.jsonl` line with a step greater
 * than the checkpoint's, and runs again with `ctx.resume = true`; the experiment reads its state
 * back with `ctx.loadCheckpoint()` and continues from `step + 1`. Done this way, the resumed
 * `metrics.jsonl` is byte-identical to an uninterrupted run's.
 */
import { z } from 'zod';
import { RngStreams } from '../../core/rng.js';

/** A checkpoint as an experiment reads it back: the last completed step and its state. */
export interface Checkpoint<T = unknown> {
  /** The last completed step: every log with `step <= this` is kept on resume. */
  step: number;
  state: T;
}

/** What an experiment's `run` receives: seed and streams, the run folder, logging, progress, checkpoints, abort. */
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
  /**
   * Aborted on Ctrl-C / SIGTERM: finish the current step, checkpoint, and return. A loop that never awaits
   * must `await yieldToEventLoop()` (`src/core/yield.ts`) once per log step, or this is never aborted.
   */
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
  /**
   * Saves `checkpoint.json` = `{ step, state, rng }` atomically (state must be JSON-serializable;
   * write large blobs such as weights with `writeFile` first, then checkpoint).
   */
  checkpoint(step: number, state: unknown): void;
  /** The last checkpoint of this run folder, or null (fresh run, or resumed before the first one). */
  loadCheckpoint<T = unknown>(): Checkpoint<T> | null;
}

/** An experiment: zod options, a kind, and `run(opts, ctx)`; the CLI and sweeps run it. */
export interface Experiment<S extends z.ZodObject = z.ZodObject> {
  /** CLI name, e.g. `sac-pendulum`. */
  readonly name: string;
  /** One line for `priorlab list`. */
  readonly summary: string;
  /**
   * Options beyond the common ones; every field has a default and a `.describe()` text. Rules between
   * fields go in a `.superRefine` on this object, with the issue's `path` naming the field to blame:
   * the CLI checks them with the rest, before any run folder exists.
   */
  readonly options: S;
  /** `print`: a report with no run folder (e.g. `lesson`); `train`: writes a run folder per seed. */
  readonly kind: 'print' | 'train';
  /** What `ctx.progress` counts, shown after the total on the progress line (default `steps`), e.g. `env steps`. */
  readonly progressUnit?: string;
  /** True when `run` checkpoints and continues on `--resume`; otherwise the CLI refuses `--resume` (default false). */
  readonly resumable?: boolean;
  /**
   * Checks that need more than the schema (building a learner from its config needs the tfjs backend): the CLI
   * calls it once the backend has started and before any run folder is made, so a bad value leaves no folder.
   * Throw a `UsageError` naming the option.
   */
  prepare?(opts: z.infer<S>): void | Promise<void>;
  /**
   * The schema of `state` in this experiment's checkpoint.json for these options (resumable experiments):
   * `--resume` checks it before anything in the run folder is changed. Without it only the file's frame
   * (`step`, `rng`) is checked.
   */
  checkpointState?(opts: z.infer<S>): z.ZodType;
  /** Runs the experiment with its parsed options in the context the CLI made. */
  run(opts: z.infer<S>, ctx: RunContext): Promise<void>;
}

/**
 * Independent streams for one part of a run (a column of a comparison, an evaluation) that must not
 * depend on what other parts drew: rooted at `<seed>#<part>`, so they never collide with `ctx.streams`
 * (rooted at `<seed>/`) nor with another part's. They are not checkpointed: create them where the part
 * starts. The same seed and part always give the same numbers (a fresh call restarts them).
 */
export function partStreams(ctx: Pick<RunContext, 'seed'>, part: string): RngStreams {
  return new RngStreams(`${ctx.seed}#${part}`);
}

/**
 * For runs made of parts whose learners count steps from 0 (the columns of a comparison): each
 * `next()` returns `ctx` with a `log(step)` that writes `step` plus the last step every earlier part
 * logged, so `metrics.jsonl` steps increase through the whole run (as resume and `compare` assume), and a
 * `progress(step)` that reports the same offset step out of `totalSteps` (the sum of the parts' budgets),
 * so the progress bar counts what status.json does.
 */
export function sequentialParts(
  ctx: RunContext,
  totalSteps: number,
): {
  /** The context of the next part, its steps offset by the earlier parts'. */
  next(): RunContext;
} {
  let offset = 0;
  let last = 0;
  return {
    next() {
      offset += last;
      last = 0;
      const base = offset;
      return {
        ...ctx,
        log(step, scalars) {
          last = step;
          ctx.log(base + step, scalars);
        },
        progress(step, _partTotal, fields) {
          ctx.progress(base + step, totalSteps, fields);
        },
      };
    },
  };
}

/**
 * Shared option declarations, so every experiment spells its options the same way: the Objective's
 * `--prior`, `--alpha`, `--target-kl` come from `objectiveOptions` (`src/priors/objective.ts`), the budget
 * from `stepsOption`: `z.object({ ...objectiveOptions({ prior: 'uniform', alpha: 0.2 }), steps: stepsOption(20_000) })`.
 * Say what an option means in your experiment with `.describe()`, which replaces the generic text.
 */
export const stepsOption = (def: number) =>
  z.number().int().positive().default(def).describe('number of environment (or gradient) steps');
