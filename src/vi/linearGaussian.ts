/**
 * The lesson's linear-Gaussian latent-variable model, everything in closed form:
 *
 *   p(z) = N(0, σ_p²),   p(x | z) = N(z, σ_x²).
 *
 * With a Gaussian variational posterior q(z) = N(μ, s²) the ELBO splits into a reconstruction term and
 * a KL regularizer, and the central identity log p(x) = ELBO + KL(q ‖ p(z|x)) can be checked two ways:
 * the gap by definition (log p(x) − ELBO) against the KL to the exact posterior.
 */
import type { Rng } from '../core/rng.js';
import { type Gaussian, checkGaussian, gaussianKL, gaussianLogPdf } from './gaussian.js';

/** The ELBO and its two terms: ELBO = reconstruction − kl. */
export interface ElboTerms {
  /** E_q[log p(x | z)] */
  readonly reconstruction: number;
  /** KL(q ‖ p(z)) */
  readonly kl: number;
  readonly elbo: number;
}

/** A Monte Carlo estimate and its standard error (sample standard deviation / √n). */
export interface Estimate {
  readonly mean: number;
  readonly stdErr: number;
}

export interface MonteCarloElbo {
  readonly reconstruction: Estimate;
  readonly kl: Estimate;
  readonly elbo: Estimate;
  readonly samples: number;
}

export class LinearGaussianModel {
  readonly prior: Gaussian;

  /** @param priorVariance σ_p² of p(z) = N(0, σ_p²); @param noiseVariance σ_x² of p(x|z) = N(z, σ_x²). */
  constructor(
    readonly priorVariance: number,
    readonly noiseVariance: number,
  ) {
    if (!(priorVariance > 0) || !Number.isFinite(priorVariance))
      throw new RangeError(`priorVariance must be finite and > 0, got ${priorVariance}`);
    if (!(noiseVariance > 0) || !Number.isFinite(noiseVariance))
      throw new RangeError(`noiseVariance must be finite and > 0, got ${noiseVariance}`);
    this.prior = { mean: 0, variance: priorVariance };
  }

  /** p(x | z) = N(z, σ_x²). */
  likelihood(z: number): Gaussian {
    return { mean: z, variance: this.noiseVariance };
  }

  /**
   * Exact posterior by completing the square in z:
   *   log p(x|z) + log p(z) = −(x − z)²/(2σ_x²) − z²/(2σ_p²) + c = −(z − m)²/(2v) + c',
   *   1/v = 1/σ_p² + 1/σ_x²,   m = v · x/σ_x².
   */
  posterior(x: number): Gaussian {
    const variance = 1 / (1 / this.priorVariance + 1 / this.noiseVariance);
    return { mean: (variance * x) / this.noiseVariance, variance };
  }

  /** p(x) = ∫ N(x; z, σ_x²) N(z; 0, σ_p²) dz = N(0, σ_p² + σ_x²) (the sum of independent Gaussians). */
  marginal(): Gaussian {
    return { mean: 0, variance: this.priorVariance + this.noiseVariance };
  }

  logMarginal(x: number): number {
    return gaussianLogPdf(x, this.marginal());
  }

  /** log p(x, z) = log p(x | z) + log p(z). */
  logJoint(x: number, z: number): number {
    return gaussianLogPdf(x, this.likelihood(z)) + gaussianLogPdf(z, this.prior);
  }

  /**
   * The analytic ELBO for q = N(μ, s²):
   *   E_q[log p(x|z)] = −½ log(2πσ_x²) − ((x − μ)² + s²) / (2σ_x²)    (since E_q[(x − z)²] = (x − μ)² + s²),
   *   ELBO = E_q[log p(x|z)] − KL(q ‖ p(z)).
   */
  elbo(x: number, q: Gaussian): ElboTerms {
    checkGaussian('q', q);
    const reconstruction =
      -0.5 * Math.log(2 * Math.PI * this.noiseVariance) - ((x - q.mean) ** 2 + q.variance) / (2 * this.noiseVariance);
    const kl = gaussianKL(q, this.prior);
    return { reconstruction, kl, elbo: reconstruction - kl };
  }

  /** The gap from its definition: log p(x) − ELBO. */
  gapByDefinition(x: number, q: Gaussian): number {
    return this.logMarginal(x) - this.elbo(x, q).elbo;
  }

  /** The gap from the identity: KL(q ‖ p(z | x)) against the exact posterior. */
  gapByPosteriorKL(x: number, q: Gaussian): number {
    return gaussianKL(q, this.posterior(x));
  }

  /**
   * Reparameterized Monte Carlo: z_i = μ + s·ε_i, ε_i ~ N(0, 1) from `rng`, and per draw
   *   reconstruction_i = log p(x | z_i),  kl_i = log q(z_i) − log p(z_i),  elbo_i = log p(x, z_i) − log q(z_i),
   * each averaged with its standard error. (elbo_i = log p(x) − log(q(z_i)/p(z_i|x)): its variance vanishes
   * when q is the exact posterior.)
   */
  monteCarloElbo(x: number, q: Gaussian, rng: Rng, samples: number): MonteCarloElbo {
    checkGaussian('q', q);
    if (!Number.isInteger(samples) || samples < 2)
      throw new RangeError(`samples must be an integer ≥ 2, got ${samples}`);
    const s = Math.sqrt(q.variance);
    const rec = new Float64Array(samples);
    const kl = new Float64Array(samples);
    const elbo = new Float64Array(samples);
    for (let i = 0; i < samples; i++) {
      const z = q.mean + s * rng.normal();
      const logQ = gaussianLogPdf(z, q);
      const logPrior = gaussianLogPdf(z, this.prior);
      rec[i] = gaussianLogPdf(x, this.likelihood(z));
      kl[i] = logQ - logPrior;
      elbo[i] = rec[i] + logPrior - logQ;
    }
    return { reconstruction: meanAndStdErr(rec), kl: meanAndStdErr(kl), elbo: meanAndStdErr(elbo), samples };
  }
}

/** Sample mean and its standard error √(sample variance / n), by Welford's update. */
export function meanAndStdErr(values: ArrayLike<number>): Estimate {
  const n = values.length;
  if (n < 2) throw new RangeError(`meanAndStdErr: need at least 2 values, got ${n}`);
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const delta = values[i] - mean;
    mean += delta / (i + 1);
    m2 += delta * (values[i] - mean);
  }
  return { mean, stdErr: Math.sqrt(m2 / (n - 1) / n) };
}
