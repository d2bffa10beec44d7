/** Small tensor ops tfjs lacks, shared by priors (frozen references) and the world model (KL balancing). */
import * as tf from '@tensorflow/tfjs';

/** Gradient-blocking identity: value x, gradient 0 (tfjs has no stop_gradient op). */
export const stopGradient = tf.customGrad(((x: tf.Tensor) => ({
  value: tf.clone(x),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as Parameters<typeof tf.customGrad>[0]) as <T extends tf.Tensor>(x: T) => T;
