/**
 * No prior (α = 0): plain expected return. The KL term vanishes, so log-probs and KLs are exact zeros
 * (whatever α a learner holds, α·KL adds nothing), and a learner given this prior must use α = 0.
 * For tabular code `table()` returns the uniform table: with α → 0 soft value iteration becomes hard value
 * iteration for any prior of full support, so the solver's answer does not depend on it.
 */
import * as tf from '@tensorflow/tfjs';
import { uniformTable, type BoxPrior, type DiscretePrior, type Prior, type PriorSpaces } from './prior.js';

export function nonePrior(spaces: PriorSpaces): Prior {
  const a = spaces.actionSpace;
  const base = { kind: 'none' as const, label: 'none', observationSpace: spaces.observationSpace, dispose: () => {} };
  if (a.kind === 'box') {
    const prior: BoxPrior = {
      ...base,
      actionSpace: a,
      logProb: (obs) => tf.zeros([obs.shape[0]]) as tf.Tensor1D,
      kl: (obs) => tf.zeros([obs.shape[0]]) as tf.Tensor1D,
    };
    return prior;
  }
  const n = a.n;
  const prior: DiscretePrior = {
    ...base,
    actionSpace: a,
    logProbs: (obs) => tf.zeros([obs.shape[0], n]) as tf.Tensor2D,
    logProb: (obs) => tf.zeros([obs.shape[0]]) as tf.Tensor1D,
    kl: (obs) => tf.zeros([obs.shape[0]]) as tf.Tensor1D,
    table: () => uniformTable('none.table()', spaces.observationSpace, n),
  };
  return prior;
}
