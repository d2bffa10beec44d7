/**
 * The reparameterization trick at work: fit q(z) = N(μ, s²) to the linear-Gaussian model by gradient
 * ascent on the Monte Carlo ELBO over (μ, log s), gradients by tfjs through z = μ + s·ε.
 *
 *   ELBO(μ, log s) ≈ (1/S) Σ_i log p(x | μ + s·ε_i) − KL(q ‖ p(z)),   ε_i ~ N(0, 1) from our seeded Rng.
 *
 * The reconstruction term is sampled (that is where the trick matters); the KL term, Gaussian to
 * Gaussian, is taken in closed form (sampling it would only add variance). Plain SGD, so the stationary
 * noise of the iterates follows from the step size and the number of samples (see tests/vi.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { DiagGaussian, standardNormal } from '../core/distributions.js';
import type { Rng } from '../core/rng.js';
import type { Gaussian } from './gaussian.js';
import type { LinearGaussianModel } from './linearGaussian.js';

export interface ReparamFitOptions {
  /** Gradient-ascent steps. */
  steps: number;
  /** Monte Carlo draws ε per step. */
  samples: number;
  /** SGD step size on (μ, log s). */
  learningRate: number;
  /** Starting q (default: the prior). */
  init?: Gaussian;
}

export interface ReparamFit {
  /** The fitted q = N(μ, s²). */
  readonly q: Gaussian;
  readonly steps: number;
}

export function fitByReparameterization(
  model: LinearGaussianModel,
  x: number,
  rng: Rng,
  opts: ReparamFitOptions,
): ReparamFit {
  for (const field of ['steps', 'samples'] as const) {
    if (!Number.isInteger(opts[field]) || opts[field] < 1)
      throw new RangeError(`${field} must be a positive integer, got ${opts[field]}`);
  }
  if (!(opts.learningRate > 0)) throw new RangeError(`learningRate must be > 0, got ${opts.learningRate}`);
  const init = opts.init ?? model.prior;
  const S = opts.samples;

  // Variables survive tf.tidy; their initial-value tensors do not.
  const mu = tf.tidy(() => tf.variable(tf.tensor2d([[init.mean]]), true));
  const logStd = tf.tidy(() => tf.variable(tf.tensor2d([[0.5 * Math.log(init.variance)]]), true));
  const optimizer = tf.train.sgd(opts.learningRate);
  const constants = tf.tidy(() => ({
    priorMean: tf.zeros([1, 1]),
    priorLogStd: tf.fill([1, 1], 0.5 * Math.log(model.priorVariance)),
    noiseLogStd: tf.fill([1], 0.5 * Math.log(model.noiseVariance)),
    xs: tf.fill([S, 1], x),
  }));
  const prior = new DiagGaussian(constants.priorMean, constants.priorLogStd);
  try {
    for (let step = 0; step < opts.steps; step++) {
      tf.tidy(() => {
        const eps = standardNormal(rng, [S, 1]);
        optimizer.minimize(() => {
          const q = new DiagGaussian(mu, logStd);
          const z = new DiagGaussian(tf.tile(mu, [S, 1]), tf.tile(logStd, [S, 1])).rsample(eps); // z = μ + s·ε
          const reconstruction = tf.mean(new DiagGaussian(z, constants.noiseLogStd).logProb(constants.xs)); // (1/S) Σ log p(x | z_i)
          const elbo = tf.sub(reconstruction, tf.sum(q.kl(prior))); // − KL(q ‖ p(z)), closed form
          return tf.neg(elbo) as tf.Scalar;
        });
      });
    }
    const [m, ls] = [mu.dataSync()[0], logStd.dataSync()[0]];
    return { q: { mean: m, variance: Math.exp(2 * ls) }, steps: opts.steps };
  } finally {
    mu.dispose();
    logStd.dispose();
    optimizer.dispose();
    tf.dispose(constants);
  }
}
