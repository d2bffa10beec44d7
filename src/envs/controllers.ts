/**
 * Hand-written stochastic controllers for the Box-action envs: env knowledge, in plain host numbers, so the
 * visualizer can run them step by step and a reference prior can wrap them (`controllerReference` in
 * `priors/controller.ts`). A controller is a Gaussian policy: action ~ N(mean(obs), diag(std²)) in the
 * env's action units. (Tabular references live with their envs too: `twoRouteReference`,
 * `TokenSeq.referenceTable`.)
 */
import { POINT_MASS_GEOMETRY, type PointMassGeometry } from './pointmass.js';

/** A hand-written controller with Gaussian noise: a mean action per observation and a std per dimension (a reference prior through `controllerReference`). */
export interface GaussianController {
  /** Noise standard deviation per action dimension (its length is the action dimension). */
  readonly std: readonly number[];
  /** The mean action for one observation. */
  mean(obs: ArrayLike<number>): number[];
}

/** Options of `pendulumSwingUp`: the torque noise, the swing gain, where the catch starts and its PD gains. */
export interface PendulumSwingUpOptions {
  /** Standard deviation of the Gaussian noise on the torque. */
  noiseStd?: number;
  /** Energy-pumping gain k in u = k·(E* − E)·θ̇. */
  swingGain?: number;
  /** Switch to the stabilizing PD controller when cos θ exceeds this. */
  catchCos?: number;
  /** PD gains near the top: u = −(kp·θ + kd·θ̇). */
  kp?: number;
  kd?: number;
}

/**
 * Pendulum-v1 swing-up controller (obs = [cos θ, sin θ, θ̇], θ = 0 upright, torque in [−2, 2]).
 * The dynamics θ̈ = 15 sin θ + 3u conserve E = ½θ̇² + 15 cos θ when u = 0, with E* = 15 upright at
 * rest, and dE/dt = 3u·θ̇. Far from the top it pumps energy toward E*: u = k·(E* − E)·θ̇; near the top
 * (cos θ > catchCos) a PD controller holds it: u = −(kp·θ + kd·θ̇). The mean is clipped to [−2, 2].
 */
export function pendulumSwingUp(opts: PendulumSwingUpOptions = {}): GaussianController {
  const { noiseStd = 1, swingGain = 0.5, catchCos = 0.85, kp = 10, kd = 2 } = opts;
  for (const [k, v] of Object.entries({ noiseStd, swingGain, kp, kd })) {
    if (!(Number.isFinite(v) && v > 0))
      throw new RangeError(`pendulumSwingUp: ${k} = ${v}, must be a finite number > 0`);
  }
  if (!(catchCos > -1 && catchCos < 1))
    throw new RangeError(`pendulumSwingUp: catchCos = ${catchCos}, allowed (−1, 1)`);
  return {
    std: [noiseStd],
    mean: (obs) => {
      const [cos, sin, thdot] = [obs[0], obs[1], obs[2]];
      const energy = 0.5 * thdot * thdot + 15 * cos;
      const u = cos > catchCos ? -(kp * Math.atan2(sin, cos) + kd * thdot) : swingGain * (15 - energy) * thdot;
      return [Math.min(2, Math.max(-2, u))];
    },
  };
}

/** Options of `pointMassSteering`: the side to pass the obstacle, noise, clearance and geometry. */
export interface PointMassSteeringOptions {
  /** Which way around the central obstacle: above (`top`, y > 0) or below (`bottom`). */
  side?: 'top' | 'bottom';
  /** Standard deviation of the Gaussian noise on each velocity component. */
  noiseStd?: number;
  /** Clearance of the waypoint beside the obstacle, beyond its radius. */
  clearance?: number;
  geometry?: PointMassGeometry;
}

/**
 * PointMass-v0 controller to the FAR goal around one side of the central obstacle (the first one in the
 * geometry): while left of the waypoint W = (obstacle x, ±(r + clearance)) it steers straight at W, then
 * straight at the far goal; the mean is the unit vector of that direction (full speed; the env clips
 * out-of-range commands).
 */
export function pointMassSteering(opts: PointMassSteeringOptions = {}): GaussianController {
  const { side = 'bottom', noiseStd = 0.5, clearance = 0.15, geometry = POINT_MASS_GEOMETRY } = opts;
  if (side !== 'top' && side !== 'bottom')
    throw new RangeError(`pointMassSteering: side = ${JSON.stringify(side)}, allowed: 'top', 'bottom'`);
  for (const [k, v] of Object.entries({ noiseStd, clearance })) {
    if (!(Number.isFinite(v) && v > 0))
      throw new RangeError(`pointMassSteering: ${k} = ${v}, must be a finite number > 0`);
  }
  const obstacle = geometry.obstacles[0];
  const far = geometry.goals.find((g) => g.name === 'far')!;
  const waypoint = { x: obstacle.x, y: (side === 'top' ? 1 : -1) * (obstacle.r + clearance) };
  return {
    std: [noiseStd, noiseStd],
    mean: (obs) => {
      const [x, y] = [obs[0], obs[1]];
      const target = x < waypoint.x ? waypoint : far;
      const dx = target.x - x;
      const dy = target.y - y;
      const n = Math.max(Math.hypot(dx, dy), 1e-6);
      return [dx / n, dy / n];
    },
  };
}

/** Options of `mountainCarPumping`: the noise on the force. */
export interface MountainCarPumpingOptions {
  /** Standard deviation of the Gaussian noise on the force. */
  noiseStd?: number;
}

/**
 * MountainCarContinuous-v0 energy pumping (obs = [x, v], force in [−1, 1]): push the way the car moves,
 * mean force = sign(v) (−1 at rest, so the first swing goes up the left hill). The push always has the
 * sign of v, so the mechanical energy grows every step until the car crests the right hill at x = 0.45.
 */
export function mountainCarPumping(opts: MountainCarPumpingOptions = {}): GaussianController {
  const { noiseStd = 0.3 } = opts;
  if (!(Number.isFinite(noiseStd) && noiseStd > 0))
    throw new RangeError(`mountainCarPumping: noiseStd = ${noiseStd}, must be a finite number > 0`);
  return { std: [noiseStd], mean: (obs) => [obs[1] > 0 ? 1 : -1] };
}
