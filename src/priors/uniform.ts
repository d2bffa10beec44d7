/**
 * The uniform prior: p(a|s) = 1/n over `Discrete(n)`, or the constant density Π_d 1/(high_d − low_d) over a
 * bounded `Box`. Against it, α·KL(π‖p) = α(log|A| − H(π)): maximum-entropy RL (SAC's entropy bonus).
 */
import * as tf from '@tensorflow/tfjs';
import { uniformLogDensity, type Box, type Discrete } from '../core/spaces.js';
import {
  categoricalKl,
  uniformTable,
  type BoxPrior,
  type DiscretePrior,
  type Prior,
  type PriorSpaces,
} from './prior.js';

/** The uniform prior over the env's action space (1/n, or the constant density over a bounded Box). */
export function uniformPrior(spaces: PriorSpaces): Prior {
  const a = spaces.actionSpace;
  return a.kind === 'discrete' ? uniformDiscrete(a, spaces) : uniformBox(a, spaces);
}

function uniformDiscrete(actionSpace: Discrete, spaces: PriorSpaces): DiscretePrior {
  const n = actionSpace.n;
  const logP = -Math.log(n);
  return {
    kind: 'uniform',
    label: `uniform(${actionSpace.toString()})`,
    observationSpace: spaces.observationSpace,
    actionSpace,
    logProbs: (obs) => tf.fill([obs.shape[0], n], logP) as tf.Tensor2D,
    logProb: (obs) => tf.fill([obs.shape[0]], logP) as tf.Tensor1D,
    kl: (obs, logits) => tf.tidy(() => categoricalKl(logits, tf.fill([obs.shape[0], n], logP) as tf.Tensor2D)),
    table: () => uniformTable('uniform.table()', spaces.observationSpace, n),
    dispose: () => {},
  };
}

function uniformBox(actionSpace: Box, spaces: PriorSpaces): BoxPrior {
  if (!actionSpace.bounded) {
    throw new RangeError(
      `uniform prior: actionSpace ${actionSpace.toString()} is unbounded; a uniform density needs finite low and high (use a reference prior)`,
    );
  }
  // log p(a) = −Σ_d log(high_d − low_d), the same for every a in the box.
  const logDensity = uniformLogDensity(actionSpace);
  if (!Number.isFinite(logDensity)) {
    throw new RangeError(
      `uniform prior: actionSpace ${actionSpace.toString()} has a zero-width dimension (no density)`,
    );
  }
  return {
    kind: 'uniform',
    label: `uniform(${actionSpace.toString()})`,
    observationSpace: spaces.observationSpace,
    actionSpace,
    logProb: (obs) => tf.fill([obs.shape[0]], logDensity) as tf.Tensor1D,
    // KL(π‖U) = −H(π) − log p: no closed form for a Gaussian or squashed Gaussian policy (estimate by samples).
    kl: () => null,
    dispose: () => {},
  };
}
