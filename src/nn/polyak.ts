/** Polyak (exponential moving) averaging of target-network parameters. */
import * as tf from '@tensorflow/tfjs';

/** Polyak averaging `target ← τ·online + (1−τ)·target`, one fused expression per variable (one for a flat buffer). */
export function polyakUpdate(target: readonly tf.Variable[], online: readonly tf.Variable[], tau: number): void {
  if (target.length !== online.length)
    throw new RangeError(`polyakUpdate: ${target.length} target vs ${online.length} online variables`);
  if (!(tau >= 0 && tau <= 1)) throw new RangeError(`polyakUpdate.tau: expected in [0, 1], got ${tau}`);
  tf.tidy(() => {
    target.forEach((t, i) => t.assign(tf.add(tf.mul(online[i], tau), tf.mul(t, 1 - tau))));
  });
}
