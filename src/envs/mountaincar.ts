/**
 * # MountainCarContinuous-v0
 *
 * ## Description
 * An underpowered car in a valley must rock back and forth to climb the right hill to the flag at
 * x = 0.45. A re-implementation of Gymnasium's `Continuous_MountainCarEnv`. With position `x`,
 * velocity `v` and force `f = clip(a, −1, 1)`, each step does
 *
 *     v' = clip(v + 0.0015·f − 0.0025·cos(3x), −0.07, 0.07)
 *     x' = clip(x + v', −1.2, 0.6);   if x' = −1.2 and v' < 0 then v' = 0
 *
 * in float64, then stores `(x', v')` as float32, as Gymnasium does (so the next step starts from the
 * float32-rounded state; the first step after `reset` starts from the float64 reset state).
 *
 * ## Action Space
 * `Box([-1], [1], float32)`: the force. Out-of-range values are clipped in the dynamics; NaN, ±Infinity
 * and values whose square overflows are errors.
 *
 * ## Observation Space
 * `Box([-1.2, -0.07], [0.6, 0.07], float32)`: `[position, velocity]`.
 *
 * ## Rewards
 * `−0.1·a²` per step with the UNCLIPPED action `a` (as Gymnasium computes it), plus 100 on reaching the goal.
 *
 * ## Starting State
 * `x ~ U[−0.6, −0.4]`, `v = 0` (override with `reset({ options: { low, high } })`, −1.2 ≤ low ≤ high ≤ 0.6).
 *
 * ## Episode End
 * Termination: `x' ≥ 0.45` and `v' ≥ goalVelocity`. Truncation: 999 steps.
 *
 * ## Arguments
 * `make('MountainCarContinuous-v0', { goalVelocity: 0, actionCost: 0.1 })`: `actionCost` scales the `a²` penalty
 * (a changed reward for fine-tuning experiments; Gymnasium's is 0.1).
 *
 * ## Version History
 * - v0: Gymnasium's current version.
 */
import type { Rng } from '../core/rng.js';
import { Box } from '../core/spaces.js';
import { BaseEnv, checkBoxAction, OptionReader } from './base.js';
import type { ResetResult, StepResult } from './env.js';

const MIN_POSITION = -1.2;
const MAX_POSITION = 0.6;
const MAX_SPEED = 0.07;
const GOAL_POSITION = 0.45;
const POWER = 0.0015;

/** MountainCarContinuous-v0, Gymnasium's dynamics: `make('MountainCarContinuous-v0')`. */
export class MountainCarContinuous extends BaseEnv<Float32Array, ArrayLike<number>> {
  readonly id = 'MountainCarContinuous-v0';
  readonly observationSpace = new Box([MIN_POSITION, -MAX_SPEED], [MAX_POSITION, MAX_SPEED], 'float32');
  readonly actionSpace = new Box([-1], [1], 'float32');
  readonly goalVelocity: number;
  readonly actionCost: number;
  position = 0;
  velocity = 0;

  constructor(options: Record<string, unknown> = {}) {
    super();
    const read = new OptionReader(this.id, options, ['goalVelocity', 'actionCost']);
    this.goalVelocity = read.number('goalVelocity', 0);
    this.actionCost = read.number('actionCost', 0.1, 0);
  }

  protected override readonly resetOptionNames = ['low', 'high'];

  protected resetEpisode(rng: Rng, reset: OptionReader): ResetResult<Float32Array> {
    // The start position must lie inside the observation space.
    const low = reset.number('low', -0.6, MIN_POSITION, MAX_POSITION);
    const high = reset.number('high', -0.4, low, MAX_POSITION);
    this.position = rng.uniformRange(low, high);
    this.velocity = 0;
    return { obs: Float32Array.of(this.position, this.velocity), info: {} };
  }

  protected stepEpisode(action: ArrayLike<number>): StepResult<Float32Array> {
    checkBoxAction(this.id, this.actionSpace, action);
    const a = action[0];
    // The reward uses the unclipped action (as Gymnasium does), so its square must stay finite.
    if (!Number.isFinite(a * a))
      throw new RangeError(
        `${this.id}: action[0] must have |a| < 1e154 (the reward −0.1·a² uses it unclipped), got ${a}`,
      );
    const force = Math.min(Math.max(a, -1), 1);
    let velocity = this.velocity + force * POWER - 0.0025 * Math.cos(3 * this.position);
    if (velocity > MAX_SPEED) velocity = MAX_SPEED;
    if (velocity < -MAX_SPEED) velocity = -MAX_SPEED;
    let position = this.position + velocity;
    if (position > MAX_POSITION) position = MAX_POSITION;
    if (position < MIN_POSITION) position = MIN_POSITION;
    if (position === MIN_POSITION && velocity < 0) velocity = 0;
    const terminated = position >= GOAL_POSITION && velocity >= this.goalVelocity;
    const reward = (terminated ? 100 : 0) - a * a * this.actionCost;
    this.position = Math.fround(position);
    this.velocity = Math.fround(velocity);
    return { obs: Float32Array.of(this.position, this.velocity), reward, terminated, truncated: false, info: {} };
  }
}
