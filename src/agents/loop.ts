/**
 * The training loop every learner shares, written once. A learner's loop object (`SacLoop` for both SACs,
 * `UpdateLoop` for KL-PPO and the RLHF learners) takes one synchronous `step()` at a time (an environment
 * step, a PPO iteration, an RLHF update) — what a browser interleaves with drawing — and records its metrics
 * lines; `runLoop` is the async,
 * abortable loop around it that the CLI runs: log, progress, evaluation results, checkpoints at the loop's
 * boundaries (episode ends, iteration ends), the abort signal and yields to the event loop.
 *
 * One checkpoint envelope for every learner (`LearnerCheckpoint`): a version, the algorithm, the agent's own
 * state and the loop's; typed arrays stay typed arrays (`src/core/f32json.ts` stores them bit-exactly).
 * Browser-safe.
 */
import { yieldToEventLoop } from '../core/yield.js';

/** One metrics line: `step` plus namespaced scalars (`charts/…`, `losses/…`). */
export interface MetricsLine {
  step: number;
  scalars: Record<string, number>;
}

/** What a loop object offers `runLoop` (and a browser stepping it by hand). */
export interface LoopObject {
  /** Environment steps done, and the budget. */
  readonly stepCount: number;
  readonly totalSteps: number;
  readonly done: boolean;
  /** True where a checkpoint may be taken (between episodes; after a PPO iteration). */
  readonly atBoundary: boolean;
  /** Every metrics line of the run so far (a resumed run's earlier lines included). */
  readonly metrics: readonly MetricsLine[];
  /** Whether the latest step wrote a log line, and its evaluation's mean return if one ran. */
  readonly loggedLast: boolean;
  readonly lastEval: number | undefined;
  /** One step; false once training is over. */
  step(): boolean;
}

/** The hooks every learner's `run` takes (a `RunContext` provides them all). */
export interface TrainHooks {
  signal?: AbortSignal;
  /** Every metrics line as it is logged. */
  log?(step: number, scalars: Record<string, number>): void;
  /** Progress for a bar (steps done of the budget), with the step's evaluation if one ran. */
  progress?(step: number, total: number, fields: Record<string, number>): void;
  /** At the first boundary after every `checkpointEvery` steps, and at the stop an abort causes. */
  checkpoint?(step: number, state: LearnerCheckpoint): void;
}

/** The next multiple of `every` after `step` (Infinity when `every` is 0): the next checkpoint or evaluation step. */
export function nextMultiple(step: number, every: number): number {
  return every > 0 ? (Math.floor(step / every) + 1) * every : Infinity;
}

/**
 * `loop.step()` until done, yielding to the event loop at log lines and boundaries (so an abort signal can
 * arrive), checkpointing at the first boundary after every `checkpointEvery` steps (0 = never) with `save()`.
 */
export async function runLoop(
  loop: LoopObject,
  checkpointEvery: number,
  save: () => LearnerCheckpoint,
  hooks: TrainHooks,
): Promise<void> {
  let nextCheckpoint = nextMultiple(loop.stepCount, checkpointEvery);
  let sent = loop.metrics.length; // lines of the run before a resume were reported then
  while (!loop.done) {
    loop.step();
    const step = loop.stepCount;
    for (; sent < loop.metrics.length; sent++) hooks.log?.(loop.metrics[sent].step, loop.metrics[sent].scalars);
    if (loop.loggedLast) await yieldToEventLoop(); // let an abort signal (Ctrl-C) in
    hooks.progress?.(step, loop.totalSteps, loop.lastEval === undefined ? {} : { eval: loop.lastEval });
    if (loop.atBoundary) {
      await yieldToEventLoop();
      if ((step >= nextCheckpoint || hooks.signal?.aborted) && hooks.checkpoint) {
        hooks.checkpoint(step, save());
        nextCheckpoint = nextMultiple(step, checkpointEvery);
      }
      if (hooks.signal?.aborted) break;
    }
  }
}

// ───────────────────────────────────────────────────────────────────────────── the checkpoint envelope
/** The checkpoint format version every learner writes and reads. */
export const LEARNER_CHECKPOINT_VERSION = 2;

/** A run at a boundary: the agent's state (its own layout) and the loop's (counters, metrics, replay buffer). */
export interface LearnerCheckpoint<A = unknown, L = unknown> {
  version: typeof LEARNER_CHECKPOINT_VERSION;
  algo: string;
  agent: A;
  loop: L;
}

/** Throws unless `version` is this format's; the error names both versions. */
export function checkCheckpointVersion(field: string, version: unknown): void {
  if (version === LEARNER_CHECKPOINT_VERSION) return;
  const got = version === undefined ? 'none (a checkpoint written before the shared format)' : JSON.stringify(version);
  throw new RangeError(
    `${field}: got ${got}, allowed: ${LEARNER_CHECKPOINT_VERSION} (this priorlab's checkpoint format); retrain, or resume with the priorlab that wrote it`,
  );
}

/** Throws unless `ckpt` is a checkpoint of this version and algorithm. */
export function checkCheckpoint(ckpt: unknown, algo: string): asserts ckpt is LearnerCheckpoint {
  const c = ckpt !== null && typeof ckpt === 'object' ? (ckpt as Partial<LearnerCheckpoint>) : {};
  checkCheckpointVersion('checkpoint.version', c.version);
  if (c.algo !== algo) throw new RangeError(`checkpoint.algo: got ${JSON.stringify(c.algo)}, allowed: '${algo}'`);
}

/** The loop's own state in a checkpoint (the learner's agent state holds the count). */
export interface UpdateLoopState {
  warmedUp: boolean;
}

/**
 * The loop of a learner whose step is one update with no episode to finish — one KL-PPO iteration (a rollout
 * and its epochs), one RLHF update: a metrics line every step, an evaluation when the count crosses a
 * multiple of `evalEvery` and at the end, every step a boundary. An optional warm start (KL-PPO's
 * distillation onto the prior, the RLHF recipe's "start at the reference") is the first step of a fresh run.
 * The count lives in the learner (`count()`: env steps, or updates), so a restored learner resumes it.
 */
export class UpdateLoop implements LoopObject {
  private lines: MetricsLine[] = [];
  private warmedUp = false;
  loggedLast = false;
  lastEval: number | undefined;

  constructor(
    private readonly parts: {
      update(): Record<string, number>;
      count(): number;
      evaluate(): number;
      /** The warm start's scalars (it may move the count: its rollouts are env steps). */
      warmStart?(): Record<string, number>;
    },
    readonly totalSteps: number,
    private readonly evalEvery: number,
  ) {}

  get stepCount(): number {
    return this.parts.count();
  }

  get done(): boolean {
    return this.parts.count() >= this.totalSteps;
  }

  get atBoundary(): boolean {
    return true;
  }

  get metrics(): readonly MetricsLine[] {
    return this.lines;
  }

  step(): boolean {
    this.lastEval = undefined;
    this.loggedLast = false;
    if (this.done) return false;
    const { parts, evalEvery } = this;
    const before = parts.count();
    if (!this.warmedUp && parts.warmStart && before === 0) {
      this.warmedUp = true;
      const scalars = parts.warmStart();
      this.record({ step: parts.count(), scalars });
      return !this.done;
    }
    this.warmedUp = true;
    const scalars = parts.update();
    const step = parts.count();
    if ((evalEvery > 0 && Math.floor(step / evalEvery) > Math.floor(before / evalEvery)) || this.done) {
      this.lastEval = parts.evaluate();
      scalars['charts/eval_return'] = this.lastEval;
    }
    this.record({ step, scalars });
    return !this.done;
  }

  save(): UpdateLoopState {
    return { warmedUp: this.warmedUp };
  }

  /** After a restore: earlier lines were reported by the run that logged them. */
  restore(s: UpdateLoopState): void {
    this.warmedUp = s.warmedUp;
    this.lines = [];
  }

  private record(line: MetricsLine): void {
    this.lines.push(line);
    this.loggedLast = true;
  }
}
