/**
 * Hand-written reference policies with Gaussian noise for the Box-action envs (the `{ gaussian }` source of
 * a reference prior, used by KL-PPO and SAC alike): a Pendulum swing-up controller and a PointMass
 * steering controller. (Tabular references come from the envs: `twoRouteReference`,
 * `TokenSeq.referenceTable`; a saved agent becomes a reference through `referenceFromCheckpoint` in
 * `agents/klppo/ppo.ts` or `agents/sac/discrete.ts`.)
 */
import * as tf from '@tensorflow/tfjs';
import { POINT_MASS_GEOMETRY, type PointMassGeometry } from '../envs/pointmass.js';
import type { ReferenceSource } from './reference.js';

export interface PendulumReferenceOptions {
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
 * (cos θ > catchCos) a PD controller holds it: u = −(kp·θ + kd·θ̇). The mean is clipped to [−2, 2];
 * actions are N(mean, noiseStd²).
 */
export function pendulumReference(opts: PendulumReferenceOptions = {}): ReferenceSource {
  const { noiseStd = 1, swingGain = 0.5, catchCos = 0.85, kp = 10, kd = 2 } = opts;
  for (const [k, v] of Object.entries({ noiseStd, swingGain, kp, kd })) {
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`pendulumReference: ${k} = ${v}, must be a finite number > 0`);
  }
  if (!(catchCos > -1 && catchCos < 1)) throw new RangeError(`pendulumReference: catchCos = ${catchCos}, allowed (−1, 1)`);
  const logStd = tf.keep(tf.tensor1d([Math.log(noiseStd)]));
  return {
    gaussian: (obs) =>
      tf.tidy(() => {
        const [cos, sin, thdot] = tf.split(obs, 3, 1);
        const energy = tf.add(tf.mul(0.5, tf.square(thdot)), tf.mul(15, cos));
        const swing = tf.mul(tf.mul(swingGain, tf.sub(15, energy)), thdot);
        const hold = tf.neg(tf.add(tf.mul(kp, tf.atan2(sin, cos)), tf.mul(kd, thdot)));
        const mean = tf.clipByValue(tf.where(tf.greater(cos, catchCos), hold, swing), -2, 2) as tf.Tensor2D;
        return { mean, logStd };
      }),
    dispose: () => logStd.dispose(),
  };
}

export interface PointMassReferenceOptions {
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
 * straight at the far goal; the mean is the unit vector of that direction (full speed), actions are
 * N(mean, noiseStd²·I) (not squashed: env clips out-of-range commands).
 */
export function pointMassReference(opts: PointMassReferenceOptions = {}): ReferenceSource {
  const { side = 'bottom', noiseStd = 0.5, clearance = 0.15, geometry = POINT_MASS_GEOMETRY } = opts;
  if (side !== 'top' && side !== 'bottom') throw new RangeError(`pointMassReference: side = ${JSON.stringify(side)}, allowed: 'top', 'bottom'`);
  for (const [k, v] of Object.entries({ noiseStd, clearance })) {
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`pointMassReference: ${k} = ${v}, must be a finite number > 0`);
  }
  const obstacle = geometry.obstacles[0];
  const far = geometry.goals.find((g) => g.name === 'far')!;
  const waypoint = [obstacle.x, (side === 'top' ? 1 : -1) * (obstacle.r + clearance)];
  const logStd = tf.keep(tf.tensor1d([Math.log(noiseStd), Math.log(noiseStd)]));
  return {
    gaussian: (obs) =>
      tf.tidy(() => {
        const [x] = tf.split(obs, 2, 1);
        const beforeWaypoint = tf.tile(tf.less(x, waypoint[0]), [1, 2]);
        const target = tf.where(beforeWaypoint, tf.broadcastTo(tf.tensor1d(waypoint), obs.shape), tf.broadcastTo(tf.tensor1d([far.x, far.y]), obs.shape));
        const d = tf.sub(target, obs);
        const mean = tf.div(d, tf.maximum(tf.norm(d, 'euclidean', 1, true), 1e-6)) as tf.Tensor2D;
        return { mean, logStd };
      }),
    dispose: () => logStd.dispose(),
  };
}
