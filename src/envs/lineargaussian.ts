/**
 * # LinearGaussian-v0
 *
 * ## Description
 * A damped double integrator (a unit mass with friction, pushed by a force) observed through a noisy
 * position sensor: linear dynamics, Gaussian noise, partial observation and a quadratic reward, so the
 * optimal filter (Kalman) and the KL-regularized optimal controller (soft LQG, `worldmodel/soft-lqg.ts`)
 * are exact. The velocity is hidden and must be inferred from the positions: a controller that reads the
 * Kalman mean of the velocity earns much more than one that reads the position alone. With dt = 0.1:
 *
 *     state  x = (position p, velocity v)
 *     x_{t+1} = A x_t + B a_t + w_t,   A = [[1, 0.1], [0, 0.95]],  B = [[0.005], [0.1]],  w ~ N(0, W)
 *     y_t     = C x_t + v_t,            C = [[1, 0]],                                    v ~ N(0, V)
 *     W = diag(1e-4, 1e-2),  V = 1e-2  (position sensor std 0.1)
 *
 * All numbers are in `LINEAR_GAUSSIAN_TASK`, the one source the Kalman filter and the solver read.
 *
 * ## Action Space
 * `Box([-10], [10], float32)`: the force. Out-of-range values are clipped (the dynamics and the reward use
 * the clipped force); NaN is an error. The bound is wide: the exact soft-LQG controllers' actions stay within
 * ±6.1 in 300,000 steps (`tests/soft-lqg.test.ts`), so the exact answers, which assume no clipping, hold.
 *
 * ## Observation Space
 * `Box([-1000], [1000], float32)`: the measured position y_t (not clipped). Under the default time limit
 * |p| stays below ≈ 170 + noise even when pushing at the bound every step (|v| → 20 at most), so y stays inside.
 * The hidden state (p, v) is in `info.fullObs` on every `reset` and `step`, for evaluation only.
 *
 * ## Rewards
 * r_t = −(x_tᵀ Q x_t + a_tᵀ R a_t), Q = diag(1, 0.1), R = 0.1: the state before the step and the clipped
 * force. Expected episode return: a = 0 −203.8, the LQG controller −8.63.
 *
 * ## Starting State
 * x_0 ~ N(μ₀, P₀), μ₀ = (0, 0), P₀ = diag(0.25, 0.25); the first observation is y_0 = C x_0 + v_0.
 *
 * ## Episode End
 * Never terminates. Truncation: 100 steps (`TimeLimit`).
 *
 * ## Arguments
 * `make('LinearGaussian-v0')` (no options: one fixed task, so every exact number refers to it).
 *
 * ## Version History
 * - v0: initial version.
 */
import {
  cholesky,
  mv,
  vadd,
  type LinearGaussianPolicy,
  type LinearGaussianTask,
  type Mat,
  type Vec,
} from '../core/linear-gaussian.js';
import type { Rng } from '../core/rng.js';
import { Box } from '../core/spaces.js';
import { BaseEnv, checkBoxAction, OptionReader } from './base.js';
import type { ResetResult, StepResult } from './env.js';

const DT = 0.1;
const DAMPING = 0.5;

/** The task's numbers, in `LgssmParams`' names (model.Q = W, model.R = V): the env, the filter and the solver read these. */
export const LINEAR_GAUSSIAN_TASK: LinearGaussianTask = {
  model: {
    A: [
      [1, DT],
      [0, 1 - DAMPING * DT],
    ],
    B: [[0.5 * DT * DT], [DT]],
    C: [[1, 0]],
    Q: [
      [1e-4, 0],
      [0, 1e-2],
    ],
    R: [[1e-2]],
    mu0: [0, 0],
    P0: [
      [0.25, 0],
      [0, 0.25],
    ],
  },
  cost: {
    Q: [
      [1, 0],
      [0, 0.1],
    ],
    R: [[0.1]],
  },
  actionLow: [-10],
  actionHigh: [10],
  horizon: 100,
};

/**
 * Two state-independent references p(a|x̂) for the KL-regularized objective: `flat` N(0, 10²), the uniform
 * prior's stand-in on [−10, 10] (its quadratic pull on the soft-optimal gain is 0.2 %), and `tight` N(0, 0.3²),
 * which shrinks the gain visibly (to 45 % at α = 0.1).
 */
export const LINEAR_GAUSSIAN_REFERENCES: Readonly<Record<'flat' | 'tight', LinearGaussianPolicy>> = {
  flat: { K: [[0, 0]], k: [0], cov: [[100]] },
  tight: { K: [[0, 0]], k: [0], cov: [[0.09]] },
};

/** `a` clipped to the task's action box, as the env applies it. */
export function clipAction(task: LinearGaussianTask, a: ArrayLike<number>): Vec {
  return task.actionLow.map((lo, i) => Math.min(Math.max(a[i], lo), task.actionHigh[i]));
}

/** r = −(xᵀ Q x + aᵀ R a) for a state and an (already clipped) action. */
export function quadraticReward(task: LinearGaussianTask, x: Vec, a: Vec): number {
  const quad = (M: Mat, v: Vec) => v.reduce((s, vi, i) => s + vi * M[i].reduce((t, m, j) => t + m * v[j], 0), 0);
  return -(quad(task.cost.Q, x) + quad(task.cost.R, a));
}

/** LinearGaussian-v0, the partially observed damped double integrator with a quadratic reward: `make('LinearGaussian-v0')`. */
export class LinearGaussian extends BaseEnv<Float32Array, ArrayLike<number>> {
  readonly id = 'LinearGaussian-v0';
  readonly task = LINEAR_GAUSSIAN_TASK;
  readonly observationSpace = new Box([-1000], [1000], 'float32');
  readonly actionSpace: Box;
  /** The hidden state x_t. */
  state: Vec = [0, 0];
  private readonly chol: { W: Mat; V: Mat; P0: Mat };

  constructor(options: Record<string, unknown> = {}) {
    super();
    new OptionReader(this.id, options, []);
    const { model, actionLow, actionHigh } = this.task;
    this.actionSpace = new Box(actionLow, actionHigh, 'float32');
    this.chol = {
      W: cholesky(model.Q, 'LINEAR_GAUSSIAN_TASK.model.Q'),
      V: cholesky(model.R, 'LINEAR_GAUSSIAN_TASK.model.R'),
      P0: cholesky(model.P0, 'LINEAR_GAUSSIAN_TASK.model.P0'),
    };
  }

  /** mean + L ε with ε ~ N(0, I) from `rng` (one normal per dimension, in order). */
  private static draw(mean: Vec, L: Mat, rng: Rng): Vec {
    return vadd(
      mean,
      mv(
        L,
        mean.map(() => rng.normal()),
      ),
    );
  }

  private observe(rng: Rng): { obs: Float32Array; info: { fullObs: Float64Array } } {
    const y = LinearGaussian.draw(mv(this.task.model.C, this.state), this.chol.V, rng);
    return { obs: Float32Array.from(y), info: { fullObs: Float64Array.from(this.state) } };
  }

  protected resetEpisode(rng: Rng): ResetResult<Float32Array> {
    this.state = LinearGaussian.draw(this.task.model.mu0, this.chol.P0, rng);
    return this.observe(rng);
  }

  protected stepEpisode(action: ArrayLike<number>, rng: Rng): StepResult<Float32Array> {
    checkBoxAction(this.id, this.actionSpace, action);
    const { A, B } = this.task.model;
    const a = clipAction(this.task, action);
    const reward = quadraticReward(this.task, this.state, a);
    this.state = LinearGaussian.draw(vadd(mv(A, this.state), mv(B, a)), this.chol.W, rng);
    return { ...this.observe(rng), reward, terminated: false, truncated: false };
  }
}
