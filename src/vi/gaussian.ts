/**
 * Gaussians in plain float64 arithmetic, parameterized as in the lesson by mean and variance:
 * N(μ, σ²). The log-density and the closed-form KL divergence, univariate and diagonal.
 */

/** A univariate Gaussian N(mean, variance). */
export interface Gaussian {
  readonly mean: number;
  readonly variance: number;
}

/** A diagonal Gaussian: independent N(mean[i], variance[i]) per dimension. */
export interface DiagonalGaussian {
  readonly mean: ArrayLike<number>;
  readonly variance: ArrayLike<number>;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** Throws unless `g` has a finite mean and a finite positive variance; `field` names it in the error. */
export function checkGaussian(field: string, g: Gaussian): void {
  if (!Number.isFinite(g.mean)) throw new RangeError(`${field}.mean must be finite, got ${g.mean}`);
  if (!(g.variance > 0) || !Number.isFinite(g.variance)) {
    throw new RangeError(`${field}.variance must be finite and > 0, got ${g.variance}`);
  }
}

/** log N(x; μ, σ²) = −½ log(2πσ²) − (x − μ)² / (2σ²). */
export function gaussianLogPdf(x: number, g: Gaussian): number {
  return -0.5 * (LOG_2PI + Math.log(g.variance)) - (x - g.mean) ** 2 / (2 * g.variance);
}

/** KL(q ‖ p) = log(σ_p/σ_q) + (σ_q² + (μ_q − μ_p)²) / (2σ_p²) − ½. */
export function gaussianKL(q: Gaussian, p: Gaussian): number {
  checkGaussian('q', q);
  checkGaussian('p', p);
  return 0.5 * Math.log(p.variance / q.variance) + (q.variance + (q.mean - p.mean) ** 2) / (2 * p.variance) - 0.5;
}

/** KL between diagonal Gaussians: the sum of the per-dimension univariate KLs. */
export function diagGaussianKL(q: DiagonalGaussian, p: DiagonalGaussian): number {
  const d = q.mean.length;
  for (const [field, len] of [
    ['q.variance', q.variance.length],
    ['p.mean', p.mean.length],
    ['p.variance', p.variance.length],
  ] as const) {
    if (len !== d) throw new RangeError(`${field} has length ${len}, expected ${d} (the length of q.mean)`);
  }
  let kl = 0;
  for (let i = 0; i < d; i++) {
    const qi = { mean: q.mean[i], variance: q.variance[i] };
    const pi = { mean: p.mean[i], variance: p.variance[i] };
    checkGaussian(`q[${i}]`, qi);
    checkGaussian(`p[${i}]`, pi);
    kl += gaussianKL(qi, pi);
  }
  return kl;
}
