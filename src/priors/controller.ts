/**
 * A hand-written Gaussian controller as the `{ gaussian }` source of a reference prior (used by KL-PPO and
 * SAC alike): `makePrior('reference', env, { reference: controllerReference(pendulumSwingUp()) })`.
 * The controllers are env knowledge and live with the envs (`src/envs/controllers.ts`: `pendulumSwingUp`,
 * `pointMassSteering`), as the tabular references do (`twoRouteReference`, `TokenSeq.referenceTable`); a
 * saved agent becomes a reference through `klPpoReference` (`agents/klppo/ppo.ts`) or `discreteSacReference`
 * (`agents/sac/discrete.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import type { GaussianController } from '../envs/controllers.js';
import type { ReferenceSource } from './reference.js';

/** N(controller.mean(obs), diag(controller.std²)) per row; the prior made from it frees the kept log-std. */
export function controllerReference(controller: GaussianController): ReferenceSource {
  const d = controller.std.length;
  controller.std.forEach((s, i) => {
    if (!(Number.isFinite(s) && s > 0))
      throw new RangeError(`controllerReference: std[${i}] = ${s}, must be a finite number > 0`);
  });
  const logStd = tf.keep(tf.tensor1d(controller.std.map(Math.log)));
  const logStdHost = Float32Array.from(controller.std, Math.log);
  return {
    // The engine's view: the controller on the host, one pass per batch (no tensors).
    hostParams: (obs, n) => {
      const obsDim = obs.length / n;
      const mean = new Float32Array(n * d);
      const ls = new Float32Array(n * d);
      for (let b = 0; b < n; b++) {
        mean.set(controller.mean(obs.subarray(b * obsDim, (b + 1) * obsDim)), b * d);
        ls.set(logStdHost, b * d);
      }
      return { mean, logStd: ls };
    },
    gaussian: (obs) => {
      // The controller is host code: one read-back of the observation batch (a replay batch came from the host anyway).
      const [B, obsDim] = obs.shape;
      const o = obs.dataSync();
      const mean = new Float32Array(B * d);
      for (let b = 0; b < B; b++) mean.set(controller.mean(o.subarray(b * obsDim, (b + 1) * obsDim)), b * d);
      return { mean: tf.tensor2d(mean, [B, d]), logStd };
    },
    dispose: () => logStd.dispose(),
  };
}
