/**
 * Jensen's inequality where the ELBO comes from: with importance weights w = p(x, z)/q(z), z ~ q,
 *
 *   log p(x) = log E_q[w]  ≥  E_q[log w] = ELBO,
 *
 * and on any sample the same holds for the empirical average (log is concave): log mean(w_i) ≥ mean(log w_i).
 * The left side tends to log p(x) as the draws grow, the right side to the ELBO.
 */
import type { Rng } from '../core/rng.js';
import { type Gaussian, checkGaussian, gaussianLogPdf } from './gaussian.js';
import { type Estimate, type LinearGaussianModel, meanAndStdErr } from './linearGaussian.js';

export interface JensenSample {
  /** log (1/n) Σ w_i, by log-sum-exp. */
  readonly logMeanWeight: number;
  /** (1/n) Σ log w_i with its standard error: the Monte Carlo ELBO. */
  readonly meanLogWeight: Estimate;
}

export function jensenSample(
  model: LinearGaussianModel,
  x: number,
  q: Gaussian,
  rng: Rng,
  samples: number,
): JensenSample {
  checkGaussian('q', q);
  if (!Number.isInteger(samples) || samples < 2) throw new RangeError(`samples must be an integer ≥ 2, got ${samples}`);
  const s = Math.sqrt(q.variance);
  const logW = new Float64Array(samples);
  let max = -Infinity;
  for (let i = 0; i < samples; i++) {
    const z = q.mean + s * rng.normal();
    logW[i] = model.logJoint(x, z) - gaussianLogPdf(z, q);
    max = Math.max(max, logW[i]);
  }
  let sum = 0;
  for (let i = 0; i < samples; i++) sum += Math.exp(logW[i] - max);
  return { logMeanWeight: max + Math.log(sum / samples), meanLogWeight: meanAndStdErr(logW) };
}
