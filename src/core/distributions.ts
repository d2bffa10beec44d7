/**
 * Probability distributions as tfjs ops, batch-first: parameters have shape `[batch, ...]`, and
 * `logProb`, `entropy` and `kl` reduce over the event (last) axis to shape `[batch]`.
 *
 * - `Categorical` (from logits): SAC-discrete, token policies.
 * - `DiagGaussian` (mean, logStd): PPO on continuous actions, RSSM latents.
 * - `TanhGaussian`: a diagonal Gaussian squashed by tanh, optionally rescaled to a Box: SAC-continuous.
 *
 * Randomness never comes from tfjs's own RNG: noise is drawn from a seeded `Rng` stream by
 * `standardNormal` / `uniformTensor` and passed in, so the same seed gives the same samples on every
 * backend, and a reparameterized sample `f(θ, ε)` is differentiable in the parameters θ.
 *
 * These classes hold the caller's tensors and never dispose them; every method returns fresh tensors,
 * so call them inside `tf.tidy` (or dispose the results).
 */
import * as tf from '@tensorflow/tfjs';
import type { Box } from './spaces.js';
import type { Rng } from './rng.js';

const LOG_2PI = Math.log(2 * Math.PI);
const LOG_2 = Math.log(2);
const UNIFORM_GRID = 2 ** 23;

/** A float32 tensor of i.i.d. N(0, 1) draws from `rng` (row-major order). */
export function standardNormal(rng: Rng, shape: number[]): tf.Tensor {
  const out = new Float32Array(sizeOf('standardNormal', shape));
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return tf.tensor(out, shape, 'float32');
}

/**
 * A float32 tensor of i.i.d. uniform draws on the open interval (0, 1) from `rng`. Values are the
 * midpoints `(k + ½) / 2²³`, k < 2²³, exact in float32 (the extremes are 2⁻²⁴ and 1 − 2⁻²⁴), so neither
 * 0 nor 1 ever occurs (safe under `log`). A finer 2²⁴ grid would not be: (2²⁴ − ½)/2²⁴ rounds to 1.
 */
export function uniformTensor(rng: Rng, shape: number[]): tf.Tensor {
  const out = new Float32Array(sizeOf('uniformTensor', shape));
  for (let i = 0; i < out.length; i++) out[i] = (Math.floor(rng.uniform() * UNIFORM_GRID) + 0.5) / UNIFORM_GRID;
  return tf.tensor(out, shape, 'float32');
}

function sizeOf(fn: string, shape: number[]): number {
  if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RangeError(`${fn}: shape must be a list of non-negative integers, got [${shape.join(', ')}]`);
  }
  return shape.reduce((a, b) => a * b, 1);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function checkShape(field: string, actual: readonly number[], expected: readonly number[]): void {
  if (!sameShape(actual, expected)) {
    throw new RangeError(`${field}: shape [${actual.join(', ')}] does not match the expected [${expected.join(', ')}]`);
  }
}

/** Categorical distribution over {0, ..., n−1} per batch row, from unnormalized logits `[batch, n]`. */
export class Categorical {
  constructor(readonly logits: tf.Tensor) {
    if (logits.rank < 1)
      throw new RangeError(`Categorical: logits must have rank ≥ 1, got shape [${logits.shape.join(', ')}]`);
  }

  get numCategories(): number {
    return this.logits.shape[this.logits.rank - 1];
  }

  /** log p_i = logits_i − logsumexp(logits). */
  logProbs(): tf.Tensor {
    return tf.logSoftmax(this.logits);
  }

  /** The probabilities softmax(logits). */
  probs(): tf.Tensor {
    return tf.softmax(this.logits);
  }

  /** Draws one category per row (int32, shape `logits.shape[:-1]`). */
  sample(rng: Rng): tf.Tensor {
    return tf.tidy(() => this.sampleFromNoise(uniformTensor(rng, this.logits.shape)));
  }

  /**
   * Gumbel-max with the uniform noise passed in: argmax_i (logits_i + g_i), g_i = −log(−log u_i), is
   * distributed as Categorical(softmax(logits)). Not differentiable (argmax); it exists so a discrete
   * sample is a deterministic function of seeded noise, like the continuous reparameterized samples.
   */
  sampleFromNoise(u: tf.Tensor): tf.Tensor {
    checkShape('Categorical.sampleFromNoise: u', u.shape, this.logits.shape);
    return tf.tidy(() => tf.argMax(tf.sub(this.logits, tf.log(tf.neg(tf.log(u)))), -1));
  }

  /** log p(a) for int32 actions of shape `logits.shape[:-1]`. */
  logProb(actions: tf.Tensor): tf.Tensor {
    checkShape('Categorical.logProb: actions', actions.shape, this.logits.shape.slice(0, -1));
    return tf.tidy(() => tf.sum(tf.mul(tf.oneHot(tf.cast(actions, 'int32'), this.numCategories), this.logProbs()), -1));
  }

  /** H(p) = −Σ_i p_i log p_i (finite logits assumed). */
  entropy(): tf.Tensor {
    return tf.tidy(() => tf.neg(tf.sum(tf.mul(this.probs(), this.logProbs()), -1)));
  }

  /** KL(this ‖ other) = Σ_i p_i (log p_i − log q_i). */
  kl(other: Categorical): tf.Tensor {
    checkShape('Categorical.kl: other.logits', other.logits.shape, this.logits.shape);
    return tf.tidy(() => tf.sum(tf.mul(this.probs(), tf.sub(this.logProbs(), other.logProbs())), -1));
  }

  /** The most probable category (int32). */
  mode(): tf.Tensor {
    return tf.argMax(this.logits, -1);
  }
}

/**
 * Diagonal Gaussian N(mean, diag(exp(logStd)²)). `mean` is `[batch, d]`; `logStd` has the same shape or
 * is a state-independent `[d]` that broadcasts over the batch.
 */
export class DiagGaussian {
  constructor(
    readonly mean: tf.Tensor,
    readonly logStd: tf.Tensor,
  ) {
    if (mean.rank < 1)
      throw new RangeError(`DiagGaussian: mean must have rank ≥ 1, got shape [${mean.shape.join(', ')}]`);
    const trailing = mean.shape.slice(mean.rank - logStd.rank);
    if (logStd.rank > mean.rank || !sameShape(logStd.shape, trailing)) {
      throw new RangeError(
        `DiagGaussian: logStd shape [${logStd.shape.join(', ')}] must equal mean shape [${mean.shape.join(', ')}] or its trailing dims`,
      );
    }
  }

  /** The standard deviation exp(logStd). */
  std(): tf.Tensor {
    return tf.exp(this.logStd);
  }

  /** z = μ + σ·ε, ε ~ N(0, I) drawn from `rng`. */
  sample(rng: Rng): tf.Tensor {
    return tf.tidy(() => this.rsample(standardNormal(rng, this.mean.shape)));
  }

  /** Reparameterized sample z = μ + σ·ε with the noise ε passed in (shape of `mean`): differentiable in μ, log σ. */
  rsample(eps: tf.Tensor): tf.Tensor {
    checkShape('DiagGaussian.rsample: eps', eps.shape, this.mean.shape);
    return tf.tidy(() => tf.add(this.mean, tf.mul(this.std(), eps)));
  }

  /** log N(x; μ, σ²) = Σ_d [ −½((x−μ)/σ)² − log σ − ½ log 2π ]. */
  logProb(x: tf.Tensor): tf.Tensor {
    checkShape('DiagGaussian.logProb: x', x.shape, this.mean.shape);
    return tf.tidy(() => {
      const z = tf.div(tf.sub(x, this.mean), this.std());
      const perDim = tf.sub(tf.sub(tf.mul(-0.5, tf.square(z)), this.logStd), 0.5 * LOG_2PI);
      return tf.sum(perDim, -1);
    });
  }

  /** H = Σ_d [ log σ + ½(1 + log 2π) ]. */
  entropy(): tf.Tensor {
    return tf.tidy(() => tf.sum(tf.add(tf.zerosLike(this.mean), tf.add(this.logStd, 0.5 * (1 + LOG_2PI))), -1));
  }

  /** KL(this ‖ other) = Σ_d [ log(σ₂/σ₁) + (σ₁² + (μ₁−μ₂)²) / (2σ₂²) − ½ ]. */
  kl(other: DiagGaussian): tf.Tensor {
    checkShape('DiagGaussian.kl: other.mean', other.mean.shape, this.mean.shape);
    return tf.tidy(() => {
      const var1 = tf.exp(tf.mul(2, this.logStd));
      const var2 = tf.exp(tf.mul(2, other.logStd));
      const perDim = tf.sub(
        tf.add(
          tf.sub(other.logStd, this.logStd),
          tf.div(tf.add(var1, tf.square(tf.sub(this.mean, other.mean))), tf.mul(2, var2)),
        ),
        0.5,
      );
      return tf.sum(perDim, -1);
    });
  }

  /** The mean (deterministic action). */
  mode(): tf.Tensor {
    return this.mean;
  }
}

/** Bounds of the squashed action: low/high per dimension (a bounded `Box` or plain arrays). */
export type Bounds = Pick<Box, 'low' | 'high'> | { low: ArrayLike<number>; high: ArrayLike<number> };

/**
 * Tanh-squashed diagonal Gaussian: u ~ N(mean, σ²), a = c + h·tanh(u) with center c = (high+low)/2 and
 * half-range h = (high−low)/2 (c = 0, h = 1 without bounds). By change of variables,
 *
 *   log π(a) = log N(u; μ, σ²) − Σ_d [ log(1 − tanh²(u_d)) + log h_d ],
 *   log(1 − tanh²(u)) = 2(log 2 − u − softplus(−2u))   (stable for large |u|).
 */
export class TanhGaussian {
  readonly base: DiagGaussian;
  private readonly center: Float32Array;
  private readonly halfRange: Float32Array;
  private readonly logHalfRangeSum: number;

  constructor(mean: tf.Tensor, logStd: tf.Tensor, bounds?: Bounds) {
    this.base = new DiagGaussian(mean, logStd);
    const d = mean.shape[mean.rank - 1];
    if (bounds === undefined) {
      this.center = new Float32Array(d);
      this.halfRange = new Float32Array(d).fill(1);
    } else {
      if (bounds.low.length !== d || bounds.high.length !== d) {
        throw new RangeError(
          `TanhGaussian: bounds have ${bounds.low.length}/${bounds.high.length} dims, the mean has ${d}`,
        );
      }
      this.center = new Float32Array(d);
      this.halfRange = new Float32Array(d);
      for (let i = 0; i < d; i++) {
        const lo = bounds.low[i];
        const hi = bounds.high[i];
        if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(hi > lo)) {
          throw new RangeError(`TanhGaussian: bounds[${i}] = [${lo}, ${hi}] must be finite with low < high`);
        }
        this.center[i] = (hi + lo) / 2;
        this.halfRange[i] = (hi - lo) / 2;
      }
    }
    this.logHalfRangeSum = Array.from(this.halfRange).reduce((s, h) => s + Math.log(h), 0);
  }

  /** a = c + h·tanh(u). */
  squash(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(tf.tensor1d(this.center), tf.mul(tf.tensor1d(this.halfRange), tf.tanh(u))));
  }

  /** log π(a) from the pre-squash u (exact; what SAC uses on its own fresh samples). */
  logProbFromPreTanh(u: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      // log(1 − tanh²(u)) = 2(log 2 − u − softplus(−2u))
      const logDetTanh = tf.mul(2, tf.sub(tf.sub(LOG_2, u), tf.softplus(tf.mul(-2, u))));
      return tf.sub(tf.sub(this.base.logProb(u), tf.sum(logDetTanh, -1)), this.logHalfRangeSum);
    });
  }

  /**
   * log π(a) for a stored action. Inverts the squash with atanh, clipping the normalized action to
   * |y| ≤ 1 − 1e-6 so boundary actions stay finite; prefer `logProbFromPreTanh` when u is at hand.
   */
  logProb(action: tf.Tensor): tf.Tensor {
    checkShape('TanhGaussian.logProb: action', action.shape, this.base.mean.shape);
    return tf.tidy(() => {
      const y = tf.clipByValue(
        tf.div(tf.sub(action, tf.tensor1d(this.center)), tf.tensor1d(this.halfRange)),
        -1 + 1e-6,
        1 - 1e-6,
      );
      return this.logProbFromPreTanh(tf.atanh(y));
    });
  }

  /** Reparameterized sample with the N(0, I) noise passed in: the action and its log-prob, both differentiable. */
  rsampleWithLogProb(eps: tf.Tensor): { action: tf.Tensor; logProb: tf.Tensor } {
    return tf.tidy(() => {
      const u = this.base.rsample(eps);
      return { action: this.squash(u), logProb: this.logProbFromPreTanh(u) };
    });
  }

  /** A sample and its log-prob, the noise drawn from `rng`. */
  sample(rng: Rng): { action: tf.Tensor; logProb: tf.Tensor } {
    return tf.tidy(() => this.rsampleWithLogProb(standardNormal(rng, this.base.mean.shape)));
  }

  /** No closed form: the one-sample unbiased estimate −log π(a), a = f(ε), per row. Average it over rows or draws. */
  entropyEstimate(eps: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.neg(this.rsampleWithLogProb(eps).logProb));
  }

  /**
   * KL(this ‖ other) for two squashed Gaussians with the same bounds. KL is invariant under a shared
   * bijection, and a ↦ c + h·tanh(u) is one, so it equals the closed-form KL of the base Gaussians.
   */
  kl(other: TanhGaussian): tf.Tensor {
    const same =
      this.center.every((c, i) => c === other.center[i]) && this.halfRange.every((h, i) => h === other.halfRange[i]);
    if (!same) {
      const bounds = (t: TanhGaussian) =>
        `[${Array.from(t.center, (c, i) => `[${c - t.halfRange[i]}, ${c + t.halfRange[i]}]`).join(', ')}]`;
      throw new RangeError(
        `TanhGaussian.kl: both distributions must squash to the same bounds, got ${bounds(this)} and ${bounds(other)}`,
      );
    }
    return this.base.kl(other.base);
  }

  /** Deterministic action c + h·tanh(μ). */
  mode(): tf.Tensor {
    return this.squash(this.base.mean);
  }
}
