/**
 * The training loop both SACs share (issue #10): collection, the update schedule, logging, evaluation,
 * checkpoints at episode ends, the abort signal and yielding, written once. What differs between continuous
 * and discrete SAC (how an action is chosen, how observations are stored, the gradient step, which scalars
 * a log line holds) comes in as `SacLoopParts`.
 *
 * `SacLoop.step()` is one synchronous environment step (a browser interleaves it with drawing);
 * `runLoop` (`src/agents/loop.ts`) is the async loop: `step()` plus checkpoints, the abort signal and yields.
 * Every episode starts with `env.reset({ seed })`, the seed drawn from the `reset` stream when the
 * episode's first step is taken, so between episodes (`atEpisodeBoundary`) the env holds no state the run
 * needs: a checkpoint there (`SacRunCheckpoint`) plus the streams resumes exactly. Browser-safe.
 */
import type { Rng } from '../../core/rng.js';
import type { Env, Observation, StepResult } from '../../envs/env.js';
import type { LearnerCheckpoint, LoopObject, MetricsLine } from '../loop.js';
import { ReplayBuffer, type ReplayBatch, type ReplayState } from '../replay.js';

/** The schedule fields both SAC configs share. */
export interface SacSchedule {
  totalSteps: number;
  bufferSize: number;
  batchSize: number;
  /** Steps before the first gradient step (the parts' `collect` acts randomly before it). */
  learningStarts: number;
  /** Environment steps between rounds of gradient steps. */
  updateEvery: number;
  /** Gradient steps per round. */
  gradientSteps: number;
  logEvery: number;
  /** Evaluate every this many steps and at the end (0 = only at the end); only with `parts.evaluate`. */
  evalEvery: number;
}

/** One metrics line (the shared `MetricsLine`). */
export type SacMetrics = MetricsLine;

/** A finished episode's return and length. */
export interface EpisodeStat {
  ret: number;
  len: number;
}

/** What differs between the SACs. */
export interface SacLoopParts<A extends number | Float32Array> {
  /** Width of an encoded observation and of an action in the replay buffer. */
  obsWidth: number;
  actWidth: number;
  /** An observation as the buffer stores it (one-hot for tabular states). */
  encode(obs: Observation): ArrayLike<number>;
  /** The behaviour action at environment step `step` (steps done so far), random during the warm-up. */
  collect(obs: Observation, step: number): A;
  /** One gradient step on a minibatch. */
  learn(batch: ReplayBatch): void;
  /**
   * A log step's scalars from the latest update and the episodes finished since the last log (throws a
   * DivergedError when one is not finite).
   */
  scalars(
    step: number,
    finished: readonly EpisodeStat[],
    episodes: number,
    evalReturn: number | undefined,
  ): Record<string, number>;
  /** Mean return of a deterministic evaluation (optional: without it the loop does not evaluate). */
  evaluate?(): number;
  /** After every environment step, before the counter moves (`step` = steps done before it). Return false to stop. */
  onStep?(info: { step: number; obs: Observation; action: A; result: StepResult }): boolean | void;
  /** At every episode end (per-episode state of the behaviour policy). */
  episodeEnded?(): void;
  /** After every metrics line (`regular`: a log step's; else an evaluation between log steps). Return false to stop. */
  logged?(line: SacMetrics, regular: boolean): boolean | void;
}

/** The loop's own state in a checkpoint. */
export interface SacLoopState {
  /** Environment steps done. */
  step: number;
  /** Episodes finished. */
  episodes: number;
  /** Episodes finished since the last log step (not yet logged). */
  finished: EpisodeStat[];
  /** Every metrics line so far. */
  metrics: SacMetrics[];
}

/**
 * A SAC run at an episode end, the same envelope for both SACs: the agent's state (its own layout), the
 * replay buffer and the loop's counters. Typed arrays stay typed arrays; `src/core/f32json.ts` stores them.
 */
export interface SacRunCheckpoint<S> extends LearnerCheckpoint<S, SacLoopState> {
  algo: 'sac' | 'sac-discrete';
  buffer: ReplayState;
}

/**
 * The loop, one environment step at a time: act (the parts' `collect`), store the transition (truncated
 * episodes bootstrap, terminated ones do not), `gradientSteps` updates every `updateEvery` steps after
 * `learningStarts`, evaluate, log.
 */
export class SacLoop<A extends number | Float32Array> implements LoopObject {
  readonly buffer: ReplayBuffer;
  private state: SacLoopState = { step: 0, episodes: 0, finished: [], metrics: [] };
  /** The evaluations of this session (not of the run before a resume). */
  readonly evals: { step: number; meanReturn: number }[] = [];
  /** The current observation, or null between episodes (the next step resets the env). */
  private obs: Observation | null = null;
  private episodeReturn = 0;
  private episodeLength = 0;
  private stopped = false;
  /** The evaluation of the latest step, if one ran. */
  lastEval: number | undefined;
  /** Whether the latest step was a log step. */
  loggedLast = false;

  constructor(
    readonly schedule: SacSchedule,
    readonly env: Env,
    private readonly parts: SacLoopParts<A>,
    /** Seeds of the episodes' resets, and the minibatch indices. */
    private readonly rngs: { reset: Rng; buffer: Rng },
  ) {
    this.buffer = new ReplayBuffer(schedule.bufferSize, parts.obsWidth, parts.actWidth);
  }

  /** Environment steps done. */
  get stepCount(): number {
    return this.state.step;
  }

  get totalSteps(): number {
    return this.schedule.totalSteps;
  }

  get atBoundary(): boolean {
    return this.obs === null;
  }

  get metrics(): readonly SacMetrics[] {
    return this.state.metrics;
  }

  get done(): boolean {
    return this.stopped || this.state.step >= this.schedule.totalSteps;
  }

  /** True between episodes: the only moment a checkpoint may be taken. */
  get atEpisodeBoundary(): boolean {
    return this.obs === null;
  }

  /** Ends training after the current step (a diverged update, a hook's request). */
  stop(): void {
    this.stopped = true;
  }

  /** The loop's state and the buffer (only at an episode boundary, or once training is over). */
  save(who: string): { buffer: ReplayState; loop: SacLoopState } {
    if (this.obs !== null && !this.done) {
      throw new RangeError(
        `${who}: step ${this.state.step} is inside an episode (allowed: when atEpisodeBoundary is true, or training is over)`,
      );
    }
    const s = this.state;
    return {
      buffer: this.buffer.getState(),
      loop: {
        step: s.step,
        episodes: s.episodes,
        finished: s.finished.map((e) => ({ ...e })),
        metrics: s.metrics.map((m) => ({ step: m.step, scalars: { ...m.scalars } })),
      },
    };
  }

  /** Continues from `save`'s output. */
  restore(saved: { buffer: ReplayState; loop: SacLoopState }): void {
    this.buffer.setState(saved.buffer);
    const l = saved.loop;
    this.state = { ...l, finished: l.finished.map((e) => ({ ...e })), metrics: [...l.metrics] };
    this.obs = null;
  }

  /** One environment step (plus its gradient steps, evaluation and log). Returns false once training is over. */
  step(): boolean {
    this.lastEval = undefined;
    this.loggedLast = false;
    if (this.done) return false;
    const { schedule: sch, parts, state: s } = this;
    if (this.obs === null) this.obs = this.env.reset({ seed: this.rngs.reset.uint32() }).obs;
    const obs = this.obs;
    const action = parts.collect(obs, s.step);
    const r = this.env.step(action);
    this.buffer.add(parts.encode(obs), action, r.reward, parts.encode(r.obs), r.terminated);
    this.episodeReturn += r.reward;
    this.episodeLength += 1;
    if (parts.onStep?.({ step: s.step, obs, action, result: r }) === false) this.stopped = true;
    const ended = r.terminated || r.truncated;
    if (ended) {
      s.finished.push({ ret: this.episodeReturn, len: this.episodeLength });
      s.episodes += 1;
      this.episodeReturn = 0;
      this.episodeLength = 0;
      parts.episodeEnded?.();
    }
    this.obs = ended ? null : r.obs;
    s.step += 1;
    const t = s.step;

    if (t > sch.learningStarts && t % sch.updateEvery === 0) {
      for (let g = 0; g < sch.gradientSteps; g++) parts.learn(this.buffer.sample(sch.batchSize, this.rngs.buffer));
    }
    if (parts.evaluate && ((sch.evalEvery > 0 && t % sch.evalEvery === 0) || t === sch.totalSteps)) {
      this.lastEval = parts.evaluate();
      this.evals.push({ step: t, meanReturn: this.lastEval });
    }
    if (t % sch.logEvery === 0 || this.done) {
      this.loggedLast = true;
      this.record({ step: t, scalars: this.scalarsOrStop(t) }, true);
      s.finished = [];
    } else if (this.lastEval !== undefined) {
      this.record({ step: t, scalars: { 'charts/eval_return': this.lastEval } }, false);
    }
    return !this.done;
  }

  private scalarsOrStop(t: number): Record<string, number> {
    const s = this.state;
    try {
      return this.parts.scalars(t, s.finished, s.episodes, this.lastEval);
    } catch (e) {
      this.stopped = true;
      throw e;
    }
  }

  private record(line: SacMetrics, regular: boolean): void {
    this.state.metrics.push(line);
    if (this.parts.logged?.(line, regular) === false) this.stopped = true;
  }
}
