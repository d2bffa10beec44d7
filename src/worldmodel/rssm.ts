/**
 * A small recurrent state-space model (RSSM, PlaNet/Dreamer style), trained by maximizing the ELBO.
 *
 *     deterministic path   h_t = GRU(h_{t−1}, [z_{t−1}, a_{t−1}])          (h_{−1} = 0, z_{−1} = 0)
 *     prior                p(z_t | h_t)        = N(μ_p(h_t), σ_p(h_t)²)
 *     posterior            q(z_t | h_t, o_t)   = N(μ_q(h_t, o_t), σ_q(h_t, o_t)²)   σ = softplus(·) + minStd
 *     decoder              p(o_t | h_t, z_t)   = N(dec(h_t, z_t), obsStd² I)
 *     reward head          p(r_t | h_t, z_t)   = N(rew(h_t, z_t), rewardStd²)
 *
 * Per sequence (o, a, r)_{0:T−1} (step t holds a_{t−1}, r_{t−1}: see `sequences.ts`), the ELBO is
 *
 *     ELBO = Σ_t E_q[ log p(o_t | h_t, z_t) + log p(r_t | h_t, z_t) ] − Σ_t KL( q(z_t | h_t, o_t) ‖ p(z_t | h_t) )
 *
 * with one reparameterized sample z_t = μ_q + σ_q·ε_t per step (ε from our seeded `Rng`, never tfjs's RNG)
 * and the diagonal-Gaussian KL in closed form. The loss is −ELBO averaged over the batch, with two options
 * from the literature, both off by default: free nats (DreamerV1: the batch-mean KL of a step below
 * `freeNats` is not penalized) and KL balancing (DreamerV2: the KL's gradient is split, a fraction
 * `klBalance` training the prior and 1 − `klBalance` the posterior, via stop-gradients; the KL's value is
 * unchanged). (The temperature α of the RL objectives is unrelated.)
 *
 * The networks are `src/nn` MLPs (flat parameters, fast on wasm); the GRU is DreamerV1's variant: one
 * linear layer on [x, h] (x = [z_{t−1}, a_{t−1}], no separate input embedding, to keep the per-step op
 * count low) gives reset, candidate and update parts; h' = u·tanh(r·c) + (1 − u)·h with u = σ(update − 1).
 * One Adam (with global-norm clipping) updates all networks.
 */
import * as tf from '@tensorflow/tfjs';
import { DiagGaussian, standardNormal } from '../core/distributions.js';
import type { Rng } from '../core/rng.js';
import { stopGradient } from '../core/tensor.js';
import { z } from 'zod';
import { configSchema, field, MAX_LAYER_WIDTH, resolveConfig } from '../core/config.js';
import { Adam, type AdamJson } from '../nn/adam.js';
import { Mlp } from '../nn/mlp.js';
import type { SequenceBatch } from './sequences.js';

/** The RSSM's config: latent and hidden sizes, the stds of its heads, and its training fields. */
export interface RssmConfig {
  /** Size of the deterministic recurrent state h_t. */
  deterDim: number;
  /** Size of the stochastic latent z_t. */
  stochDim: number;
  /** Width of the hidden layer of every MLP head (prior, posterior, decoder, reward). */
  hiddenDim: number;
  /** Lower bound added to the std of the prior and posterior (must be > 0). */
  minStd: number;
  /** Std of the Gaussian decoder p(o_t | h_t, z_t): fixed, or the start of the learned one (`learnObsStd`). */
  obsStd: number;
  /**
   * Learn the decoder std: one scalar log σ_d (every observation dimension), trained by the ELBO from log obsStd,
   * so the model picks its own trade-off between decoder noise and latent precision (false = fixed at obsStd).
   */
  learnObsStd: boolean;
  /** Fixed std of the Gaussian reward head p(r_t | h_t, z_t). */
  rewardStd: number;
  /** Weight β of the KL term in the loss (1 = the ELBO; the logged ELBO always uses 1). */
  klScale: number;
  /** Free nats per step: a batch-mean KL below this is not penalized (0 = off). */
  freeNats: number;
  /** KL balancing ∈ (0, 1): the fraction of the KL gradient that trains the prior (null = off, the plain KL). */
  klBalance: number | null;
  /** Adam learning rate. */
  lr: number;
  /** Clip the global gradient norm to this (0 = off). */
  clipNorm: number;
}

/** The schema of `RssmConfig`: field types and ranges with the defaults (one place). */
export const RSSM_SCHEMA = configSchema<RssmConfig>(
  'RssmConfig',
  {
    deterDim: field.range(
      `a positive integer ≤ ${MAX_LAYER_WIDTH}`,
      (x) => Number.isInteger(x) && x > 0 && x <= MAX_LAYER_WIDTH,
    ),
    stochDim: field.range(
      `a positive integer ≤ ${MAX_LAYER_WIDTH}`,
      (x) => Number.isInteger(x) && x > 0 && x <= MAX_LAYER_WIDTH,
    ),
    hiddenDim: field.range(
      `a positive integer ≤ ${MAX_LAYER_WIDTH}`,
      (x) => Number.isInteger(x) && x > 0 && x <= MAX_LAYER_WIDTH,
    ),
    minStd: field.positive(),
    obsStd: field.positive(),
    learnObsStd: field.boolean(),
    rewardStd: field.positive(),
    klScale: field.nonNegative(),
    freeNats: field.nonNegative(' (0 = off)'),
    klBalance: z.union([field.range('null (off) or a number in (0, 1)', (x) => x > 0 && x < 1), z.null()], {
      error: 'null (off) or a number in (0, 1)',
    }),
    lr: field.positive(),
    clipNorm: field.nonNegative(' (0 = off)'),
  },
  {
    deterDim: 64,
    stochDim: 8,
    hiddenDim: 64,
    minStd: 0.1,
    obsStd: 0.1,
    learnObsStd: false,
    rewardStd: 1,
    klScale: 1,
    freeNats: 0,
    klBalance: null,
    lr: 3e-3,
    clipNorm: 100,
  },
);

/** The RSSM config with every default. */
export const DEFAULT_RSSM_CONFIG: Readonly<RssmConfig> = RSSM_SCHEMA.defaults;

/** The sizes of the data the model is built for. */
export interface RssmDims {
  obsDim: number;
  actDim: number;
}

/** Batch means of the per-sequence ELBO and its terms (scalars, owned by the caller). */
export type ElboTerms = {
  elbo: tf.Scalar;
  /** Σ_t E_q[log p(o_t | h_t, z_t)]. */
  recon: tf.Scalar;
  /** Σ_t E_q[log p(r_t | h_t, z_t)]. */
  reward: tf.Scalar;
  /** Σ_t KL(q(z_t | h_t, o_t) ‖ p(z_t | h_t)). */
  kl: tf.Scalar;
};

/** Everything needed to rebuild the model and continue training bit-for-bit (JSON-serializable). */
export interface RssmState {
  version: 1;
  config: RssmConfig;
  dims: RssmDims;
  /** All network weights, in `Rssm.modules` order, flat. */
  weights: number[];
  adam: AdamJson;
}

/** Host-side outputs of a filtering pass (posterior means, no sampling), time-major `[T, B, ·]`. */
export interface ObserveResult {
  /** h_t, `T·B·deterDim`. */
  deter: Float32Array;
  /** μ_q(h_t, o_t), `T·B·stochDim`. */
  postMean: Float32Array;
  /** Decoded means dec(h_t, μ_q), `T·B·obsDim`. */
  recon: Float32Array;
}

const LOG_2PI = Math.log(2 * Math.PI);
/** tfjs variable names are global: each model's learned log σ_d gets its own. */
let variableId = 0;

/** A full config from `cfg` (missing fields take their defaults), checked by `RSSM_SCHEMA`. */
export function checkRssmConfig(cfg: unknown): RssmConfig {
  return resolveConfig(RSSM_SCHEMA, cfg);
}

/** The recurrent state-space model (deterministic + stochastic latent), trained by the ELBO. */
export class Rssm {
  readonly cfg: RssmConfig;
  private readonly gru: Mlp;
  private readonly priorNet: Mlp;
  private readonly postNet: Mlp;
  private readonly decoder: Mlp;
  private readonly rewardNet: Mlp;
  /** log σ_d when the decoder std is learned (`learnObsStd`), else null. */
  private readonly logObsStd: tf.Variable | null;
  private readonly optimizer: Adam;

  /** Weights are drawn from `rng` (seeded init). */
  constructor(
    readonly dims: RssmDims,
    cfg: Partial<RssmConfig>,
    rng: Rng,
  ) {
    this.cfg = checkRssmConfig(cfg);
    for (const k of ['obsDim', 'actDim'] as const) {
      if (!Number.isInteger(dims[k]) || dims[k] < 1)
        throw new RangeError(`RssmDims.${k}: must be a positive integer, got ${dims[k]}`);
    }
    const { deterDim: D, stochDim: S, hiddenDim: H } = this.cfg;
    const { obsDim: O, actDim: A } = dims;
    this.gru = new Mlp({ sizes: [S + A + D, 3 * D], name: 'rssm/gru' }, rng);
    this.priorNet = new Mlp({ sizes: [D, H, 2 * S], name: 'rssm/prior' }, rng);
    this.postNet = new Mlp({ sizes: [D + O, H, 2 * S], name: 'rssm/post' }, rng);
    this.decoder = new Mlp({ sizes: [D + S, H, O], name: 'rssm/decoder' }, rng);
    this.rewardNet = new Mlp({ sizes: [D + S, H, 1], name: 'rssm/reward' }, rng);
    const logObsStd = Math.log(this.cfg.obsStd);
    this.logObsStd = this.cfg.learnObsStd
      ? tf.tidy(() => tf.variable(tf.scalar(logObsStd), true, `rssm/logObsStd_${variableId++}`))
      : null;
    this.optimizer = new Adam(this.vars, { lr: this.cfg.lr, clipNorm: this.cfg.clipNorm });
  }

  /** The trained variables: every module's, then log σ_d if it is learned (the order of `getState().weights`). */
  private get vars(): tf.Variable[] {
    return [...this.modules.flatMap((m) => m.params), ...(this.logObsStd ? [this.logObsStd] : [])];
  }

  /** The decoder std σ_d: obsStd, or the learned value. */
  decoderStd(): number {
    return this.logObsStd ? Math.exp(this.logObsStd.dataSync()[0]) : this.cfg.obsStd;
  }

  get modules(): Mlp[] {
    return [this.gru, this.priorNet, this.postNet, this.decoder, this.rewardNet];
  }

  /** Rebuilds a model (weights and optimizer state) from `getState()`. */
  static fromState(state: RssmState, rng: Rng): Rssm {
    if (state?.version !== 1) throw new RangeError(`RssmState.version: expected 1, got ${String(state?.version)}`);
    const model = new Rssm(state.dims, state.config, rng);
    model.setState(state);
    return model;
  }

  /** h_t = GRU(h_{t−1}, [z_{t−1}, a_{t−1}]) (DreamerV1's cell). */
  private transition(h: tf.Tensor2D, z: tf.Tensor2D, a: tf.Tensor2D): tf.Tensor2D {
    const D = this.cfg.deterDim;
    const parts = this.gru.apply(tf.concat([z, a, h], 1) as tf.Tensor2D);
    const [reset, cand, update] = tf.split(parts, [D, D, D], 1);
    const u = tf.sigmoid(tf.sub(update, 1));
    const c = tf.tanh(tf.mul(tf.sigmoid(reset), cand));
    return tf.add(tf.mul(u, c), tf.mul(tf.sub(1, u), h)) as tf.Tensor2D;
  }

  /** A diagonal Gaussian from a head's output [mean, raw]: σ = softplus(raw) + minStd. */
  private gaussian(out: tf.Tensor): DiagGaussian {
    const S = this.cfg.stochDim;
    const [mean, raw] = tf.split(out, [S, S], -1);
    return new DiagGaussian(mean, tf.log(tf.add(tf.softplus(raw), this.cfg.minStd)));
  }

  private checkBatch(batch: SequenceBatch, where: string): void {
    if (typeof batch !== 'object' || batch === null)
      throw new RangeError(`${where}: batch must be a SequenceBatch, got ${String(batch)}`);
    const { T, B } = batch;
    if (!Number.isInteger(T) || T < 1 || !Number.isInteger(B) || B < 1)
      throw new RangeError(`${where}: T and B must be positive integers, got T=${T}, B=${B}`);
    if (batch.obsDim !== this.dims.obsDim)
      throw new RangeError(
        `${where}: batch.obsDim = ${batch.obsDim}, the model was built for obsDim = ${this.dims.obsDim}`,
      );
    if (batch.actDim !== this.dims.actDim)
      throw new RangeError(
        `${where}: batch.actDim = ${batch.actDim}, the model was built for actDim = ${this.dims.actDim}`,
      );
    for (const field of ['obs', 'prevActions', 'rewards'] as const) {
      const values: unknown = batch[field];
      if (!(values instanceof Float32Array))
        throw new RangeError(
          `${where}: batch.${field} must be a Float32Array, got ${values === null ? 'null' : typeof values}`,
        );
    }
    const sizes: [string, number, number][] = [
      ['obs', batch.obs.length, T * B * batch.obsDim],
      ['prevActions', batch.prevActions.length, T * B * batch.actDim],
      ['rewards', batch.rewards.length, T * B],
    ];
    for (const [field, got, want] of sizes) {
      if (got !== want)
        throw new RangeError(`${where}: batch.${field} has ${got} values, expected T·B·dim = ${want} (T=${T}, B=${B})`);
    }
    // One NaN or infinity would turn every weight into NaN at the next Adam step: refuse it before any work.
    for (const [field] of sizes) {
      const values = batch[field as 'obs' | 'prevActions' | 'rewards'];
      const dim = field === 'obs' ? batch.obsDim : field === 'prevActions' ? batch.actDim : 1;
      for (let i = 0; i < values.length; i++) {
        if (!Number.isFinite(values[i])) {
          const t = Math.floor(i / (B * dim));
          const b = Math.floor(i / dim) % B;
          throw new RangeError(
            `${where}: batch.${field}[${i}] (t=${t}, b=${b}) is ${values[i]}; every value must be finite`,
          );
        }
      }
    }
  }

  /**
   * The filter recurrence, from h_{−1} = 0 and z_{−1} = 0:  h_t = GRU(h_{t−1}, [z_{t−1}, a_{t−1}]),  z_t = latent(t, h_t)
   * (a posterior sample, a posterior mean or a prior mean). Returns every h_t and z_t.
   */
  private unroll(
    B: number,
    acts: tf.Tensor2D[],
    steps: number,
    latent: (t: number, h: tf.Tensor2D) => tf.Tensor2D,
  ): { hs: tf.Tensor2D[]; zs: tf.Tensor2D[] } {
    let h = tf.zeros([B, this.cfg.deterDim]) as tf.Tensor2D;
    let z = tf.zeros([B, this.cfg.stochDim]) as tf.Tensor2D;
    const hs: tf.Tensor2D[] = [];
    const zs: tf.Tensor2D[] = [];
    for (let t = 0; t < steps; t++) {
      h = this.transition(h, z, acts[t]);
      z = latent(t, h);
      hs.push(h);
      zs.push(z);
    }
    return { hs, zs };
  }

  /** The posterior head's output for (h_t, o_t). */
  private posteriorOut(h: tf.Tensor2D, o: tf.Tensor2D): tf.Tensor {
    return this.postNet.apply(tf.concat([h, o], 1) as tf.Tensor2D);
  }

  /** Time-major inputs as lists of `[B, dim]` tensors. */
  private inputs(batch: SequenceBatch): { obs: tf.Tensor2D[]; acts: tf.Tensor2D[] } {
    const { T, B, obsDim, actDim } = batch;
    return {
      obs: tf.unstack(tf.tensor3d(batch.obs, [T, B, obsDim])) as tf.Tensor2D[],
      acts: tf.unstack(tf.tensor3d(batch.prevActions, [T, B, actDim])) as tf.Tensor2D[],
    };
  }

  /**
   * The ELBO terms of a batch (inside the caller's tidy / gradient scope). `eps` (T, B, stochDim) are the
   * standard-normal draws of the reparameterized posterior samples.
   */
  private elboTerms(batch: SequenceBatch, eps: tf.Tensor): ElboTerms & { klLoss: tf.Scalar } {
    const { T, B } = batch;
    const { obsStd, rewardStd, freeNats, klBalance } = this.cfg;
    const { obs, acts } = this.inputs(batch);
    const noise = tf.unstack(eps) as tf.Tensor2D[];
    const postOuts: tf.Tensor[] = [];
    const { hs, zs } = this.unroll(B, acts, T, (t, h) => {
      const postOut = this.posteriorOut(h, obs[t]);
      postOuts.push(postOut);
      return this.gaussian(postOut).rsample(noise[t]) as tf.Tensor2D; // z_t = μ_q + σ_q·ε_t
    });
    const hAll = tf.concat(hs, 0) as tf.Tensor2D; // [T·B, D], row t·B + b
    const feat = tf.concat([hAll, tf.concat(zs, 0)], 1) as tf.Tensor2D;
    const post = this.gaussian(tf.concat(postOuts, 0));
    const prior = this.gaussian(this.priorNet.apply(hAll));
    const gaussLogLik = (x: tf.Tensor, mean: tf.Tensor, std: number) =>
      tf.sub(tf.mul(-0.5, tf.sum(tf.square(tf.div(tf.sub(x, mean), std)))), x.size * (Math.log(std) + 0.5 * LOG_2PI));
    // With a learned std: −½ Σ ((x − mean)/σ)² − n (log σ + ½ log 2π), differentiable in log σ.
    const learnedLogLik = (x: tf.Tensor, mean: tf.Tensor, logStd: tf.Tensor) =>
      tf.sub(
        tf.mul(-0.5, tf.sum(tf.square(tf.div(tf.sub(x, mean), tf.exp(logStd))))),
        tf.mul(x.size, tf.add(logStd, 0.5 * LOG_2PI)),
      );
    const obsTarget = tf.tensor2d(batch.obs, [T * B, batch.obsDim]);
    const obsMean = this.decoder.apply(feat);
    const recon = tf.div(
      this.logObsStd ? learnedLogLik(obsTarget, obsMean, this.logObsStd) : gaussLogLik(obsTarget, obsMean, obsStd),
      B,
    ) as tf.Scalar;
    const reward = tf.div(
      gaussLogLik(tf.tensor2d(batch.rewards, [T * B, 1]), this.rewardNet.apply(feat), rewardStd),
      B,
    ) as tf.Scalar;
    // KL per step, batch mean: [T].
    const klPerStep = (q: DiagGaussian, p: DiagGaussian) => tf.mean(tf.reshape(q.kl(p), [T, B]), 1);
    const kl = tf.sum(klPerStep(post, prior)) as tf.Scalar;
    const freed = (k: tf.Tensor) => tf.sum(freeNats > 0 ? tf.maximum(k, freeNats) : k);
    const sg = (d: DiagGaussian) => new DiagGaussian(stopGradient(d.mean), stopGradient(d.logStd));
    const klLoss = (
      klBalance === null
        ? freed(klPerStep(post, prior))
        : tf.add(
            tf.mul(klBalance, freed(klPerStep(sg(post), prior))),
            tf.mul(1 - klBalance, freed(klPerStep(post, sg(prior)))),
          )
    ) as tf.Scalar;
    // ELBO = Σ_t E_q[log p(o_t|h_t,z_t) + log p(r_t|h_t,z_t)] − Σ_t KL(q(z_t|h_t,o_t) ‖ p(z_t|h_t)), batch mean.
    const elbo = tf.sub(tf.add(recon, reward), kl) as tf.Scalar;
    return { elbo, recon, reward, kl, klLoss };
  }

  /** One Adam step on the loss −(recon + reward) + klScale·KL (see the options); returns the batch-mean terms. */
  trainStep(batch: SequenceBatch, rng: Rng): ElboTerms {
    this.checkBatch(batch, 'Rssm.trainStep');
    const vars = this.vars;
    return tf.tidy(() => {
      const eps = standardNormal(rng, [batch.T, batch.B, this.cfg.stochDim]);
      let kept: ElboTerms | null = null;
      const { grads } = tf.variableGrads(() => {
        const terms = this.elboTerms(batch, eps);
        kept = {
          elbo: tf.keep(terms.elbo),
          recon: tf.keep(terms.recon),
          reward: tf.keep(terms.reward),
          kl: tf.keep(terms.kl),
        };
        return this.loss(terms);
      }, vars);
      this.optimizer.step(vars.map((v) => grads[v.name]));
      return kept as unknown as ElboTerms;
    });
  }

  /** The training loss −(recon + reward) + klScale·KL-loss (free nats and balancing inside `klLoss`). */
  private loss(terms: ElboTerms & { klLoss: tf.Scalar }): tf.Scalar {
    return tf.add(tf.neg(tf.add(terms.recon, terms.reward)), tf.mul(this.cfg.klScale, terms.klLoss)) as tf.Scalar;
  }

  /**
   * The ELBO terms and the loss's gradient per module (host arrays, `modules` order, then log σ_d's if learned) for posterior noise
   * `eps` (T·B·stochDim, time-major): tfjs autodiff, the reference the host-tape RSSM is checked against.
   */
  lossAndGradient(
    batch: SequenceBatch,
    eps: Float32Array,
  ): { terms: Record<keyof ElboTerms, number>; grads: Float32Array[] } {
    this.checkBatch(batch, 'Rssm.lossAndGradient');
    const vars = this.vars;
    const [values, ...grads] = tf.tidy(() => {
      let kept: tf.Tensor | null = null;
      const { grads } = tf.variableGrads(() => {
        const terms = this.elboTerms(batch, tf.tensor3d(eps, [batch.T, batch.B, this.cfg.stochDim]));
        kept = tf.keep(tf.stack([terms.elbo, terms.recon, terms.reward, terms.kl]));
        return this.loss(terms);
      }, vars);
      return [kept as unknown as tf.Tensor, ...vars.map((v) => grads[v.name])];
    });
    const [elbo, recon, reward, kl] = values.dataSync();
    const out = { terms: { elbo, recon, reward, kl }, grads: grads.map((g) => g.dataSync() as Float32Array) };
    tf.dispose([values, ...grads]);
    return out;
  }

  /** The ELBO terms of a batch without updating (batch means, caller disposes). */
  evaluate(batch: SequenceBatch, rng: Rng): ElboTerms {
    this.checkBatch(batch, 'Rssm.evaluate');
    const [elbo, recon, reward, kl] = tf.tidy(() => {
      const t = this.elboTerms(batch, standardNormal(rng, [batch.T, batch.B, this.cfg.stochDim]));
      return [t.elbo, t.recon, t.reward, t.kl];
    }) as tf.Scalar[];
    return { elbo, recon, reward, kl };
  }

  /** Sets Adam's learning rate (a schedule; `cfg.lr` is the first value). */
  setLearningRate(lr: number): void {
    this.optimizer.lr = lr;
  }

  /** Filters a batch with the posterior (means, no sampling) and reads h_t, μ_q and reconstructions back. */
  observe(batch: SequenceBatch): ObserveResult {
    this.checkBatch(batch, 'Rssm.observe');
    const out = tf.tidy(() => {
      const { obs, acts } = this.inputs(batch);
      const { hs, zs } = this.unroll(
        batch.B,
        acts,
        batch.T,
        (t, h) => this.gaussian(this.posteriorOut(h, obs[t])).mean as tf.Tensor2D,
      );
      const hAll = tf.concat(hs, 0);
      const zAll = tf.concat(zs, 0);
      return [hAll, zAll, this.decoder.apply(tf.concat([hAll, zAll], 1) as tf.Tensor2D)];
    });
    const [deter, postMean, recon] = out.map((t) => t.dataSync() as Float32Array);
    tf.dispose(out);
    return { deter, postMean, recon };
  }

  /**
   * Open-loop imagination: filter the first `context` steps with the posterior (means), then roll the prior
   * (means) forward under the batch's actions for `horizon` steps and decode. Returns the predicted
   * observations for steps `context … context + horizon − 1`, time-major `horizon·B·obsDim`.
   */
  imagine(batch: SequenceBatch, context: number, horizon: number): Float32Array {
    this.checkBatch(batch, 'Rssm.imagine');
    if (!Number.isInteger(context) || context < 1)
      throw new RangeError(`Rssm.imagine: context must be a positive integer, got ${context}`);
    if (!Number.isInteger(horizon) || horizon < 1 || context + horizon > batch.T) {
      throw new RangeError(
        `Rssm.imagine: horizon must be a positive integer with context + horizon ≤ T = ${batch.T}, got context=${context}, horizon=${horizon}`,
      );
    }
    const pred = tf.tidy(() => {
      const { obs, acts } = this.inputs(batch);
      const { hs, zs } = this.unroll(
        batch.B,
        acts,
        context + horizon,
        (t, h) =>
          this.gaussian(t < context ? this.posteriorOut(h, obs[t]) : this.priorNet.apply(h)).mean as tf.Tensor2D,
      );
      const decoded = hs
        .slice(context)
        .map((h, i) => this.decoder.apply(tf.concat([h, zs[context + i]], 1) as tf.Tensor2D));
      return tf.concat(decoded, 0);
    });
    const out = pred.dataSync() as Float32Array;
    pred.dispose();
    return out;
  }

  /** The model's weights and optimizer state, for checkpoints. */
  getState(): RssmState {
    return {
      version: 1,
      config: { ...this.cfg },
      dims: { ...this.dims },
      weights: [
        ...this.modules.flatMap((m) => Array.from(m.getWeights())),
        ...(this.logObsStd ? [this.logObsStd.dataSync()[0]] : []),
      ],
      adam: this.optimizer.toJSON(),
    };
  }

  /** Loads weights and optimizer state; the config and dims must match this model's. */
  setState(state: RssmState): void {
    for (const k of Object.keys(this.dims) as (keyof RssmDims)[]) {
      if (state.dims[k] !== this.dims[k])
        throw new RangeError(`RssmState.dims.${k}: ${state.dims[k]} does not match the model's ${this.dims[k]}`);
    }
    for (const k of ['deterDim', 'stochDim', 'hiddenDim'] as const) {
      if (state.config[k] !== this.cfg[k])
        throw new RangeError(`RssmState.config.${k}: ${state.config[k]} does not match the model's ${this.cfg[k]}`);
    }
    if ((state.config.learnObsStd ?? false) !== this.cfg.learnObsStd)
      throw new RangeError(
        `RssmState.config.learnObsStd: ${state.config.learnObsStd} does not match the model's ${this.cfg.learnObsStd}`,
      );
    const total = this.modules.reduce((s, m) => s + m.numParams, 0) + (this.logObsStd ? 1 : 0);
    if (state.weights.length !== total)
      throw new RangeError(`RssmState.weights: has ${state.weights.length} values, expected ${total}`);
    let off = 0;
    for (const m of this.modules) {
      m.setWeights(Float32Array.from(state.weights.slice(off, off + m.numParams)));
      off += m.numParams;
    }
    this.logObsStd?.assign(tf.scalar(state.weights[off]));
    this.optimizer.fromJSON(state.adam);
  }

  /** Frees the weights. */
  dispose(): void {
    for (const m of this.modules) m.dispose();
    this.logObsStd?.dispose();
    this.optimizer.dispose();
  }
}
