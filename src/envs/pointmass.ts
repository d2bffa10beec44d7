/**
 * # PointMass-v0
 *
 * ## Description
 * A point in the square [−1, 1]² moves by `0.05·a` per step (`a ∈ [−1, 1]²`, clipped) among circular
 * obstacles towards one of two circular goals: a NEAR goal worth +1 just above the start, and a FAR goal
 * worth +5 behind a large obstacle that can be passed on either side. A move that would end inside an
 * obstacle is cancelled (the point stays put); moves are clipped to the square. The return-maximizing goal
 * is the far one (plain SAC, exploring little, measures the near one); a policy with a broad action
 * distribution (high α) shows its spread, and the two ways around the obstacle make the optimum bimodal.
 *
 * ## Action Space
 * `Box([-1, -1], [1, 1], float32)`: the velocity command. Out-of-range values are clipped; NaN is an error.
 *
 * ## Observation Space
 * `Box([-1, -1], [1, 1], float32)`: the position `[x, y]`.
 *
 * ## Rewards
 * −0.01 per step, plus the goal's reward (+1 near, +5 far) on the step that enters it.
 *
 * ## Starting State
 * `(−0.8, 0)` plus uniform noise in [−0.05, 0.05]².
 *
 * ## Episode End
 * Termination: entering a goal (`info.goal` names it). Truncation: 200 steps.
 *
 * ## Arguments
 * `make('PointMass-v0')`. The geometry is exported as `POINT_MASS_GEOMETRY` for the visualizer.
 *
 * ## Version History
 * - v0: initial version.
 */
import type { Rng } from '../core/rng.js';
import { Box } from '../core/spaces.js';
import { BaseEnv, checkBoxAction, OptionReader } from './base.js';
import type { ResetResult, StepResult } from './env.js';

export interface Circle {
  x: number;
  y: number;
  r: number;
}

export interface PointMassGeometry {
  bounds: { xMin: number; xMax: number; yMin: number; yMax: number };
  start: { x: number; y: number; jitter: number };
  obstacles: readonly Circle[];
  goals: ReadonlyArray<Circle & { name: 'near' | 'far'; reward: number }>;
  /** Distance moved per unit action per step. */
  maxStep: number;
  stepReward: number;
}

export const POINT_MASS_GEOMETRY: PointMassGeometry = {
  bounds: { xMin: -1, xMax: 1, yMin: -1, yMax: 1 },
  start: { x: -0.8, y: 0, jitter: 0.05 },
  obstacles: [
    { x: 0.25, y: 0, r: 0.35 },
    { x: -0.35, y: -0.6, r: 0.2 },
  ],
  goals: [
    { name: 'near', x: -0.55, y: 0.55, r: 0.12, reward: 1 },
    { name: 'far', x: 0.8, y: 0, r: 0.12, reward: 5 },
  ],
  maxStep: 0.05,
  stepReward: -0.01,
};

const inside = (c: Circle, x: number, y: number): boolean => (x - c.x) ** 2 + (y - c.y) ** 2 <= c.r * c.r;

/** PointMass-v0, the 2-D point mass with a near and a far goal: `make('PointMass-v0')`. */
export class PointMass extends BaseEnv<Float32Array, ArrayLike<number>> {
  readonly id = 'PointMass-v0';
  readonly geometry = POINT_MASS_GEOMETRY;
  readonly observationSpace: Box;
  readonly actionSpace = new Box([-1, -1], [1, 1], 'float32');
  x = 0;
  y = 0;

  constructor(options: Record<string, unknown> = {}) {
    super();
    new OptionReader(this.id, options, []);
    const { xMin, xMax, yMin, yMax } = this.geometry.bounds;
    this.observationSpace = new Box([xMin, yMin], [xMax, yMax], 'float32');
  }

  protected resetEpisode(rng: Rng): ResetResult<Float32Array> {
    const { x, y, jitter } = this.geometry.start;
    this.x = x + rng.uniformRange(-jitter, jitter);
    this.y = y + rng.uniformRange(-jitter, jitter);
    return { obs: Float32Array.of(this.x, this.y), info: {} };
  }

  protected stepEpisode(action: ArrayLike<number>): StepResult<Float32Array> {
    checkBoxAction(this.id, this.actionSpace, action);
    const { bounds, maxStep, obstacles, goals, stepReward } = this.geometry;
    const ax = Math.min(Math.max(action[0], -1), 1);
    const ay = Math.min(Math.max(action[1], -1), 1);
    const nx = Math.min(Math.max(this.x + maxStep * ax, bounds.xMin), bounds.xMax);
    const ny = Math.min(Math.max(this.y + maxStep * ay, bounds.yMin), bounds.yMax);
    if (!obstacles.some((c) => inside(c, nx, ny))) {
      this.x = nx;
      this.y = ny;
    }
    const goal = goals.find((g) => inside(g, this.x, this.y));
    const reward = stepReward + (goal ? goal.reward : 0);
    const info = goal ? { goal: goal.name } : {};
    return { obs: Float32Array.of(this.x, this.y), reward, terminated: goal !== undefined, truncated: false, info };
  }
}
