/**
 * # Pendulum-v1
 *
 * ## Description
 * The inverted pendulum swing-up: a pendulum hangs from a pivot and starts at a random angle; apply a
 * torque to swing it up and keep it upright. A re-implementation of Gymnasium's `PendulumEnv` with the
 * same float64 physics and float32 observations. With `th` the angle (0 = upright) and `thdot` its
 * angular velocity, each step with torque `u` does
 *
 *     u       = clip(u, −2, 2)
 *     cost    = angle_normalize(th)² + 0.1·thdot² + 0.001·u²      (from the state BEFORE the step)
 *     thdot'  = clip(thdot + (3g/(2l)·sin(th) + 3/(m·l²)·u)·dt, −8, 8)
 *     th'     = th + thdot'·dt
 *
 * with g = 10, m = l = 1, dt = 0.05, and `angle_normalize(x) = ((x + π) mod 2π) − π` using floor
 * modulo (the result has the sign of the divisor, as NumPy's `%`).
 *
 * ## Action Space
 * `Box([-2], [2], float32)`: the torque. Out-of-range values are clipped; NaN is an error.
 *
 * ## Observation Space
 * `Box([-1, -1, -8], [1, 1, 8], float32)`: `[cos(th), sin(th), thdot]`.
 *
 * ## Rewards
 * `−cost`, between −(π² + 0.1·8² + 0.001·2²) ≈ −16.27 and 0.
 *
 * ## Starting State
 * `th ~ U[−π, π]`, `thdot ~ U[−1, 1]` (override with `reset({ options: { xInit, yInit } })`).
 *
 * ## Episode End
 * Never terminates. Truncation: 200 steps.
 *
 * ## Arguments
 * `make('Pendulum-v1', { g: 10 })`.
 *
 * ## Fast path
 * `stepRaw(u)` advances the physics with a plain number torque and returns the reward without any
 * allocation or validation; the observation is in `obsBuffer` (overwritten each step). It bypasses the
 * episode bookkeeping (Pendulum never terminates), so it is meant for tight loops like benchmarks and
 * model-based rollouts; `step` is the checked API.
 *
 * ## Version History
 * - v1: Gymnasium's current version (simplified math, `g` argument).
 */
import type { Rng } from '../core/rng.js';
import { Box } from '../core/spaces.js';
import { BaseEnv, checkBoxAction, OptionReader } from './base.js';
import type { ResetResult, StepResult } from './env.js';

const MAX_SPEED = 8;
const MAX_TORQUE = 2;
const DT = 0.05;
const M = 1;
const L = 1;
const TWO_PI = 2 * Math.PI;

/** NumPy's `x % y`: floor modulo, the result has the sign of `y`. */
export function floorMod(x: number, y: number): number {
  const m = x % y;
  return m !== 0 && m < 0 !== y < 0 ? m + y : m;
}

/** Gymnasium's `angle_normalize`: maps any angle to [−π, π). */
export function angleNormalize(x: number): number {
  const y = x + Math.PI;
  // Fast path, bit-identical: for 0 ≤ y < 2π the floor modulo returns y itself (JS's % is slow).
  if (y >= 0 && y < TWO_PI) return y - Math.PI;
  return floorMod(y, TWO_PI) - Math.PI;
}

/** Pendulum-v1, Gymnasium's dynamics: `make('Pendulum-v1')`. */
export class Pendulum extends BaseEnv<Float32Array, ArrayLike<number>> {
  readonly id = 'Pendulum-v1';
  readonly observationSpace = new Box([-1, -1, -MAX_SPEED], [1, 1, MAX_SPEED], 'float32');
  readonly actionSpace = new Box([-MAX_TORQUE], [MAX_TORQUE], 'float32');
  readonly g: number;
  /** Angle (0 = upright), float64. */
  th = 0;
  /** Angular velocity, float64. */
  thdot = 0;
  /** The latest observation, overwritten in place by `stepRaw` and `reset`. */
  readonly obsBuffer = new Float32Array(3);
  /** sin(th) in float64, kept from the last observation so each step computes two trig functions, not three. */
  private sinTh = 0;
  private sinThFor = 0;

  constructor(options: Record<string, unknown> = {}) {
    super();
    this.g = new OptionReader(this.id, options, ['g']).number('g', 10, 0);
  }

  protected override readonly resetOptionNames = ['xInit', 'yInit'];

  protected resetEpisode(rng: Rng, reset: OptionReader): ResetResult<Float32Array> {
    // θ̇ starts inside the observation space (|θ̇| ≤ 8).
    const x = reset.number('xInit', Math.PI, 0);
    const y = reset.number('yInit', 1, 0, MAX_SPEED);
    this.th = rng.uniformRange(-x, x);
    this.thdot = rng.uniformRange(-y, y);
    this.writeObs();
    return { obs: Float32Array.from(this.obsBuffer), info: {} };
  }

  protected stepEpisode(action: ArrayLike<number>): StepResult<Float32Array> {
    checkBoxAction(this.id, this.actionSpace, action);
    const reward = this.stepRaw(action[0]);
    return { obs: Float32Array.from(this.obsBuffer), reward, terminated: false, truncated: false, info: {} };
  }

  /** Allocation-free step (see "Fast path" above): returns the reward, writes `obsBuffer`. */
  stepRaw(torque: number): number {
    const u = torque < -MAX_TORQUE ? -MAX_TORQUE : torque > MAX_TORQUE ? MAX_TORQUE : torque;
    const th = this.th;
    const thdot = this.thdot;
    const a = angleNormalize(th);
    const cost = a * a + 0.1 * thdot * thdot + 0.001 * u * u;
    if (this.sinThFor !== th) this.writeObs(); // th was set from outside: refresh the cached sin(th)
    let newThdot = thdot + (((3 * this.g) / (2 * L)) * this.sinTh + (3 / (M * L * L)) * u) * DT;
    newThdot = newThdot < -MAX_SPEED ? -MAX_SPEED : newThdot > MAX_SPEED ? MAX_SPEED : newThdot;
    this.th = th + newThdot * DT;
    this.thdot = newThdot;
    this.writeObs();
    return -cost;
  }

  private writeObs(): void {
    const th = this.th;
    this.sinTh = Math.sin(th);
    this.sinThFor = th;
    this.obsBuffer[0] = Math.cos(th);
    this.obsBuffer[1] = this.sinTh;
    this.obsBuffer[2] = this.thdot;
  }
}
