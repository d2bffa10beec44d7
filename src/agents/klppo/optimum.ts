/**
 * The closed-form optimum of KL-regularized reward maximization over a finite set of outcomes y
 * (bandit arms, or whole token sequences):
 *
 *   max_π  E_π[R(y)] − β KL(π ‖ π_ref)   ⇒   π*(y) = π_ref(y) exp(R(y)/β) / Z,   Z = Σ_y π_ref(y) exp(R(y)/β)
 *
 * and at that optimum the objective equals β log Z. β = 0 is the limit: all mass on the reward's
 * maximizers, shared in proportion to π_ref.
 */
import { klDivergence } from '../exact/index.js';

export interface KlOptimum {
  probs: Float64Array;
  /** E_{π*}[R]. */
  reward: number;
  /** KL(π* ‖ π_ref) in nats. */
  kl: number;
}

export function klRegularizedOptimum(refProbs: ArrayLike<number>, rewards: ArrayLike<number>, beta: number): KlOptimum {
  const n = refProbs.length;
  if (rewards.length !== n || n === 0)
    throw new RangeError(
      `klRegularizedOptimum: refProbs (${n}) and rewards (${rewards.length}) must be non-empty and equally long`,
    );
  if (!Number.isFinite(beta) || beta < 0)
    throw new RangeError(`klRegularizedOptimum: beta = ${beta}, allowed: finite ≥ 0`);
  const logits = new Float64Array(n);
  let maxRewardOnSupport = -Infinity;
  for (let i = 0; i < n; i++) if (refProbs[i] > 0) maxRewardOnSupport = Math.max(maxRewardOnSupport, rewards[i]);
  for (let i = 0; i < n; i++) {
    if (!(refProbs[i] > 0)) logits[i] = -Infinity;
    else if (beta === 0) logits[i] = rewards[i] === maxRewardOnSupport ? Math.log(refProbs[i]) : -Infinity;
    else logits[i] = Math.log(refProbs[i]) + rewards[i] / beta;
  }
  const m = Math.max(...logits);
  const probs = new Float64Array(n);
  let z = 0;
  for (let i = 0; i < n; i++) z += probs[i] = Math.exp(logits[i] - m);
  let reward = 0;
  for (let i = 0; i < n; i++) {
    probs[i] /= z;
    reward += probs[i] * rewards[i];
  }
  return { probs, reward, kl: klDivergence(probs, refProbs) };
}

/** Total-variation distance ½ Σ |p − q|. */
export function totalVariation(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError(`totalVariation: lengths differ (${p.length} vs ${q.length})`);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - q[i]);
  return s / 2;
}
