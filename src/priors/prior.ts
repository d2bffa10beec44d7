/**
 * The prior p(a|s) in `J(π) = E_π[Σ_t γ^t (r_t − α·KL(π(·|s_t) ‖ p(·|s_t)))]`: one interface for every
 * learner (SAC continuous and discrete, KL-PPO, the visualizer, the exact solver).
 *
 * | prior `p`          | what J becomes                                              | typical learner |
 * |--------------------|-------------------------------------------------------------|-----------------|
 * | `uniform`          | maximum-entropy RL: −KL(π‖uniform) = H(π) − log|A|          | SAC             |
 * | `reference`        | KL-regularized RL toward a fixed policy (the RLHF objective) | KL-PPO, KL-SAC  |
 * | `none` (α = 0)     | plain expected return: the uniform prior, α ≡ 0 (`objective.ts`) | any agent  |
 *
 * Conventions:
 * - Observations arrive ENCODED, as learners feed their networks (`encoding.ts`): one-hot rows for a
 *   `Discrete` observation space, the raw vector for a `Box`. Batch-first: obs is `[B, obsDim]`.
 * - Every tensor method returns fresh tensors and is meant to run inside the caller's `tf.tidy`.
 * - Whoever makes a prior disposes it (`dispose()`): a reference prior holds tensors (its log table, or
 *   what its source holds); the others hold none.
 * - A prior is frozen: it holds no trainable variable, and function-based references pass through a
 *   stop-gradient, so no gradient of a learner's loss ever reaches it.
 * - Learners never take a bare prior: they take an `Objective` (`objective.ts`), the prior with its α.
 */
import * as tf from '@tensorflow/tfjs';
import type { Box, Discrete, Space } from '../core/spaces.js';
import type { DiagGaussian, TanhGaussian } from '../core/distributions.js';

/** What a prior object is: the `none` objective uses the uniform prior with α ≡ 0. */
export type PriorKind = 'uniform' | 'reference';

/** What a prior is defined over: any `Env` satisfies this. */
export interface PriorSpaces {
  readonly observationSpace: Space;
  readonly actionSpace: Space;
}

interface PriorBase {
  readonly kind: PriorKind;
  /** Short human label, e.g. `uniform(Discrete(4))`, `reference(table)`. */
  readonly label: string;
  readonly observationSpace: Space;
  /** Frees the tensors the prior holds (a no-op for those that hold none). Whoever makes a prior disposes it. */
  dispose(): void;
}

/** A prior over a `Discrete(n)` action space. */
export interface DiscretePrior extends PriorBase {
  readonly actionSpace: Discrete;
  /** The full row log p(·|s) for encoded obs `[B, obsDim]` → `[B, n]`. */
  logProbs(obs: tf.Tensor2D): tf.Tensor2D;
  /** log p(a|s) for int32 actions `[B]` → `[B]`. */
  logProb(obs: tf.Tensor2D, actions: tf.Tensor1D): tf.Tensor1D;
  /** Closed-form KL(π(·|s) ‖ p(·|s)) = Σ_a π(a|s)(log π(a|s) − log p(a|s)) from the policy's logits `[B, n]` → `[B]`. */
  kl(obs: tf.Tensor2D, policyLogits: tf.Tensor2D): tf.Tensor1D;
  /**
   * Plain numbers for tabular code (the exact solver, the visualizer): p(a|s) for every state of a `Discrete`
   * observation space, nS·nA row-major (`table[s * nA + a]`), the exact solver's layout.
   */
  table(): Float64Array;
}

/** μ_ref and log σ_ref `[n, d]` each (row-major) for encoded observations `[n, obsDim]`, in plain host numbers. */
export type HostGaussianParams = (obs: Float32Array, n: number) => { mean: Float32Array; logStd: Float32Array };

/** A frozen SAC actor: src/nn/mlp.ts's flat weights for `sizes` = [obsDim, ...hidden, 2d], ReLU hidden layers. */
export interface FrozenSacActor {
  readonly sizes: readonly number[];
  readonly weights: Float32Array;
}

/**
 * A reference Gaussian over a Box in plain host numbers, what continuous SAC's WebAssembly engine takes:
 * p(·|s) = N(μ_ref(s), σ_ref(s)²) over the action (`squash: false`), or that Gaussian tanh-squashed to the
 * Box (`squash: true`, log p with the tanh Jacobian, as `TanhGaussian.logProb`). Its parameters come from
 * `params` (evaluated on the host once per batch) or from `actor` (the output [μ | r] of a frozen SAC actor,
 * log σ = −1.5 + 3.5·tanh(r), which the engine holds and runs itself).
 */
export type BoxPriorHost =
  | { readonly squash: boolean; readonly params: HostGaussianParams }
  | { readonly squash: true; readonly actor: FrozenSacActor };

/** A prior over a `Box` action space (log-densities in the env's action units). */
export interface BoxPrior extends PriorBase {
  readonly actionSpace: Box;
  /** The reference Gaussian in host numbers (every `{ gaussian }` reference has one; absent for the uniform prior). */
  readonly host?: BoxPriorHost;
  /** log p(a|s) for actions `[B, d]` in the env's action space → `[B]`. */
  logProb(obs: tf.Tensor2D, actions: tf.Tensor2D): tf.Tensor1D;
  /**
   * Closed-form KL(π(·|s) ‖ p(·|s)) per state `[B]` when it exists (a reference of the same family as the
   * policy: Gaussian‖Gaussian, or squashed‖squashed over the same bounds; zeros for `none`), else null:
   * then estimate it by samples, E_{a~π}[log π(a|s) − log p(a|s)].
   */
  kl(obs: tf.Tensor2D, policy: DiagGaussian | TanhGaussian): tf.Tensor1D | null;
}

/** A prior over a Discrete or a Box action space. */
export type Prior = DiscretePrior | BoxPrior;

/** True for a prior over a Discrete action space. */
export function isDiscretePrior(p: Prior): p is DiscretePrior {
  return p.actionSpace.kind === 'discrete';
}

/** The uniform table 1/nA for every state of a `Discrete` observation space (nS·nA row-major). */
export function uniformTable(field: string, observationSpace: Space, nA: number): Float64Array {
  if (observationSpace.kind !== 'discrete') {
    throw new RangeError(`${field}: observationSpace must be Discrete (tabular), got ${observationSpace.toString()}`);
  }
  return new Float64Array(observationSpace.n * nA).fill(1 / nA);
}

/** Σ_a π(a)(log π(a) − log p(a)) per row, from policy logits and prior log-probs (both `[B, n]`). */
export function categoricalKl(policyLogits: tf.Tensor2D, priorLogProbs: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const logPi = tf.logSoftmax(policyLogits);
    return tf.sum(tf.mul(tf.exp(logPi), tf.sub(logPi, priorLogProbs)), -1) as tf.Tensor1D;
  });
}

/**
 * A policy table from a network: `logits` (logits or log-probs, encoded obs → `[nS, nA]`) evaluated once on
 * every one-hot state of a `Discrete(nS)` observation space, then softmaxed in float64 on the host, so every
 * row sums to 1 to double precision (float32 rows miss by ~1e-7; the exact solver checks 1e-9). nS·nA row-major.
 */
export function tableFromLogits(
  field: string,
  observationSpace: Space,
  logits: (obs: tf.Tensor2D) => tf.Tensor,
): Float64Array {
  if (observationSpace.kind !== 'discrete') {
    throw new RangeError(`${field}: observationSpace must be Discrete (tabular), got ${observationSpace.toString()}`);
  }
  const nS = observationSpace.n;
  let nA = 0;
  const values = tf.tidy(() => {
    const l = logits(tf.eye(nS) as tf.Tensor2D);
    nA = l.shape[1] as number;
    return l.dataSync();
  });
  const table = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    const row = s * nA;
    let max = -Infinity;
    for (let a = 0; a < nA; a++) max = Math.max(max, values[row + a]);
    let z = 0;
    for (let a = 0; a < nA; a++) z += table[row + a] = Math.exp(values[row + a] - max);
    for (let a = 0; a < nA; a++) table[row + a] /= z;
  }
  return table;
}

/** Checks a prior's action space equals the env's; the error names the field and both spaces. */
export function checkPriorMatches(prior: Prior, env: PriorSpaces, field = 'prior'): void {
  if (!sameSpace(prior.actionSpace, env.actionSpace)) {
    throw new RangeError(
      `${field}.actionSpace: ${prior.actionSpace.toString()} does not match the env's actionSpace ${env.actionSpace.toString()}`,
    );
  }
  if (!sameSpace(prior.observationSpace, env.observationSpace)) {
    throw new RangeError(
      `${field}.observationSpace: ${prior.observationSpace.toString()} does not match the env's observationSpace ${env.observationSpace.toString()}`,
    );
  }
}

export function sameSpace(a: Space, b: Space): boolean {
  if (a.kind === 'discrete' || b.kind === 'discrete')
    return a.kind === b.kind && (a as Discrete).n === (b as Discrete).n;
  return a.dim === b.dim && a.low.every((v, i) => v === b.low[i]) && a.high.every((v, i) => v === b.high[i]);
}
