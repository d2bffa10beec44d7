/**
 * Wrappers. `TimeLimit` truncates an episode after `maxEpisodeSteps` steps (Gymnasium semantics:
 * `truncated = true` on the step that reaches the limit, even if it also terminated; `obs` is the true
 * next observation, so a learner bootstraps from it). A wrapped tabular env still exposes its `model`.
 *
 * `ObservationSubset(env, keep, id)` makes an env partially observable: it shows only the components
 * `keep` of a Box observation; the full observation stays available, for evaluation only, as
 * `info.fullObs` on every `reset` and `step`. Registered use: `PendulumNoVel-v1` is `Pendulum-v1` observed
 * as `[cos θ, sin θ]` (θ̇ is hidden and must be inferred from the history, e.g. by the RSSM's latent state).
 */
import type { Rng } from '../core/rng.js';
import { Box, type Space } from '../core/spaces.js';
import type { Action, Env, Info, Observation, ResetOptions, ResetResult, StepResult, TabularModel } from './env.js';

/** Truncates an episode after `maxEpisodeSteps` steps (`truncated: true`), as `make` applies it. */
export class TimeLimit<O extends Observation = Observation, A extends Action = Action> implements Env<O, A> {
  /** Present when the wrapped env is tabular (so `isTabular` sees through the wrapper). */
  readonly model?: TabularModel;
  private elapsed = 0;
  private needsReset = true;

  constructor(
    readonly env: Env<O, A>,
    readonly maxEpisodeSteps: number,
  ) {
    if (!Number.isInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0) {
      throw new RangeError(`TimeLimit(${env.id}): maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
    }
    const model = (env as { model?: TabularModel }).model;
    if (model !== undefined) this.model = model;
  }

  get id(): string {
    return this.env.id;
  }
  get observationSpace(): Space {
    return this.env.observationSpace;
  }
  get actionSpace(): Space {
    return this.env.actionSpace;
  }
  /** The wrapped env's generator, so `checkEnv(make(id))` checks its seeding. */
  get rng(): Rng | undefined {
    return this.env.rng;
  }
  /** Steps taken in the current episode. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  /** Resets the inner env and the step count. */
  reset(opts?: ResetOptions): ResetResult<O> {
    this.elapsed = 0;
    this.needsReset = false;
    return this.env.reset(opts);
  }

  /** Steps the inner env; `truncated` once the limit is reached. */
  step(action: A): StepResult<O> {
    if (this.needsReset && this.elapsed >= this.maxEpisodeSteps) {
      throw new Error(
        `${this.id}: step() called after the episode was truncated at ${this.maxEpisodeSteps} steps; call reset() first`,
      );
    }
    const result = this.env.step(action);
    this.elapsed++;
    if (this.elapsed >= this.maxEpisodeSteps) {
      result.truncated = true;
      this.needsReset = true;
    }
    return result;
  }

  /** Closes the inner env. */
  close(): void {
    this.env.close();
  }
}

/** The innermost env under any chain of `TimeLimit` and `ObservationSubset` wrappers (e.g. the `GridWorld` behind `make`). */
export function unwrapped(env: Env): Env {
  let e: Env = env;
  while (e instanceof TimeLimit || e instanceof ObservationSubset) e = e.env;
  return e;
}

/**
 * # PendulumNoVel-v1 (`ObservationSubset` of Pendulum-v1)
 *
 * ## Description
 * `Pendulum-v1` with the angular velocity hidden: a partially observed swing-up, where θ̇ must be
 * inferred from the history (e.g. by the RSSM's latent state). Same dynamics, seeding and generator.
 *
 * ## Action Space
 * `Box([-2], [2], float32)`: the torque, as in `Pendulum-v1`.
 *
 * ## Observation Space
 * `Box([-1, -1], [1, 1], float32)`: `[cos θ, sin θ]`. The full `[cos θ, sin θ, θ̇]` is in `info.fullObs`
 * on every `reset` and `step`, for evaluation only.
 *
 * ## Rewards
 * As `Pendulum-v1` (computed from the full state): between ≈ −16.27 and 0.
 *
 * ## Starting State
 * As `Pendulum-v1`: `θ ~ U[−π, π]`, `θ̇ ~ U[−1, 1]`.
 *
 * ## Episode End
 * Never terminates. Truncation: 200 steps.
 *
 * ## Arguments
 * `make('PendulumNoVel-v1', { g: 10 })` (options go to `Pendulum-v1`); in general
 * `new ObservationSubset(env, keep, id)` keeps the components `keep` of any Box observation.
 *
 * ## Version History
 * - v1: follows `Pendulum-v1`.
 */
export class ObservationSubset<A extends Action = Action> implements Env<Float32Array, A> {
  readonly observationSpace: Box;

  constructor(
    readonly env: Env<Float32Array, A>,
    readonly keep: readonly number[],
    readonly id: string,
  ) {
    const space = env.observationSpace;
    if (space.kind !== 'box')
      throw new RangeError(`ObservationSubset(${env.id}): needs a Box observation space, got ${space}`);
    keep.forEach((k, i) => {
      if (!Number.isInteger(k) || k < 0 || k >= space.dim) {
        throw new RangeError(
          `ObservationSubset(${env.id}): keep[${i}] = ${k} is not an index in {0, ..., ${space.dim - 1}}`,
        );
      }
    });
    if (keep.length === 0) throw new RangeError(`ObservationSubset(${env.id}): keep must list at least one component`);
    this.observationSpace = new Box(
      keep.map((k) => space.low[k]),
      keep.map((k) => space.high[k]),
      space.dtype,
    );
  }

  get actionSpace() {
    return this.env.actionSpace;
  }

  /** The wrapped env's generator, so `checkEnv(make(id))` checks its seeding. */
  get rng(): Rng | undefined {
    return this.env.rng;
  }

  private select(obs: Float32Array, info: Info): { obs: Float32Array; info: Info } {
    return { obs: Float32Array.from(this.keep, (k) => obs[k]), info: { ...info, fullObs: obs } };
  }

  /** Resets the inner env; returns the kept observation coordinates. */
  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    const r = this.env.reset(opts);
    return this.select(r.obs, r.info);
  }

  /** Steps the inner env; returns the kept observation coordinates. */
  step(action: A): StepResult<Float32Array> {
    const r = this.env.step(action);
    return { ...r, ...this.select(r.obs, r.info) };
  }

  /** Closes the inner env. */
  close(): void {
    this.env.close();
  }
}
