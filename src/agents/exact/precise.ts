/**
 * The soft-optimal policy to machine precision. Soft value iteration stops with a value error of about
 * tol·γ/(1 − γ); finite-difference derivatives of anything computed from π* (IRL's gradient check) and
 * comparisons at 1e-9 need better. So: soft value iteration to a loose tolerance, then soft policy iteration
 * — evaluate π exactly by one linear solve (`evaluatePolicy`), improve π ∝ p·exp(Q^π/α) — which is
 * Newton's method on the soft Bellman equation and squares the error at each step.
 */
import type { TabularModel } from '../../envs/env.js';
import { evaluatePolicy, softValueIteration } from './softvi.js';

export interface PreciseOptions {
  /** Temperature α > 0. */
  alpha: number;
  gamma: number;
  /** p(a|s), nS×nA row-major; default uniform. */
  prior?: Float64Array;
}

export interface PreciseResult {
  /** V(s) = α log Σ_a p(a|s) exp(Q(s,a)/α) (0 on terminal states). */
  V: Float64Array;
  Q: Float64Array;
  pi: Float64Array;
  /** log π*(a|s) = log p(a|s) + (Q(s,a) − V(s))/α, accurate where π* is tiny (−∞ off the prior's support). */
  logPi: Float64Array;
  /** max_s |V^π(s) − α log Σ_a p exp(Q^π/α)| of the last evaluated π: the soft Bellman residual. */
  residual: number;
  newtonSteps: number;
}

export function softOptimalPrecise(model: TabularModel, opts: PreciseOptions): PreciseResult {
  const { alpha, gamma } = opts;
  if (!(alpha > 0) || !Number.isFinite(alpha))
    throw new RangeError(`alpha must be a finite number > 0 here (π* must be stochastic), got ${alpha}`);
  const { nStates: nS, nActions: nA } = model;
  const prior = opts.prior ?? new Float64Array(nS * nA).fill(1 / nA);
  let pi = softValueIteration(model, { alpha, gamma, prior, tol: 1e-9 }).pi;
  const V = new Float64Array(nS);
  const logPi = new Float64Array(nS * nA);
  let Q: Float64Array = new Float64Array(nS * nA);
  let residual = Infinity;
  let newtonSteps = 0;
  while (newtonSteps < 8) {
    const ev = evaluatePolicy(model, pi, { alpha, gamma, prior });
    Q = ev.Q;
    residual = 0;
    let scale = 1;
    const next = new Float64Array(nS * nA);
    for (let s = 0; s < nS; s++) {
      const base = s * nA;
      if (model.terminalStates.has(s)) {
        next.set(prior.subarray(base, base + nA), base);
        for (let a = 0; a < nA; a++) logPi[base + a] = Math.log(prior[base + a]);
        V[s] = 0;
        continue;
      }
      let m = -Infinity;
      for (let a = 0; a < nA; a++) if (prior[base + a] > 0) m = Math.max(m, Q[base + a]);
      let z = 0;
      for (let a = 0; a < nA; a++) if (prior[base + a] > 0) z += prior[base + a] * Math.exp((Q[base + a] - m) / alpha);
      V[s] = m + alpha * Math.log(z);
      for (let a = 0; a < nA; a++) {
        logPi[base + a] = Math.log(prior[base + a]) + (Q[base + a] - V[s]) / alpha;
        next[base + a] = Math.exp(logPi[base + a]);
      }
      residual = Math.max(residual, Math.abs(ev.V[s] - V[s]));
      scale = Math.max(scale, Math.abs(V[s]));
    }
    pi = next;
    newtonSteps++;
    if (residual <= 1e-13 * scale) break;
  }
  return { V, Q, pi, logPi, residual, newtonSteps };
}
