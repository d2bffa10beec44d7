/** Test fixtures for the KL-PPO tests: a (contextual) bandit. */
import type { Rng } from '../src/core/rng.js';
import { Discrete } from '../src/core/spaces.js';
import { BaseEnv, checkDiscreteAction } from '../src/envs/base.js';
import type { ResetResult, StepResult } from '../src/envs/env.js';

/** One-step episodes: a context s ~ uniform over `rewards.length` states; action a pays rewards[s][a] + N(0, noise²). */
export class ContextualBandit extends BaseEnv<number, number> {
  readonly id = 'ContextualBandit-test';
  readonly observationSpace: Discrete;
  readonly actionSpace: Discrete;
  private s = 0;
  constructor(
    readonly rewards: number[][],
    readonly noise = 0,
  ) {
    super();
    this.observationSpace = new Discrete(rewards.length);
    this.actionSpace = new Discrete(rewards[0].length);
  }
  protected resetEpisode(rng: Rng): ResetResult<number> {
    this.s = rng.integer(this.rewards.length);
    return { obs: this.s, info: {} };
  }
  protected stepEpisode(a: number, rng: Rng): StepResult<number> {
    checkDiscreteAction(this.id, this.actionSpace, a);
    const reward = this.rewards[this.s][a] + (this.noise > 0 ? this.noise * rng.normal() : 0);
    return { obs: this.s, reward, terminated: true, truncated: false, info: {} };
  }
}

/** π(·|s) per state from a flat nS·nA policy table (`policyTable()`). */
export function rowsOf(flat: Float64Array, nA: number): Float64Array[] {
  return Array.from({ length: flat.length / nA }, (_, s) => flat.slice(s * nA, (s + 1) * nA));
}
