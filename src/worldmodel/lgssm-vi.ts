/**
 * A variational posterior for the linear-Gaussian SSM, trained by maximizing the ELBO with the
 * reparameterization trick, and checked against the exact answer (`lgssm.ts`).
 *
 * The family: one Gaussian over the whole stacked sequence z = z_{0:T−1} (n = T·dz), amortized over
 * sequences:  q_φ(z | x, u) = N(W [x; u] + b, L Lᵀ),  L lower-triangular with a positive diagonal.
 * The exact posterior of an LGSSM has a mean linear in (x, u) and a covariance independent of the data,
 * so this family contains it: a perfect fit closes the gap, log p(x) − ELBO = KL(q ‖ p(z|x)) → 0.
 *
 * Training objective (per sequence, averaged over a batch of fresh sequences), the ELBO:
 *     ELBO(φ) = E_{ε~N(0,I)}[ log p(x | z = μ_φ + L_φ ε) ] − KL( q_φ(z|x,u) ‖ p(z|u) )
 * with the reconstruction term by a reparameterized Monte Carlo sample and the KL to the Gaussian prior
 * p(z|u) = N(m_p(u), Λ_p⁻¹) in closed form. Evaluation uses the exact float64 ELBO (`gaussianElbo`).
 * The generative model (A, B, C, Q, R, μ₀, P₀) is fixed to the true one, so ELBO ≤ log p(x) is a theorem.
 */
import * as tf from '@tensorflow/tfjs';
import { standardNormal } from '../core/distributions.js';
import { Adam } from '../nn/adam.js';
import type { Rng } from '../core/rng.js';
import {
  cholesky,
  checkSequence,
  eye,
  gaussianElbo,
  gaussianKl,
  jointPosterior,
  jointPrior,
  kalmanFilter,
  lgssmDims,
  logDet,
  priorMean,
  sampleLgssm,
  type LgssmParams,
  type LgssmSequence,
  type Mat,
  type Vec,
} from './lgssm.js';
import { inv } from 'mathjs';

/** The config of `LgssmGaussianVI`: sequence length, learning rate, steps, batch size. */
export interface LgssmViConfig {
  /** Sequence length T the amortized q is built for. */
  seqLen: number;
  /** Adam learning rate. */
  lr: number;
  /** Gradient steps. */
  steps: number;
  /** Fresh sequences per gradient step. */
  batchSize: number;
  /** Reparameterized samples of z per sequence for the reconstruction term. */
  samples: number;
}

export const DEFAULT_LGSSM_VI_CONFIG: LgssmViConfig = {
  seqLen: 12,
  lr: 0.005,
  steps: 1500,
  batchSize: 64,
  samples: 4,
};

/** Exact numbers for one sequence under the current q. */
export interface ExactCheck {
  /** Kalman log p(x_{0:T−1} | u). */
  logLik: number;
  /** Closed-form ELBO of q. */
  elbo: number;
  /** Closed-form KL(q ‖ p(z_{0:T−1} | x, u)) to the exact joint posterior. */
  klToPosterior: number;
}

/** Gaussian variational inference for the linear-Gaussian SSM, trained on the reparameterized ELBO and checked against the exact Kalman likelihood. */
export class LgssmGaussianVI {
  readonly cfg: LgssmViConfig;
  readonly n: number;
  private readonly dims: { dz: number; dx: number; du: number };
  private readonly W: tf.Variable;
  private readonly b: tf.Variable;
  private readonly Lraw: tf.Variable;
  private readonly optimizer: Adam;
  // Constants of the generative model, as tensors.
  private readonly priorPrecision: tf.Tensor;
  private readonly priorLogDetPrecision: number;
  private readonly Ht: tf.Tensor;
  private readonly whitenT: tf.Tensor;
  private readonly logNormR: number;
  private readonly lowerMask: tf.Tensor;
  private readonly diagMask: tf.Tensor;

  constructor(
    readonly params: LgssmParams,
    cfg: Partial<LgssmViConfig> = {},
  ) {
    this.cfg = { ...DEFAULT_LGSSM_VI_CONFIG, ...cfg };
    for (const [k, v] of Object.entries(this.cfg)) {
      if (!(Number.isFinite(v) && v > 0))
        throw new RangeError(`LgssmViConfig.${k}: must be a finite number > 0, got ${v}`);
      if (k !== 'lr' && !Number.isInteger(v))
        throw new RangeError(`LgssmViConfig.${k}: must be an integer ≥ 1, got ${v}`);
    }
    this.dims = lgssmDims(params);
    const { dz, dx, du } = this.dims;
    const T = this.cfg.seqLen;
    const n = (this.n = T * dz);
    // The prior precision does not depend on u; build it from a dummy all-zero action sequence.
    const prior = jointPrior(params, {
      obs: Array.from({ length: T }, () => new Array(dx).fill(0)),
      actions: zeroActions(T, du),
    });
    this.priorPrecision = tf.tensor2d(prior.precision);
    this.priorLogDetPrecision = logDet(prior.precision);
    // Stacked emission: x_flat = z_flat Hᵀ; whitening by blkdiag(L_R⁻¹) so log N(x; Cz, R) = −½|r|² − ½ log det R − ½ dx log 2π.
    const H: Mat = Array.from({ length: T * dx }, () => new Array(n).fill(0));
    const LRinv = inv(cholesky(params.R, 'LgssmParams.R')) as unknown as Mat;
    const Wh: Mat = Array.from({ length: T * dx }, () => new Array(T * dx).fill(0));
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < dx; i++) {
        for (let j = 0; j < dz; j++) H[t * dx + i][t * dz + j] = params.C[i][j];
        for (let j = 0; j < dx; j++) Wh[t * dx + i][t * dx + j] = LRinv[i][j];
      }
    }
    // tidy + keep: the untransposed intermediates are freed, only the transposes survive.
    this.Ht = tf.tidy(() => tf.keep(tf.tensor2d(H).transpose()));
    this.whitenT = tf.tidy(() => tf.keep(tf.tensor2d(Wh).transpose()));
    this.logNormR = T * (-0.5 * logDet(params.R) - 0.5 * dx * Math.log(2 * Math.PI));
    this.lowerMask = tf.tensor2d(eye(n).map((row, i) => row.map((_, j) => (j < i ? 1 : 0))));
    this.diagMask = tf.tensor2d(eye(n));
    // q starts as N(0, I) for every sequence: far from the posterior.
    // A variable holds its own reference to the initial data: the zeros tensors are freed by the tidy.
    [this.W, this.b, this.Lraw] = tf.tidy(() => [
      tf.variable(tf.zeros([T * (dx + du), n]), true, 'lgssm_vi/W'),
      tf.variable(tf.zeros([n]), true, 'lgssm_vi/b'),
      tf.variable(tf.zeros([n, n]), true, 'lgssm_vi/Lraw'),
    ]);
    this.optimizer = new Adam([this.W, this.b, this.Lraw], { lr: this.cfg.lr });
  }

  private L(): tf.Tensor {
    return tf.add(tf.mul(this.Lraw, this.lowerMask), tf.mul(tf.exp(this.Lraw), this.diagMask));
  }

  /** Inputs [x; u] flattened per sequence (float32), and the prior means m_p(u) (mean propagation). */
  private batchInputs(seqs: LgssmSequence[]): { inputs: tf.Tensor2D; priorMeans: tf.Tensor2D; obs: tf.Tensor2D } {
    const { dx, du } = this.dims;
    const T = this.cfg.seqLen;
    const N = seqs.length;
    const inputs = new Float32Array(N * T * (dx + du));
    const priorMeans = new Float32Array(N * this.n);
    const obs = new Float32Array(N * T * dx);
    const p = this.params;
    seqs.forEach((s, k) => {
      const len = checkSequence(p, s);
      if (len !== T)
        throw new RangeError(`LgssmGaussianVI: sequence ${k} has length ${len}, the model was built for seqLen=${T}`);
      priorMeans.set(priorMean(p, s), k * this.n);
      for (let t = 0; t < T; t++) {
        for (let i = 0; i < dx; i++)
          inputs[k * T * (dx + du) + t * dx + i] = obs[k * T * dx + t * dx + i] = s.obs[t][i];
        for (let i = 0; i < du; i++) inputs[k * T * (dx + du) + T * dx + t * du + i] = s.actions[t][i];
      }
    });
    return {
      inputs: tf.tensor2d(inputs, [N, T * (dx + du)]),
      priorMeans: tf.tensor2d(priorMeans, [N, this.n]),
      obs: tf.tensor2d(obs, [N, T * dx]),
    };
  }

  /**
   * The per-sequence ELBO terms, averaged over the batch (scalars):
   *     recon = E_q[log p(x | z)]   (reparameterized: z = μ + L ε, `samples` draws of ε)
   *     kl    = KL(N(μ, LLᵀ) ‖ N(m_p, Λ_p⁻¹)) = ½ [tr(Λ_p LLᵀ) + (m_p−μ)ᵀ Λ_p (m_p−μ) − n − log det Λ_p − 2 Σ log L_ii]
   */
  private elboTerms(seqs: LgssmSequence[], rng: Rng): { recon: tf.Scalar; kl: tf.Scalar } {
    const { inputs, priorMeans, obs } = this.batchInputs(seqs);
    const N = seqs.length;
    const S = this.cfg.samples;
    const eps = standardNormal(rng, [S, N, this.n]);
    const L = this.L();
    const mu = tf.add(tf.matMul(inputs, this.W), this.b);
    const z = tf.add(mu, tf.reshape(tf.matMul(tf.reshape(eps, [S * N, this.n]), tf.transpose(L)), [S, N, this.n]));
    const resid = tf.sub(obs, tf.reshape(tf.matMul(tf.reshape(z, [S * N, this.n]), this.Ht), [S, N, -1]));
    const white = tf.matMul(tf.reshape(resid, [S * N, -1]), this.whitenT);
    const recon = tf.add(tf.div(tf.mul(-0.5, tf.sum(tf.square(white))), S * N), this.logNormR) as tf.Scalar;
    const d = tf.sub(priorMeans, mu);
    const quad = tf.div(tf.sum(tf.mul(tf.matMul(d, this.priorPrecision), d)), N);
    const trace = tf.sum(tf.mul(tf.matMul(this.priorPrecision, L), L));
    const logDetS = tf.mul(2, tf.sum(tf.mul(this.Lraw, this.diagMask)));
    const kl = tf.mul(
      0.5,
      tf.sub(tf.add(trace, quad), tf.add(logDetS, this.n + this.priorLogDetPrecision)),
    ) as tf.Scalar;
    return { recon, kl };
  }

  /** One Adam step on −ELBO for a batch of sequences; returns the batch-mean terms as (undisposed) scalars. */
  trainStep(seqs: LgssmSequence[], rng: Rng): { elbo: tf.Scalar; recon: tf.Scalar; kl: tf.Scalar } {
    return tf.tidy(() => {
      let terms: { recon: tf.Scalar; kl: tf.Scalar } | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const { recon, kl } = this.elboTerms(seqs, rng);
        // Kept so they survive variableGrads' inner scope; the outer tidy returns them to the caller.
        terms = { recon: tf.keep(recon), kl: tf.keep(kl) };
        return tf.neg(tf.sub(terms.recon, terms.kl)) as tf.Scalar;
      }, [this.W, this.b, this.Lraw]);
      this.optimizer.step([grads[this.W.name], grads[this.b.name], grads[this.Lraw.name]]);
      const t = terms as unknown as { recon: tf.Scalar; kl: tf.Scalar };
      return { elbo: tf.neg(value) as tf.Scalar, recon: t.recon, kl: t.kl };
    });
  }

  /** q(z | x, u) for one sequence, in float64 (reads the parameters back). */
  posterior(seq: LgssmSequence): { mean: Vec; cov: Mat } {
    const { dx, du } = this.dims;
    const T = this.cfg.seqLen;
    const W = this.W.arraySync() as number[][];
    const b = this.b.arraySync() as number[];
    const L = tf.tidy(() => this.L().arraySync() as number[][]);
    const input = [...seq.obs.flat(), ...seq.actions.flat()];
    if (input.length !== T * (dx + du))
      throw new RangeError(`LgssmGaussianVI.posterior: sequence length must be seqLen=${T}`);
    const mean = b.map((bj, j) => input.reduce((acc, v, i) => acc + v * W[i][j], bj));
    const cov = L.map((ri) => L.map((rj) => ri.reduce((acc, v, k) => acc + v * rj[k], 0)));
    return { mean, cov };
  }

  /** Both sides of log p(x) − ELBO = KL(q ‖ p(z|x)), exactly, for one sequence. */
  exactCheck(seq: LgssmSequence): ExactCheck {
    const q = this.posterior(seq);
    const post = jointPosterior(this.params, seq);
    return {
      logLik: kalmanFilter(this.params, seq).logLik,
      elbo: gaussianElbo(this.params, seq, q, post),
      klToPosterior: gaussianKl(q, post),
    };
  }

  /** Frees the variational parameters. */
  dispose(): void {
    for (const t of [
      this.W,
      this.b,
      this.Lraw,
      this.priorPrecision,
      this.Ht,
      this.whitenT,
      this.lowerMask,
      this.diagMask,
    ])
      t.dispose();
    this.optimizer.dispose();
  }
}

function zeroActions(T: number, du: number): Vec[] {
  return Array.from({ length: T }, () => new Array(du).fill(0));
}

/** Random-action sequences from the LGSSM (actions uniform on [−1, 1]). */
export function sampleSequences(params: LgssmParams, count: number, T: number, rng: Rng): LgssmSequence[] {
  const { du } = lgssmDims(params);
  return Array.from({ length: count }, () => {
    const actions = Array.from({ length: T }, (_, t) =>
      Array.from({ length: du }, () => (t === 0 ? 0 : rng.uniformRange(-1, 1))),
    );
    return sampleLgssm(params, actions, rng).seq;
  });
}

/** The exact gap of q on held-out sequences: means, the smallest log p(x) − ELBO, and the identity's worst error. */
export interface HeldOutGap {
  /** Mean Kalman log p(x) per sequence. */
  logLik: number;
  /** Mean closed-form ELBO per sequence. */
  elbo: number;
  /** (log p(x) − ELBO) / |log p(x)| of the means. */
  relGap: number;
  /** min over sequences of log p(x) − ELBO (≥ 0 by Jensen). */
  minGap: number;
  /** max over sequences of |log p(x) − ELBO − KL(q ‖ p(z|x))| (0 up to rounding: the two paths agree). */
  identityError: number;
}

export function heldOutGap(vi: LgssmGaussianVI, held: readonly LgssmSequence[]): HeldOutGap {
  let logLik = 0;
  let elbo = 0;
  let minGap = Infinity;
  let identityError = 0;
  for (const seq of held) {
    const r = vi.exactCheck(seq);
    logLik += r.logLik / held.length;
    elbo += r.elbo / held.length;
    minGap = Math.min(minGap, r.logLik - r.elbo);
    identityError = Math.max(identityError, Math.abs(r.logLik - r.elbo - r.klToPosterior));
  }
  return { logLik, elbo, relGap: (logLik - elbo) / Math.abs(logLik), minGap, identityError };
}

/**
 * `vi.cfg.steps` gradient steps, each on a fresh batch from the model; returns the Monte Carlo ELBO of the first
 * and the last batch. `onStep(i)` runs after step i's tensors are freed (a test counts tensors there).
 */
export function fitLgssmVi(
  vi: LgssmGaussianVI,
  rng: Rng,
  onStep: (i: number) => void = () => {},
): { firstElbo: number; lastElbo: number } {
  let firstElbo = 0;
  let lastElbo = 0;
  for (let i = 0; i < vi.cfg.steps; i++) {
    const terms = vi.trainStep(sampleSequences(vi.params, vi.cfg.batchSize, vi.cfg.seqLen, rng), rng);
    if (i === 0) firstElbo = terms.elbo.dataSync()[0];
    if (i === vi.cfg.steps - 1) lastElbo = terms.elbo.dataSync()[0];
    tf.dispose([terms.elbo, terms.recon, terms.kl]);
    onStep(i);
  }
  return { firstElbo, lastElbo };
}
