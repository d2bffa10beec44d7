/**
 * Reference policies for KL-PPO that are not learned: a hand-written Pendulum controller with Gaussian
 * noise. (Tabular references come from the envs: `twoRouteReference`, `TokenSeq.referenceTable`; a saved
 * agent becomes a reference through `referenceFromCheckpoint` in `ppo.ts`.)
 */
import * as tf from '@tensorflow/tfjs';
import type { ReferenceSource } from '../../priors/index.js';

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
  };
}
