/**
 * Wrappers. `TimeLimit` truncates an episode after `maxEpisodeSteps` steps (Gymnasium semantics:
 * `truncated = true` on the step that reaches the limit, even if it also terminated; `obs` is the true
 * next observation, so a learner bootstraps from it). A wrapped tabular env still exposes its `model`.
 */
import type { Space } from '../core/spaces.js';
import type { Action, Env, Observation, ResetOptions, ResetResult, StepResult, TabularModel } from './env.js';

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
  /** Steps taken in the current episode. */
  get elapsedSteps(): number {
    return this.elapsed;
  }

  reset(opts?: ResetOptions): ResetResult<O> {
    this.elapsed = 0;
    this.needsReset = false;
    return this.env.reset(opts);
  }

  step(action: A): StepResult<O> {
    if (this.needsReset && this.elapsed >= this.maxEpisodeSteps) {
      throw new Error(`${this.id}: step() called after the episode was truncated at ${this.maxEpisodeSteps} steps; call reset() first`);
    }
    const result = this.env.step(action);
    this.elapsed++;
    if (this.elapsed >= this.maxEpisodeSteps) {
      result.truncated = true;
      this.needsReset = true;
    }
    return result;
  }

  close(): void {
    this.env.close();
  }
}

/** The innermost env under any chain of `TimeLimit` wrappers (e.g. the `GridWorld` behind `make`). */
export function unwrapped(env: Env): Env {
  let e: Env = env;
  while (e instanceof TimeLimit) e = e.env;
  return e;
}
