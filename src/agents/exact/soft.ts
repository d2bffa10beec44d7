/**
 * The soft backup under a prior, written once: for a row of Q-values and the prior's row p(·|s),
 *
 *     V(s)    = α log Σ_a p(a|s) exp(Q(s,a)/α)        (α > 0, by log-sum-exp)
 *     V(s)    = max_{a : p(a|s) > 0} Q(s,a)            (α = 0)
 *     π(a|s)  = p(a|s) exp((Q(s,a) − V(s))/α)
 *
 * Rows are read at `base` of nS·nA row-major tables (`Q[base + a]`). Plain float64, no tensors.
 */

/** V(s) from the Q row at `base`: the soft maximum under the prior (the hard max over its support at α = 0). */
export function softMaxRow(
  Q: ArrayLike<number>,
  prior: ArrayLike<number>,
  base: number,
  nA: number,
  alpha: number,
): number {
  let m = -Infinity;
  for (let a = 0; a < nA; a++) if (prior[base + a] > 0 && Q[base + a] > m) m = Q[base + a];
  if (alpha === 0) return m;
  let z = 0;
  for (let a = 0; a < nA; a++) {
    const p = prior[base + a];
    if (p > 0) z += p * Math.exp((Q[base + a] - m) / alpha);
  }
  return m + alpha * Math.log(z);
}

/**
 * π(·|s) = p·exp((Q − V)/α) for α > 0, written into `out` at `outBase` (default: `base`, the same layout);
 * renormalized, since the sum is 1 only up to rounding.
 */
export function softPolicyRow(
  Q: ArrayLike<number>,
  prior: ArrayLike<number>,
  base: number,
  nA: number,
  alpha: number,
  out: Float64Array | number[],
  outBase = base,
): void {
  const v = softMaxRow(Q, prior, base, nA, alpha);
  let z = 0;
  for (let a = 0; a < nA; a++) z += out[outBase + a] = prior[base + a] * Math.exp((Q[base + a] - v) / alpha);
  for (let a = 0; a < nA; a++) out[outBase + a] /= z;
}
