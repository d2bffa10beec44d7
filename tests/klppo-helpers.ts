/** Test fixtures for the KL-PPO tests: a (contextual) bandit with a tabular model. */
import { Discrete } from '../src/core/spaces.js';
import type { Env, ResetResult, StepResult } from '../src/envs/env.js';
import { Rng, type Seed } from '../src/core/rng.js';

/** One-step episodes: a context s ~ uniform over `rewards.length` states, action a pays rewards[s][a] (+ N(0, noise²)). */
export class ContextualBandit implements Env<number, number> {
  readonly id = 'ContextualBandit-test';
  readonly observationSpace: Discrete;
  readonly actionSpace: Discrete;
  private rng = new Rng(0);
  private s = 0;
  constructor(
    readonly rewards: number[][],
    readonly noise = 0,
  ) {
    this.observationSpace = new Discrete(rewards.length);
    this.actionSpace = new Discrete(rewards[0].length);
  }
  reset(opts: { seed?: Seed } = {}): ResetResult<number> {
    if (opts.seed !== undefined) this.rng = new Rng(opts.seed);
    this.s = this.rng.integer(this.rewards.length);
    return { obs: this.s, info: {} };
  }
  step(a: number): StepResult<number> {
    const reward = this.rewards[this.s][a] + (this.noise > 0 ? this.noise * this.rng.normal() : 0);
    return { obs: this.s, reward, terminated: true, truncated: false, info: {} };
  }
  close(): void {}
}
