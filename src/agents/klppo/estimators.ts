/**
 * Monte Carlo estimators of KL(π ‖ π_ref) from actions sampled from π (Schulman, "Approximating KL
 * divergence", 2020), written with the log-ratio ℓ = log π_ref(a) − log π(a), r = e^ℓ = π_ref/π:
 *
 *   k1 = −ℓ                 unbiased, high variance, NEGATIVE on many single samples
 *   k2 = ½ ℓ²               biased (exact to second order), always ≥ 0, low variance
 *   k3 = (r − 1) − ℓ        unbiased (E_π[r] = 1), always ≥ 0 (since e^x ≥ 1 + x), low variance
 *
 * A per-sample k1 is negative whenever the sampled action is likelier under π_ref than under π, so a
 * batch mean of k1 can dip below 0 although the true KL never does; k3 cannot.
 */
export interface KlEstimates {
  k1: number;
  k2: number;
  k3: number;
}

/** Batch means of k1, k2, k3 from per-sample log π(a) and log π_ref(a). */
export function klEstimates(logp: ArrayLike<number>, refLogp: ArrayLike<number>): KlEstimates {
  if (logp.length !== refLogp.length || logp.length === 0) {
    throw new RangeError(
      `klEstimates: logp (${logp.length}) and refLogp (${refLogp.length}) must be non-empty and equally long`,
    );
  }
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  for (let i = 0; i < logp.length; i++) {
    const l = refLogp[i] - logp[i];
    k1 += -l;
    k2 += 0.5 * l * l;
    k3 += Math.expm1(l) - l;
  }
  const n = logp.length;
  return { k1: k1 / n, k2: k2 / n, k3: k3 / n };
}
