/**
 * Two Monte Carlo estimators of the ELBO's gradient in q's parameters (μ, s) on the linear-Gaussian model,
 * from the same draws ε_i ~ N(0, 1), z_i = μ + s·ε_i. Only the reconstruction term R = E_q[log p(x|z)] is
 * sampled; the KL term is Gaussian to Gaussian, so its gradient is taken in closed form.
 *
 *   pathwise (reparameterization):  ∂R/∂μ ≈ f'(z_i),               ∂R/∂s ≈ f'(z_i)·ε_i
 *   score function (REINFORCE):     ∂R/∂μ ≈ f(z_i)·(z_i − μ)/s²,  ∂R/∂s ≈ f(z_i)·((z_i − μ)²/s³ − 1/s)
 *
 * with f(z) = log p(x|z), f'(z) = (x − z)/σ_x². Both are unbiased; the exact values are
 * ∂R/∂μ = (x − μ)/σ_x² and ∂R/∂s = −s/σ_x², and ∂KL(q ‖ p(z))/∂μ = μ/σ_p², ∂KL/∂s = s/σ_p² − 1/s.
 */
import type { Rng } from '../core/rng.js';
import { type Gaussian, checkGaussian, gaussianLogPdf } from './gaussian.js';
import { type Estimate, type LinearGaussianModel, meanAndStdErr } from './linearGaussian.js';

/** An estimate with the variance of one draw (stdErr² · n): what a single-sample gradient step suffers. */
export interface GradientEstimate extends Estimate {
  readonly variance: number;
}

/** ∂ELBO/∂μ and ∂ELBO/∂s, s = √(q.variance). */
export interface ElboGradient<T> {
  readonly mu: T;
  readonly s: T;
}

export interface ElboGradientEstimates {
  readonly exact: ElboGradient<number>;
  readonly pathwise: ElboGradient<GradientEstimate>;
  readonly score: ElboGradient<GradientEstimate>;
  /** The draws ε_i and the samples z_i = μ + s·ε_i they were pushed to. */
  readonly eps: Float64Array;
  readonly z: Float64Array;
  /** Each draw's ∂ELBO/∂μ by either estimator (their spread is the variance above). */
  readonly muDraws: { readonly pathwise: Float64Array; readonly score: Float64Array };
}

export function elboGradientEstimates(
  model: LinearGaussianModel,
  x: number,
  q: Gaussian,
  rng: Rng,
  samples: number,
): ElboGradientEstimates {
  checkGaussian('q', q);
  if (!Number.isInteger(samples) || samples < 2) throw new RangeError(`samples must be an integer ≥ 2, got ${samples}`);
  const s = Math.sqrt(q.variance);
  const nv = model.noiseVariance;
  // The KL term's gradient, closed form; added to every draw so each estimate is of the whole ELBO.
  const klMu = q.mean / model.priorVariance;
  const klS = s / model.priorVariance - 1 / s;
  const eps = new Float64Array(samples);
  const z = new Float64Array(samples);
  const cols = Array.from({ length: 4 }, () => new Float64Array(samples));
  for (let i = 0; i < samples; i++) {
    eps[i] = rng.normal();
    z[i] = q.mean + s * eps[i];
    const f = gaussianLogPdf(x, model.likelihood(z[i]));
    const df = (x - z[i]) / nv;
    cols[0][i] = df - klMu;
    cols[1][i] = df * eps[i] - klS;
    cols[2][i] = (f * (z[i] - q.mean)) / q.variance - klMu;
    cols[3][i] = f * ((z[i] - q.mean) ** 2 / s ** 3 - 1 / s) - klS;
  }
  const [pMu, pS, sMu, sS] = cols.map((c): GradientEstimate => {
    const e = meanAndStdErr(c);
    return { ...e, variance: e.stdErr ** 2 * samples };
  });
  return {
    exact: { mu: (x - q.mean) / nv - klMu, s: -s / nv - klS },
    pathwise: { mu: pMu, s: pS },
    score: { mu: sMu, s: sS },
    eps,
    z,
    muDraws: { pathwise: cols[0], score: cols[2] },
  };
}
