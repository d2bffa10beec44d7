/**
 * A Dreamer-style agent: a world model trained by the ELBO, and an actor and a critic trained purely on
 * imagined latent rollouts, under the project's one objective.
 *
 *     world model   the RSSM (src/worldmodel/rssm.ts, on the host tape: tape-rssm.ts), one ELBO step a train step
 *     imagination   from N posterior states s₀ = (h, z) of the replayed batch, for t = 0 … H−1:
 *                   a_t ~ π(·|s_t) (tanh-Gaussian, reparameterized), h_{t+1} = GRU(h_t, [z_t, a_t]),
 *                   z_{t+1} ~ p(z | h_{t+1}), r̂_t = rew(s_{t+1}), v_{t+1} = v̄(s_{t+1})  (v̄: the slow critic)
 *     soft reward   r̃_t = r̂_t − α·(log π(a_t|s_t) − log p(a_t|x̂_t))        x̂_t = dec(s_t): the prior reads
 *                   the decoded observation, as it reads the env's (its log p and ∂/∂a from the prior itself)
 *     λ-return      R_{H−1} = r̃_{H−1} + γ v_H,   R_t = r̃_t + γ((1 − λ) v_{t+1} + λ R_{t+1})
 *     actor         maximize mean_{t,n} R_t / S: gradients through the return into the imagined dynamics
 *                   (the world model's and the slow critic's weights held fixed), S = max(1, P95 − P5) of
 *                   the returns, an EMA (DreamerV3's return normalization)
 *     critic        v(s) = symexp(f(s)); minimize ½ mean (f(s_t) − symlog(sg R_t))²; the slow critic v̄ an EMA
 *     temperature   fixed, or learned toward the Objective's target KL (as SAC's: ∂/∂log α = target − KL̄)
 *
 * So the agent maximizes E[Σ_t γ^t (r_t − α·KL(π(·|s_t) ‖ p(·|s_t)))] in imagination, the project's
 * template: the uniform prior gives the entropy-regularized agent (KL(π‖U) = −H(π) + log|A|), a reference
 * prior a KL to a controller or a saved agent, `none` α = 0.
 *
 * DreamerV3 (Hafner et al. 2023) is the reference; the deviations and why:
 * - Continuous actions take the dynamics (reparameterized) gradient through the model (DreamerV1/V2's
 *   choice for continuous control), not REINFORCE: lower variance at our small budgets.
 * - The regularizer is in the return (a soft return, as SAC's soft value) instead of an entropy bonus on the
 *   actor loss alone: the objective is the discounted KL-regularized return, whose exact optimum (soft LQG,
 *   `src/agents/exact`) counts the KL of later steps too. DreamerV3's entropy scale η = 3·10⁻⁴ on returns
 *   divided by S corresponds to α = η·S in reward units.
 * - Gaussian latents (DreamerV1's) instead of 32×32 categoricals; a scalar critic on symlog targets instead
 *   of twohot bins; the slow critic bootstraps the return (DreamerV2) instead of regularizing the critic;
 *   no continue head (the envs here end by truncation only); small networks (64 units), sized for a CPU.
 * - Imagination starts from `imagineStarts` posterior states drawn from the batch, not all of them.
 * - `modelWarmup` world-model-only steps may precede the first actor step (DreamerV1's pretraining; V3 has
 *   none, so the default is 0): on LinearGaussian-v0 an actor trained on a model fitted to one batch learns a
 *   wrong-signed gain and its real loop diverges (docs/dreamer.md).
 * - `actionNoise` adds Gaussian noise to the collecting actor's actions (DreamerV1's exploration noise; V3
 *   has none, so the default is 0): on LinearGaussian-v0 the agent's own closed-loop data leave the force's
 *   effect unidentified once the random prefill is out of the replay (docs/dreamer.md).
 */
import * as tf from '@tensorflow/tfjs';
import { configSchema, field, MAX_BUFFER_SIZE, MAX_LAYER_WIDTH } from '../../core/config.js';
import type { Rng } from '../../core/rng.js';
import type { AdamJson } from '../../nn/adam.js';
import { HostAdam } from '../../nn/host-adam.js';
import { initialWeights } from '../../nn/init.js';
import { frozen, type Net, type Node, Tape, trainableNet } from '../../nn/tape.js';
import type { BoxPrior } from '../../priors/prior.js';
import type { Objective } from '../../priors/objective.js';
import { RSSM_SCHEMA, type RssmState } from '../../worldmodel/rssm.js';
import type { SequenceBatch } from '../../worldmodel/sequences.js';
import { TapeRssm } from '../../worldmodel/tape-rssm.js';

/** The agent's config: the world model, imagination, the actor and critic, and the schedule. */
export interface DreamerConfig {
  /** Size of the deterministic state h. */
  deterDim: number;
  /** Size of the stochastic latent z. */
  stochDim: number;
  /** Hidden width of the world model's heads. */
  hiddenDim: number;
  /** Lower bound of the latent stds. */
  minStd: number;
  /** Std of the decoder p(o | s) (a weight on the reconstruction term): fixed, or the start of the learned one. */
  obsStd: number;
  /** Learn the decoder std by the ELBO from obsStd (the RSSM's `learnObsStd`; false = fixed). */
  learnObsStd: boolean;
  /** Fixed std of the reward head p(r | s). */
  rewardStd: number;
  /** Free nats per step of the world model's KL (0 = off). */
  freeNats: number;
  /** World-model learning rate. */
  modelLr: number;
  /** Hidden widths of the actor and of the critic. */
  actorHidden: number[];
  criticHidden: number[];
  actorLr: number;
  criticLr: number;
  /** Learning rate of log α when α is learned. */
  alphaLr: number;
  /** Global-norm gradient clip of each network (0 = off). */
  clipNorm: number;
  /** Sequences per batch and their length. */
  batchSize: number;
  seqLen: number;
  /** Imagination horizon H, discount γ and λ of the λ-return. */
  horizon: number;
  gamma: number;
  lambda: number;
  /** Posterior states imagination starts from, drawn from the batch's T·B. */
  imagineStarts: number;
  /** Slow critic: v̄ ← decay·v̄ + (1 − decay)·v after every train step. */
  slowCriticDecay: number;
  /** Decay of the EMAs of the returns' 5th and 95th percentiles. */
  returnNormDecay: number;
  /** Environment steps with uniform random actions before training starts. */
  prefill: number;
  /** World-model-only train steps on the prefill's data before the first full train step (0 = none). */
  modelWarmup: number;
  /** Std of Gaussian noise added to the actor's sampled actions while collecting (clipped to the bounds; 0 = none). */
  actionNoise: number;
  /** Environment steps per train step (DreamerV3's train ratio is batchSize·seqLen / trainEvery). */
  trainEvery: number;
  /** Environment steps the replay keeps (oldest episodes dropped). */
  bufferSize: number;
}

export const DREAMER_SCHEMA = configSchema<DreamerConfig>(
  'DreamerConfig',
  {
    // The world model's fields are the RSSM's own (one validator each, with its messages).
    deterDim: RSSM_SCHEMA.shape.deterDim,
    stochDim: RSSM_SCHEMA.shape.stochDim,
    hiddenDim: RSSM_SCHEMA.shape.hiddenDim,
    minStd: RSSM_SCHEMA.shape.minStd,
    obsStd: RSSM_SCHEMA.shape.obsStd,
    learnObsStd: RSSM_SCHEMA.shape.learnObsStd,
    rewardStd: RSSM_SCHEMA.shape.rewardStd,
    freeNats: RSSM_SCHEMA.shape.freeNats,
    modelLr: RSSM_SCHEMA.shape.lr,
    actorHidden: field.widths(1, 8, MAX_LAYER_WIDTH),
    criticHidden: field.widths(1, 8, MAX_LAYER_WIDTH),
    actorLr: field.positive(),
    criticLr: field.positive(),
    alphaLr: field.positive(),
    clipNorm: field.nonNegative(' (0 = off)'),
    batchSize: field.positiveInt(),
    seqLen: field.range('an integer ≥ 2', (x) => Number.isInteger(x) && x >= 2),
    horizon: field.positiveInt(),
    gamma: field.unit(),
    lambda: field.unit(),
    imagineStarts: field.positiveInt(),
    slowCriticDecay: field.range('a number in [0, 1)', (x) => x >= 0 && x < 1),
    returnNormDecay: field.range('a number in [0, 1)', (x) => x >= 0 && x < 1),
    prefill: field.nonNegativeInt(),
    modelWarmup: field.nonNegativeInt(),
    actionNoise: field.nonNegative(' (0 = none)'),
    trainEvery: field.positiveInt(),
    bufferSize: field.range(
      `a positive integer ≤ ${MAX_BUFFER_SIZE}`,
      (x) => Number.isInteger(x) && x > 0 && x <= MAX_BUFFER_SIZE,
    ),
  },
  {
    deterDim: 64,
    stochDim: 8,
    hiddenDim: 64,
    minStd: 0.1,
    obsStd: 0.1,
    learnObsStd: false,
    rewardStd: 1,
    freeNats: 0,
    modelLr: 1e-3,
    actorHidden: [64, 64],
    criticHidden: [64, 64],
    actorLr: 1e-3,
    criticLr: 1e-3,
    alphaLr: 1e-3,
    clipNorm: 100,
    batchSize: 16,
    seqLen: 32,
    horizon: 15,
    gamma: 0.99,
    lambda: 0.95,
    imagineStarts: 64,
    slowCriticDecay: 0.98,
    returnNormDecay: 0.99,
    prefill: 1000,
    modelWarmup: 0,
    actionNoise: 0,
    trainEvery: 5,
    bufferSize: 1_000_000,
  },
  (c) =>
    c.imagineStarts > c.batchSize * c.seqLen
      ? { field: 'imagineStarts', allowed: `at most batchSize·seqLen = ${c.batchSize * c.seqLen}` }
      : null,
);

/** The actor's log σ range (in the pre-squash space): log σ = min + (max − min)·sigmoid(r). */
export const LOG_STD_RANGE = [-5, 2] as const;

const symlog = (x: number) => Math.sign(x) * Math.log1p(Math.abs(x));

/** Everything needed to continue training exactly (typed arrays stay typed in checkpoints). */
export interface DreamerState {
  version: 1;
  model: RssmState;
  actor: Float32Array;
  critic: Float32Array;
  slowCritic: Float32Array;
  actorAdam: AdamJson;
  criticAdam: AdamJson;
  logAlpha: number;
  alphaAdam: AdamJson;
  returnRange: { lo: number; hi: number; seen: boolean };
  updates: number;
}

/** The recurrent state of one episode being acted in: h, z and the previous action. */
interface Memory {
  h: Float32Array;
  z: Float32Array;
  a: Float32Array;
}

/** The scalars of one train step. */
export type DreamerScalars = Record<string, number>;

export class DreamerAgent {
  readonly model: TapeRssm;
  readonly actor: Net;
  readonly critic: Net;
  private readonly slowCritic: Float32Array;
  private readonly actorAdam: HostAdam;
  private readonly criticAdam: HostAdam;
  private readonly logAlpha = new Float32Array(1);
  private readonly alphaGrad = new Float32Array(1);
  private readonly alphaAdam: HostAdam;
  private returnRange = { lo: 0, hi: 0, seen: false };
  updates = 0;
  private readonly memories = new Map<number, Memory>();
  readonly lo: Float32Array;
  readonly hi: Float32Array;

  constructor(
    readonly dims: { obsDim: number; actDim: number },
    bounds: { low: ArrayLike<number>; high: ArrayLike<number> },
    readonly cfg: DreamerConfig,
    readonly objective: Objective,
    rng: Rng,
  ) {
    this.lo = Float32Array.from(bounds.low);
    this.hi = Float32Array.from(bounds.high);
    const { deterDim, stochDim, hiddenDim, minStd, obsStd, learnObsStd, rewardStd, freeNats, modelLr, clipNorm } = cfg;
    this.model = new TapeRssm(
      dims,
      { deterDim, stochDim, hiddenDim, minStd, obsStd, learnObsStd, rewardStd, freeNats, lr: modelLr, clipNorm },
      rng,
    );
    const F = this.model.featDim;
    const actorSizes = [F, ...cfg.actorHidden, 2 * dims.actDim];
    const criticSizes = [F, ...cfg.criticHidden, 1];
    // The output layers start small (a near-zero mean action, a near-zero value), as DreamerV3's.
    this.actor = trainableNet(actorSizes, initialWeights(actorSizes, 1, 0.01, rng));
    this.critic = trainableNet(criticSizes, initialWeights(criticSizes, 1, 0.01, rng));
    this.slowCritic = Float32Array.from(this.critic.weights);
    this.actorAdam = new HostAdam([this.actor.weights], [this.actor.grad!], { lr: cfg.actorLr, clipNorm });
    this.criticAdam = new HostAdam([this.critic.weights], [this.critic.grad!], { lr: cfg.criticLr, clipNorm });
    this.logAlpha[0] = Math.log(Math.max(objective.alpha, 1e-8));
    this.alphaAdam = new HostAdam([this.logAlpha], [this.alphaGrad], { lr: cfg.alphaLr });
  }

  /** The temperature now: the Objective's fixed α, or the learned one. */
  get alpha(): number {
    return this.objective.targetKl === null ? this.objective.alpha : Math.exp(this.logAlpha[0]);
  }

  private get prior(): BoxPrior {
    return this.objective.prior as BoxPrior;
  }

  // ───────────────────────────────────────────────────────────────────── acting
  /** Forgets the recurrent state of `slot` (an episode starts there). */
  begin(slot: number): void {
    this.memories.delete(slot);
  }

  private memory(slot: number): Memory {
    let m = this.memories.get(slot);
    if (!m) {
      m = {
        h: new Float32Array(this.cfg.deterDim),
        z: new Float32Array(this.cfg.stochDim),
        a: new Float32Array(this.dims.actDim),
      };
      this.memories.set(slot, m);
    }
    return m;
  }

  /**
   * Actions for rows of observations `[n, obsDim]`, row i continuing the episode in `slots[i]` (null: each
   * row an episode's first step, nothing kept): the filter step with the posterior mean, then the actor's
   * mode (`rng` null) or a sample, plus `noise`·N(0, 1) clipped to the bounds when sampled (what the filter
   * keeps is the action returned).
   */
  act(obs: Float32Array, slots: readonly number[] | null, rng: Rng | null, noise = 0): Float32Array {
    const n = obs.length / this.dims.obsDim;
    const { deterDim: D, stochDim: S } = this.cfg;
    const A = this.dims.actDim;
    const h = new Float32Array(n * D);
    const z = new Float32Array(n * S);
    const a = new Float32Array(n * A);
    const mems = slots ? slots.map((s) => this.memory(s)) : [];
    mems.forEach((m, i) => {
      h.set(m.h, i * D);
      z.set(m.z, i * S);
      a.set(m.a, i * A);
    });
    const next = this.model.filterStep(h, z, a, obs, n, null);
    const tape = new Tape();
    const feat = this.model.features(tape, tape.constant(next.h, n, D), tape.constant(next.z, n, S));
    const out = tape.mlp(feat, this.actor).value;
    const actions = new Float32Array(n * A);
    if (rng === null) {
      for (let i = 0; i < n; i++)
        for (let j = 0; j < A; j++) {
          const half = (this.hi[j] - this.lo[j]) / 2;
          actions[i * A + j] = this.lo[j] + half * (Math.tanh(out[i * 2 * A + j]) + 1);
        }
    } else {
      const eps = Float32Array.from({ length: n * A }, () => rng.normal());
      actions.set(tape.tanhGaussian(tape.constant(out, n, 2 * A), eps, this.lo, this.hi, LOG_STD_RANGE).action.value);
      if (noise > 0)
        for (let k = 0; k < n * A; k++)
          actions[k] = Math.min(this.hi[k % A], Math.max(this.lo[k % A], actions[k] + noise * rng.normal()));
    }
    mems.forEach((m, i) => {
      m.h = next.h.slice(i * D, (i + 1) * D);
      m.z = next.z.slice(i * S, (i + 1) * S);
      m.a = actions.slice(i * A, (i + 1) * A);
    });
    return actions;
  }

  /**
   * The actor at n states (h, z) `[n, ·]`: its mode, and the mean and std of its squashed action from
   * `draws` samples per row (each `[n, actDim]`); what the evaluation compares with an exact policy.
   */
  actionMoments(
    h: Float32Array,
    z: Float32Array,
    n: number,
    rng: Rng,
    draws: number,
  ): { mode: Float32Array; mean: Float32Array; std: Float32Array } {
    const { deterDim: D, stochDim: S } = this.cfg;
    const A = this.dims.actDim;
    const tape = new Tape();
    const out = tape.constant(
      tape.mlp(this.model.features(tape, tape.constant(h, n, D), tape.constant(z, n, S)), this.actor).value,
      n,
      2 * A,
    );
    const squash = (eps: Float32Array) => tape.tanhGaussian(out, eps, this.lo, this.hi, LOG_STD_RANGE).action.value;
    const sum = new Float64Array(n * A);
    const sq = new Float64Array(n * A);
    for (let d = 0; d < draws; d++) {
      const a = squash(Float32Array.from({ length: n * A }, () => rng.normal()));
      a.forEach((v, k) => {
        sum[k] += v;
        sq[k] += v * v;
      });
    }
    const mean = Float32Array.from(sum, (s) => s / draws);
    const std = Float32Array.from(sq, (s, k) =>
      Math.sqrt(Math.max(0, s / draws - mean[k] ** 2) * (draws / (draws - 1))),
    );
    return { mode: squash(new Float32Array(n * A)), mean, std };
  }

  /**
   * log π(a | h, z) of n states and actions `[n, actDim]` strictly inside the bounds: the ε that the actor
   * would squash into a, through the same density the actor samples with.
   */
  logProb(h: Float32Array, z: Float32Array, n: number, actions: Float32Array): Float32Array {
    const { deterDim: D, stochDim: S } = this.cfg;
    const A = this.dims.actDim;
    const tape = new Tape();
    const out = tape.mlp(this.model.features(tape, tape.constant(h, n, D), tape.constant(z, n, S)), this.actor);
    const [lmin, lmax] = LOG_STD_RANGE;
    const eps = new Float32Array(n * A);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < A; j++) {
        const half = (this.hi[j] - this.lo[j]) / 2;
        const u = Math.atanh((actions[i * A + j] - this.lo[j]) / half - 1);
        const logStd = lmin + (lmax - lmin) / (1 + Math.exp(-out.value[i * 2 * A + A + j]));
        eps[i * A + j] = (u - out.value[i * 2 * A + j]) / Math.exp(logStd);
      }
    return tape.tanhGaussian(out, eps, this.lo, this.hi, LOG_STD_RANGE).logProb.value;
  }

  /** The filtered state (h, z) of the episode in `slot` after its latest `act` (copies). */
  latent(slot: number): { h: Float32Array; z: Float32Array } {
    const m = this.memory(slot);
    return { h: m.h.slice(), z: m.z.slice() };
  }

  /** The decoder's mean observation of one state (h, z). */
  decode(h: Float32Array, z: Float32Array): number[] {
    const tape = new Tape();
    const feat = this.model.features(
      tape,
      tape.constant(h, 1, this.cfg.deterDim),
      tape.constant(z, 1, this.cfg.stochDim),
    );
    return Array.from(tape.mlp(feat, this.model.nets.decoder).value);
  }

  /** The critic's soft value v(s) = symexp(f(h, z)) of n states. */
  value(h: Float32Array, z: Float32Array, n: number): Float32Array {
    return this.atStates(h, z, n, (tape, feat) => tape.symexp(tape.mlp(feat, this.critic)));
  }

  /** The reward head's mean r̂(h, z) of n states: the reward of the step that led to each. */
  predictedReward(h: Float32Array, z: Float32Array, n: number): Float32Array {
    return this.atStates(h, z, n, (tape, feat) => tape.mlp(feat, this.model.nets.reward));
  }

  /** `head` of the features of n states (h, z), forward only. */
  private atStates(h: Float32Array, z: Float32Array, n: number, head: (tape: Tape, feat: Node) => Node): Float32Array {
    const tape = new Tape();
    const feat = this.model.features(
      tape,
      tape.constant(h, n, this.cfg.deterDim),
      tape.constant(z, n, this.cfg.stochDim),
    );
    return head(tape, feat).value;
  }

  /**
   * What the agent imagines from one state (h, z): `steps` steps of the actor's mode and the prior's mean,
   * with the decoded observations, the predicted rewards and the actions (row t is step t + 1's).
   */
  dream(h: Float32Array, z: Float32Array, steps: number): { obs: number[][]; rewards: number[]; actions: number[][] } {
    const { deterDim: D, stochDim: S } = this.cfg;
    const A = this.dims.actDim;
    const tape = new Tape();
    let hn = tape.constant(h, 1, D);
    let zn = tape.constant(z, 1, S);
    const out = { obs: [] as number[][], rewards: [] as number[], actions: [] as number[][] };
    for (let t = 0; t < steps; t++) {
      const o = tape.mlp(this.model.features(tape, hn, zn), this.actor).value;
      const a = tape.constant(
        Float32Array.from(
          { length: A },
          (_, j) => this.lo[j] + ((this.hi[j] - this.lo[j]) / 2) * (Math.tanh(o[j]) + 1),
        ),
        1,
        A,
      );
      hn = this.model.transition(tape, this.model.nets, hn, zn, a);
      zn = this.model.prior(tape, this.model.nets, hn).mean;
      const feat = this.model.features(tape, hn, zn);
      out.obs.push(Array.from(tape.mlp(feat, this.model.nets.decoder).value));
      out.rewards.push(tape.mlp(feat, this.model.nets.reward).value[0]);
      out.actions.push(Array.from(a.value));
    }
    return out;
  }

  /**
   * Mean entropy (one-sample Monte Carlo, −log π) and KL(π ‖ p) (E[log π − log p]) over rows of observations,
   * each filtered from a fresh state (one step): what the policy does at those observations.
   */
  stats(obs: Float32Array, n: number, rng: Rng, prior: BoxPrior = this.prior): { entropy: number; kl: number } {
    const { deterDim: D, stochDim: S } = this.cfg;
    const A = this.dims.actDim;
    const s = this.model.filterStep(
      new Float32Array(n * D),
      new Float32Array(n * S),
      new Float32Array(n * A),
      obs,
      n,
      null,
    );
    const tape = new Tape();
    const out = tape.mlp(this.model.features(tape, tape.constant(s.h, n, D), tape.constant(s.z, n, S)), this.actor);
    const eps = Float32Array.from({ length: n * A }, () => rng.normal());
    const { action, logProb } = tape.tanhGaussian(out, eps, this.lo, this.hi, LOG_STD_RANGE);
    const logP = priorLogProb(prior, obs, action.value, n, this.dims).values;
    let h = 0;
    let kl = 0;
    for (let i = 0; i < n; i++) {
      h -= logProb.value[i];
      kl += logProb.value[i] - logP[i];
    }
    return { entropy: h / n, kl: kl / n };
  }

  // ───────────────────────────────────────────────────────────────────── training
  /** One train step: the world model's ELBO step, then the actor and critic on imagined rollouts. */
  train(batch: SequenceBatch, rng: { noise: Rng; imagine: Rng }): DreamerScalars {
    const { terms, states } = this.model.trainStep(batch, rng.noise);
    const { deterDim: D, stochDim: S } = this.cfg;
    const N = this.cfg.imagineStarts;
    // N distinct starts from the batch's posterior states (a partial Fisher–Yates shuffle).
    const order = Int32Array.from({ length: states.n }, (_, i) => i);
    const h0 = new Float32Array(N * D);
    const z0 = new Float32Array(N * S);
    for (let i = 0; i < N; i++) {
      const j = i + rng.imagine.integer(states.n - i);
      [order[i], order[j]] = [order[j], order[i]];
      h0.set(states.deter.subarray(order[i] * D, (order[i] + 1) * D), i * D);
      z0.set(states.stoch.subarray(order[i] * S, (order[i] + 1) * S), i * S);
    }
    const im = this.imagination(h0, z0, N, rng.imagine, (returns) => {
      this.updateReturnRange(returns);
      return this.returnScale;
    });
    this.actorAdam.step();
    const critic = this.trainCritic(im.feats, im.returns);
    let alphaLoss = 0;
    if (this.objective.targetKl !== null) {
      this.alphaGrad[0] = this.objective.targetKl - im.kl;
      alphaLoss = this.logAlpha[0] * this.alphaGrad[0];
      this.alphaAdam.step();
    }
    const tau = this.cfg.slowCriticDecay;
    const w = this.critic.weights;
    for (let i = 0; i < w.length; i++) this.slowCritic[i] = tau * this.slowCritic[i] + (1 - tau) * w[i];
    this.updates += 1;
    return {
      'elbo/total': terms.elbo,
      'elbo/recon': terms.recon,
      'elbo/reward': terms.reward,
      'elbo/kl': terms.kl,
      'losses/actor': im.actorLoss,
      'losses/critic': critic,
      'losses/alpha': alphaLoss,
      'charts/alpha': this.alpha,
      'charts/kl_prior': im.kl,
      'charts/imagined_return': im.meanReturn,
      'charts/return_scale': this.returnScale,
    };
  }

  /** The slow critic v̄'s weights (the critic's layout). */
  get slowCriticWeights(): Float32Array {
    return this.slowCritic;
  }

  /** S = max(1, P95 − P5) of the returns (EMAs). */
  get returnScale(): number {
    return Math.max(1, this.returnRange.hi - this.returnRange.lo);
  }

  /**
   * Imagines H steps from (h0, z0) `[N, ·]`, with S = `scale(returns)`, and leaves the gradient of the actor's
   * loss −mean R/S in `actor.grad`; returns the loss, the detached features s_0 … s_{H−1} with their
   * λ-returns (the critic's data) and the mean KL. Per step it draws N·actDim then N·stochDim normals.
   */
  imagination(h0: Float32Array, z0: Float32Array, N: number, rng: Rng, scale: (returns: Float32Array) => number) {
    const { horizon: H, gamma, lambda, deterDim: D, stochDim: S } = this.cfg;
    const A = this.dims.actDim;
    const O = this.dims.obsDim;
    const alpha = this.alpha;
    const nets = this.model.frozenNets();
    const slow = frozen({ ...this.critic, weights: this.slowCritic });
    this.actor.grad!.fill(0);
    const tape = new Tape();
    let h = tape.constant(h0, N, D);
    let z = tape.constant(z0, N, S);
    const feats: Node[] = [];
    const soft: Node[] = [];
    const values: Node[] = [];
    let klSum = 0;
    for (let t = 0; t < H; t++) {
      const feat = this.model.features(tape, h, z);
      feats.push(feat);
      const eps = Float32Array.from({ length: N * A }, () => rng.normal());
      const pol = tape.tanhGaussian(tape.mlp(feat, this.actor), eps, this.lo, this.hi, LOG_STD_RANGE);
      // The prior at the decoded observation x̂_t (a constant: the prior reads the state, it is not trained).
      const xHat = tape.mlp(tape.detach(feat), nets.decoder).value;
      const p = priorLogProb(this.prior, xHat, pol.action.value, N, { obsDim: O, actDim: A });
      const kl = tape.add(pol.logProb, tape.given(pol.action, p.values, p.grads), -1); // log π − log p
      for (let i = 0; i < N; i++) klSum += kl.value[i];
      h = this.model.transition(tape, nets, h, z, pol.action);
      const pz = this.model.prior(tape, nets, h);
      z = tape.rsample(
        pz.mean,
        pz.std,
        Float32Array.from({ length: N * S }, () => rng.normal()),
      );
      const next = this.model.features(tape, h, z);
      soft.push(tape.add(tape.mlp(next, nets.reward), kl, -alpha)); // r̃_t = r̂_t − α(log π − log p)
      values.push(tape.symexp(tape.mlp(next, slow)));
    }
    // λ-returns, backwards: R_{H−1} = r̃ + γ v_H;  R_t = r̃_t + γ((1 − λ) v_{t+1} + λ R_{t+1}).
    const returns: Node[] = new Array(H);
    returns[H - 1] = tape.add(soft[H - 1], values[H - 1], gamma);
    for (let t = H - 2; t >= 0; t--)
      returns[t] = tape.add(soft[t], tape.add(tape.affine(values[t], 1 - lambda), returns[t + 1], lambda), gamma);
    const all = tape.stack(returns);
    const loss = tape.sum(all, -1 / (scale(all.value) * all.value.length));
    tape.backward(loss);
    let meanReturn = 0;
    for (const v of all.value) meanReturn += v / all.value.length;
    return {
      feats: feats.map((f) => f.value),
      returns: returns.map((r) => r.value),
      kl: klSum / (N * H),
      actorLoss: loss.scalar,
      meanReturn,
    };
  }

  private updateReturnRange(returns: Float32Array): void {
    const sorted = Float32Array.from(returns).sort();
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    const d = this.cfg.returnNormDecay;
    const r = this.returnRange;
    this.returnRange = r.seen
      ? { lo: d * r.lo + (1 - d) * at(0.05), hi: d * r.hi + (1 - d) * at(0.95), seen: true }
      : { lo: at(0.05), hi: at(0.95), seen: true };
  }

  /** One critic step on ½ mean (f(s_t) − symlog R_t)²; returns the loss. */
  private trainCritic(feats: Float32Array[], returns: Float32Array[]): number {
    this.critic.grad!.fill(0);
    const tape = new Tape();
    const F = this.model.featDim;
    const n = returns[0].length;
    const x = new Float32Array(feats.length * n * F);
    feats.forEach((f, t) => x.set(f, t * n * F));
    const target = new Float32Array(feats.length * n);
    returns.forEach((r, t) => r.forEach((v, i) => (target[t * n + i] = symlog(v))));
    const f = tape.mlp(tape.constant(x, feats.length * n, F), this.critic);
    // ½ mean (f − y)² = −(std² / count)·Σ log N(y; f, std²) + const with std = 1.
    const ll = tape.gaussLogLik(target, f, 1);
    const loss = tape.affine(ll, -1 / target.length);
    tape.backward(loss);
    this.criticAdam.step();
    return loss.scalar - 0.5 * Math.log(2 * Math.PI);
  }

  // ───────────────────────────────────────────────────────────────────── state
  getState(): DreamerState {
    return {
      version: 1,
      model: this.model.getState(),
      actor: Float32Array.from(this.actor.weights),
      critic: Float32Array.from(this.critic.weights),
      slowCritic: Float32Array.from(this.slowCritic),
      actorAdam: this.actorAdam.toJSON(),
      criticAdam: this.criticAdam.toJSON(),
      logAlpha: this.logAlpha[0],
      alphaAdam: this.alphaAdam.toJSON(),
      returnRange: { ...this.returnRange },
      updates: this.updates,
    };
  }

  setState(s: DreamerState): void {
    if (s?.version !== 1) throw new RangeError(`DreamerState.version: got ${String(s?.version)}, allowed: 1`);
    this.model.setState(s.model);
    setWeights('actor', this.actor.weights, s.actor);
    setWeights('critic', this.critic.weights, s.critic);
    setWeights('slowCritic', this.slowCritic, s.slowCritic);
    this.actorAdam.fromJSON(s.actorAdam);
    this.criticAdam.fromJSON(s.criticAdam);
    this.logAlpha[0] = s.logAlpha;
    this.alphaAdam.fromJSON(s.alphaAdam);
    this.returnRange = { ...s.returnRange };
    this.updates = s.updates;
    this.memories.clear();
  }

  /** The policy's weights: the world model (it filters the observations) and the actor. */
  policyWeights(): { rssm: Float32Array; actor: Float32Array } {
    return { rssm: Float32Array.from(this.model.getState().weights), actor: Float32Array.from(this.actor.weights) };
  }

  setPolicyWeights(w: { rssm?: Float32Array; actor?: Float32Array }): void {
    if (!(w.rssm instanceof Float32Array) || !(w.actor instanceof Float32Array))
      throw new RangeError('policy weights: a dreamer agent needs both rssm and actor');
    this.model.setState({ ...this.model.getState(), weights: Array.from(w.rssm) });
    setWeights('actor', this.actor.weights, w.actor);
    this.memories.clear();
  }
}

function setWeights(field: string, to: Float32Array, from: ArrayLike<number>): void {
  if (from?.length !== to.length)
    throw new RangeError(`DreamerState.${field}: has ${from?.length} values, expected ${to.length}`);
  to.set(from);
}

/**
 * log p(a|x) per row and ∂/∂a for any Box prior, from its own `logProb` (tfjs autodiff on a few small
 * tensors per imagination step): the one definition of the prior's density the SAC paths use too.
 */
function priorLogProb(
  prior: BoxPrior,
  obs: Float32Array,
  actions: Float32Array,
  n: number,
  dims: { obsDim: number; actDim: number },
): { values: Float32Array; grads: Float32Array } {
  return tf.tidy(() => {
    const o = tf.tensor2d(obs, [n, dims.obsDim]);
    const a = tf.tensor2d(actions, [n, dims.actDim]);
    // + 0·Σ_j a_j keeps a constant density (the uniform prior) connected to a: its gradient is then 0.
    const f = (x: tf.Tensor) => tf.add(prior.logProb(o, x as tf.Tensor2D), tf.mul(tf.sum(x, 1), 0));
    const { value, grad } = tf.valueAndGrad(f)(a);
    return { values: value.dataSync() as Float32Array, grads: grad.dataSync() as Float32Array };
  });
}
