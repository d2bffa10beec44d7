/**
 * KL-PPO: proximal policy optimization (Schulman et al. 2017) that maximizes
 *
 *     J(π) = E_π[ Σ_t γ^t ( r_t − β · KL(π(·|s_t) ‖ p(·|s_t)) ) ]
 *
 * for the Objective's FIXED prior p (`src/priors`): a reference policy (the RLHF objective, Ziegler et al.
 * 2019), the uniform prior (then −β·KL = β·H(π) − const: an entropy bonus), or none (β ≡ 0: plain PPO).
 * β is the Objective's α: fixed, or learned toward its target KL by the adaptive controller.
 * Discrete (categorical) and continuous (diagonal Gaussian, actions clipped by the env) action spaces.
 *
 * How the KL enters (`klMode`):
 * - `reward`:     r̃_t = r_t − β·(log π_old(a_t|s_t) − log p(a_t|s_t))   the classic RLHF per-step penalty (k1).
 *                 The penalty flows through GAE, so the policy also pays for the KL of the states it leads to:
 *                 this optimizes J exactly, for sequences as well as bandits.
 * - `k3-loss`:    L_KL = β · mean( ρ · k3 ),  k3 = (π_ref/π − 1) − log(π_ref/π),  ρ = π/π_old.
 *                 k3 is the low-variance non-negative estimator; the ratio ρ makes its gradient the gradient of
 *                 KL(π‖p) (without ρ, its gradient at π = π_old is that of the FORWARD KL(p‖π)).
 * - `exact-loss`: L_KL = β · mean( KL(π(·|s)‖p(·|s)) ), closed form (categorical, or Gaussian‖Gaussian).
 *   Both loss modes treat the KL per visited state: exact for a bandit, but for multi-step tasks they ignore
 *   how the policy changes the KL of later states (that is what the reward mode accounts for).
 *
 * β is fixed or adapted toward the target KL (`controllers.ts`). Every iteration logs the batch means of
 * k1, k2, k3 and, when it exists, the exact KL, so one can watch k1 dip below zero while k3 cannot.
 *
 * Layout: `Config` → `KlPpo` (rollout → GAE → clipped-surrogate epochs; networks and Adam from `src/nn`)
 * → checkpoints and frozen references. Browser-safe (no Node modules). Randomness: the `agent` and `env`
 * streams only.
 */
import * as tf from '@tensorflow/tfjs';
import { Categorical, DiagGaussian } from '../../core/distributions.js';
import { Rng, type RngState, type RngStreams } from '../../core/rng.js';
import type { Env, Observation } from '../../envs/env.js';
import { SyncVectorEnv } from '../../envs/vector.js';
import { Adam, Mlp, type AdamJson } from '../../nn/index.js';
import {
  checkPriorMatches,
  encodeObservations,
  isDiscretePrior,
  obsDim,
  tableFromLogits,
  type Objective,
  type Prior,
} from '../../priors/index.js';
import { configSchema, field, MAX_LAYER_WIDTH, resolveConfig } from '../../core/config.js';
import { checkFinite, checkTemperature } from '../diverged.js';
import { makeKlController, type KlController } from './controllers.js';
import { klEstimates } from './estimators.js';
import { computeGae } from './gae.js';

const KL_MODES = ['reward', 'k3-loss', 'exact-loss'] as const;
export type KlMode = (typeof KL_MODES)[number];

// ──────────────────────────────────────────────────────────────────────────────────────────────── config
export interface KlPpoConfig {
  /** Parallel environments in a rollout. */
  numEnvs: number;
  /** Steps per environment per rollout (batch = numEnvs·numSteps). */
  numSteps: number;
  /** Adam learning rate. */
  learningRate: number;
  /** If > 0: the learning rate decays linearly to 0 over this many iterations (CleanRL's anneal_lr). */
  annealIterations: number;
  /** Discount factor γ. */
  gamma: number;
  /** GAE λ. */
  gaeLambda: number;
  /** Minibatches per epoch. */
  numMinibatches: number;
  /** Passes (epochs) over each rollout. */
  updateEpochs: number;
  /**
   * Normalize advantages per minibatch. In the loss modes this rescales the reward term against β·KL
   * (the effective β becomes β·std(A)): turn it off there to reach the optimum of J for the stated β.
   * In the reward mode the penalty is inside A, so normalizing rescales the step only, not β.
   */
  normAdv: boolean;
  /** PPO clip range ε of the ratio π/π_old. */
  clipCoef: number;
  /** Weight c_v of the value loss. */
  vfCoef: number;
  /** Max gradient norm; policy and value gradients are clipped separately. */
  maxGradNorm: number;
  /** Hidden layer widths of the policy and value MLPs (tanh). */
  hidden: number[];
  /** Initial log-std of a Gaussian policy (state-independent, learned). */
  initLogStd: number;
  /** How KL(π‖prior) enters the objective: per-step reward penalty, k3 loss term, or exact KL loss term. */
  klMode: KlMode;
  /** Horizon of the adaptive β controller (environment steps), used when the Objective's α is learned. */
  klHorizon: number;
}

/** One iteration's scalars, namespaced like CleanRL's (`charts/…`, `losses/…`, `kl/…`). */
export type KlPpoMetrics = Record<string, number>;

/** Everything needed to resume: JSON-serializable. Env episodes in flight are not saved (envs restart from the env stream). */
export interface KlPpoCheckpoint {
  config: KlPpoConfig;
  obsDim: number;
  actionKind: 'discrete' | 'box';
  actionDim: number;
  iteration: number;
  globalStep: number;
  /** Flat actor weights (`Mlp.getWeights` layout). */
  policy: Float32Array;
  /** Log-std of a Gaussian policy, else null. */
  logStd: Float32Array | null;
  /** Flat critic weights. */
  value: Float32Array;
  optimizer: { actor: AdamJson; critic: AdamJson };
  beta: number;
  rng: { agent: RngState; env: RngState };
}

/** Every env is built up front and a rollout is held in memory: both are bounded. */
const MAX_ENVS = 1024;
const MAX_BATCH = 1_000_000;

/** The schema of `KlPpoConfig`: field types and ranges, the defaults, the rollout's bounds (one place). */
export const KLPPO_SCHEMA = configSchema<KlPpoConfig>(
  'KlPpoConfig',
  {
    numEnvs: field.range(`a positive integer ≤ ${MAX_ENVS}`, (x) => Number.isInteger(x) && x > 0 && x <= MAX_ENVS),
    numSteps: field.positiveInt(),
    learningRate: field.positive(),
    annealIterations: field.nonNegativeInt(' (0 = constant learning rate)'),
    gamma: field.unit(),
    gaeLambda: field.unit(),
    numMinibatches: field.positiveInt(),
    updateEpochs: field.positiveInt(),
    normAdv: field.boolean(),
    clipCoef: field.positive(),
    vfCoef: field.nonNegative(),
    maxGradNorm: field.positive(),
    hidden: field.widths(0, 16, MAX_LAYER_WIDTH),
    initLogStd: field.finite(),
    klMode: field.oneOf(KL_MODES),
    klHorizon: field.positive(),
  },
  {
    numEnvs: 8,
    numSteps: 128,
    learningRate: 3e-4,
    annealIterations: 0,
    gamma: 0.99,
    gaeLambda: 0.95,
    numMinibatches: 4,
    updateEpochs: 4,
    normAdv: true,
    clipCoef: 0.2,
    vfCoef: 0.5,
    maxGradNorm: 0.5,
    hidden: [64, 64],
    initLogStd: 0,
    klMode: 'reward',
    klHorizon: 10_000,
  },
  (c) => {
    const batch = c.numEnvs * c.numSteps;
    if (batch > MAX_BATCH)
      return { field: 'numSteps', allowed: `numEnvs·numSteps at most ${MAX_BATCH} (got ${batch})` };
    if (batch % c.numMinibatches !== 0)
      return { field: 'numMinibatches', allowed: `a divisor of the batch numEnvs·numSteps = ${batch}` };
    return null;
  },
);

/** What `rolloutSteps` collects: numEnvs·numSteps transitions, row t·numEnvs + e. */
interface RolloutSteps {
  obs: Float32Array;
  actions: Float32Array;
  rewards: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  /** Truncated episodes' true last observations (same-step autoreset), by row. */
  finalObs: { index: number; obs: Observation }[];
  episodeReturns: number[];
  episodeLengths: number[];
}

/** What `scoreRollout` computes from the current networks, read back once. */
interface RolloutScores {
  logp: Float32Array;
  refLogp: Float32Array;
  exact: Float32Array | null;
  entropy: number;
  values: Float32Array;
  extraValues: Float32Array;
}

/** The policy's distribution for encoded observations: Categorical(logits) or N(mean, exp(logStd)). */
type PolicyDist = Categorical | DiagGaussian;

// ─────────────────────────────────────────────────────────────────────────────────────────────── agent
interface Rollout {
  obs: Float32Array;
  actions: Float32Array;
  logp: Float32Array;
  refLogp: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  metrics: KlPpoMetrics;
}

export class KlPpo {
  readonly config: KlPpoConfig;
  readonly envs: SyncVectorEnv;
  readonly objective: Objective;
  readonly prior: Prior;
  private readonly obsSpace: Env['observationSpace'];
  private readonly dObs: number;
  private readonly discrete: boolean;
  private readonly dAct: number;
  private readonly actor: Mlp;
  private readonly logStd: tf.Variable | null;
  private readonly critic: Mlp;
  /** One Adam per network, so the policy and the value gradients are norm-clipped separately. */
  private readonly actorOpt: Adam;
  private readonly criticOpt: Adam;
  private readonly controller: KlController;
  private readonly agentRng: Rng;
  private readonly envRng: Rng;
  private current: Observation[] = [];
  private episodeReturn: Float64Array;
  private episodeLength: Int32Array;
  /** Completed iterations. */
  iteration = 0;
  /** Environment steps taken (all envs). */
  globalStep = 0;

  /**
   * @param makeEnv builds one environment (called `numEnvs` times)
   * @param objective the fixed prior p in KL(π‖p) and β (its α), from `makeObjective`; its spaces must be the env's
   * @param streams the run's seeded streams (`agent`: init, sampling, shuffles; `env`: reset seeds)
   */
  constructor(makeEnv: () => Env, objective: Objective, config: Partial<KlPpoConfig>, streams: RngStreams) {
    this.config = resolveConfig(KLPPO_SCHEMA, config);
    const { alpha: beta, targetKl } = objective;
    this.controller = makeKlController(
      targetKl === null
        ? { kind: 'fixed', beta }
        : { kind: 'adaptive', beta, target: targetKl, horizon: this.config.klHorizon },
    );
    this.envs = new SyncVectorEnv(Array.from({ length: this.config.numEnvs }, () => makeEnv));
    checkPriorMatches(objective.prior, this.envs.envs[0], 'objective.prior');
    this.objective = objective;
    this.prior = objective.prior;
    this.obsSpace = this.envs.singleObservationSpace;
    this.dObs = obsDim(this.obsSpace);
    const a = this.envs.singleActionSpace;
    this.discrete = a.kind === 'discrete';
    this.dAct = a.kind === 'discrete' ? a.n : a.dim;
    this.agentRng = streams.get('agent');
    this.envRng = streams.get('env');
    const h = this.config.hidden;
    this.actor = new Mlp(
      { sizes: [this.dObs, ...h, this.dAct], activation: 'tanh', outputScale: 0.01, name: 'klppo_actor' },
      this.agentRng,
    );
    this.critic = new Mlp({ sizes: [this.dObs, ...h, 1], activation: 'tanh', name: 'klppo_critic' }, this.agentRng);
    this.logStd = this.discrete ? null : tf.tidy(() => tf.variable(tf.fill([this.dAct], this.config.initLogStd)));
    const adam = { lr: this.config.learningRate, epsilon: 1e-5, clipNorm: this.config.maxGradNorm };
    this.actorOpt = new Adam(this.policyVars, adam);
    this.criticOpt = new Adam(this.critic.params, adam);
    this.episodeReturn = new Float64Array(this.config.numEnvs);
    this.episodeLength = new Int32Array(this.config.numEnvs);
    if (this.config.klMode === 'exact-loss') this.requireClosedFormKl("config.klMode = 'exact-loss'");
  }

  /** Throws unless the prior has a closed-form KL to this policy (probed on one zero observation). */
  private requireClosedFormKl(what: string): void {
    let closedForm = false;
    tf.tidy(() => {
      const obs = tf.zeros([1, this.dObs]) as tf.Tensor2D;
      closedForm = this.priorKl(obs, this.distribution(obs)) !== null;
    });
    if (!closedForm)
      throw new RangeError(
        `${what}: ${this.prior.label} has no closed-form KL to this policy (the reward and k3-loss modes work without one)`,
      );
  }

  get beta(): number {
    return this.controller.beta;
  }

  private get policyVars(): tf.Variable[] {
    return this.logStd ? [...this.actor.params, this.logStd] : this.actor.params;
  }

  /** π(·|s) for a batch of encoded observations `[B, obsDim]` (call inside `tf.tidy`). */
  distribution(obs: tf.Tensor2D): PolicyDist {
    const out = this.actor.apply(obs) as tf.Tensor2D;
    return this.logStd ? new DiagGaussian(out, this.logStd) : new Categorical(out);
  }

  // ───────────────────────────────────────────────────────────────────────────── rollout
  private collect(): Rollout {
    const { numEnvs: N, numSteps: T, gamma, gaeLambda } = this.config;
    const B = N * T;
    const steps = this.rolloutSteps();
    const batch = this.scoreRollout(steps);

    const beta = this.controller.beta;
    const penalized = new Float64Array(B);
    for (let i = 0; i < B; i++) {
      // r̃_t = r_t − β (log π_old(a_t|s_t) − log p(a_t|s_t))       (reward mode only)
      penalized[i] =
        this.config.klMode === 'reward'
          ? steps.rewards[i] - beta * (batch.logp[i] - batch.refLogp[i])
          : steps.rewards[i];
    }
    const nextValues = new Float32Array(B);
    for (let i = 0; i + N < B; i++) nextValues[i] = batch.values[i + N];
    for (let e = 0; e < N; e++) nextValues[(T - 1) * N + e] = batch.extraValues[e];
    steps.finalObs.forEach((f, k) => (nextValues[f.index] = batch.extraValues[N + k]));
    const { advantages, returns } = computeGae({
      rewards: penalized,
      values: batch.values,
      nextValues,
      terminated: steps.terminated,
      truncated: steps.truncated,
      numSteps: T,
      numEnvs: N,
      gamma,
      lambda: gaeLambda,
    });

    const est = klEstimates(batch.logp, batch.refLogp);
    const { episodeReturns, episodeLengths } = steps;
    const metrics: KlPpoMetrics = {
      'kl/k1': est.k1,
      'kl/k2': est.k2,
      'kl/k3': est.k3,
      'charts/alpha': beta,
      'charts/entropy': batch.entropy,
      'charts/reward_per_step': steps.rewards.reduce((s, r) => s + r, 0) / B,
      'charts/episodes': episodeReturns.length,
    };
    // KL(π‖p) per state: closed form when the pair has one, else the k3 estimate (unbiased, never negative).
    metrics['charts/kl_prior'] = batch.exact ? batch.exact.reduce((s, x) => s + x, 0) / B : est.k3;
    if (episodeReturns.length > 0) {
      metrics['charts/episodic_return'] = episodeReturns.reduce((s, r) => s + r, 0) / episodeReturns.length;
      metrics['charts/episodic_length'] = episodeLengths.reduce((s, r) => s + r, 0) / episodeLengths.length;
    }
    return {
      obs: steps.obs,
      actions: steps.actions,
      logp: batch.logp,
      refLogp: batch.refLogp,
      advantages,
      returns,
      metrics,
    };
  }

  /** numSteps steps of every env with actions sampled from π (host-side sampling from the `agent` stream). */
  private rolloutSteps(): RolloutSteps {
    const { numEnvs: N, numSteps: T } = this.config;
    const B = N * T;
    const D = this.dObs;
    const A = this.discrete ? 1 : this.dAct;
    if (this.current.length === 0) this.current = this.envs.reset({ seed: this.envRng.uint32() }).obs;
    const obs = new Float32Array(B * D);
    const actions = new Float32Array(B * A);
    const rewards = new Float64Array(B);
    const terminated = new Uint8Array(B);
    const truncated = new Uint8Array(B);
    const finalObs: { index: number; obs: Observation }[] = [];
    const episodeReturns: number[] = [];
    const episodeLengths: number[] = [];
    const std = this.logStd ? Array.from(this.logStd.dataSync(), Math.exp) : [];
    for (let t = 0; t < T; t++) {
      const row = encodeObservations(this.obsSpace, this.current);
      obs.set(row, t * N * D);
      const out = tf.tidy(() => this.actor.apply(tf.tensor2d(row, [N, D])).dataSync());
      const stepActions: (number | Float32Array)[] = [];
      for (let e = 0; e < N; e++) {
        const i = t * N + e;
        if (this.discrete) {
          const logits = out.subarray(e * this.dAct, (e + 1) * this.dAct);
          const m = Math.max(...logits);
          actions[i] = this.agentRng.categorical(Array.from(logits, (l) => Math.exp(l - m)));
          stepActions.push(actions[i]);
        } else {
          const action = new Float32Array(this.dAct);
          for (let d = 0; d < this.dAct; d++) action[d] = out[e * this.dAct + d] + std[d] * this.agentRng.normal();
          actions.set(action, i * A);
          stepActions.push(action);
        }
      }
      const step = this.envs.step(stepActions);
      for (let e = 0; e < N; e++) {
        const i = t * N + e;
        rewards[i] = step.rewards[e];
        terminated[i] = step.terminated[e] ? 1 : 0;
        truncated[i] = step.truncated[e] ? 1 : 0;
        this.episodeReturn[e] += step.rewards[e];
        this.episodeLength[e] += 1;
        if (step.terminated[e] || step.truncated[e]) {
          // Same-step autoreset: the true last observation is in info.finalObs (bootstrap from it on truncation).
          if (!step.terminated[e]) finalObs.push({ index: i, obs: step.infos[e].finalObs as Observation });
          episodeReturns.push(this.episodeReturn[e]);
          episodeLengths.push(this.episodeLength[e]);
          this.episodeReturn[e] = 0;
          this.episodeLength[e] = 0;
        }
      }
      this.current = step.obs;
    }
    this.globalStep += B;
    return { obs, actions, rewards, terminated, truncated, finalObs, episodeReturns, episodeLengths };
  }

  /** One batched pass over a rollout: log π_old, log p, the exact KL (when it exists), entropy, values. */
  private scoreRollout(steps: RolloutSteps): RolloutScores {
    const B = this.config.numEnvs * this.config.numSteps;
    const D = this.dObs;
    const A = this.discrete ? 1 : this.dAct;
    const extra = encodeObservations(this.obsSpace, [...this.current, ...steps.finalObs.map((f) => f.obs)]);
    let scores!: RolloutScores;
    tf.tidy(() => {
      const o = tf.tensor2d(steps.obs, [B, D]);
      const act = this.discrete ? tf.tensor1d(steps.actions, 'int32') : tf.tensor2d(steps.actions, [B, A]);
      const dist = this.distribution(o);
      const exact = this.priorKl(o, dist);
      scores = {
        logp: dist.logProb(act).dataSync() as Float32Array,
        refLogp: this.priorLogProb(o, act).dataSync() as Float32Array,
        exact: exact ? (exact.dataSync() as Float32Array) : null,
        entropy: tf.mean(dist.entropy()).dataSync()[0],
        values: tf.reshape(this.critic.apply(o), [B]).dataSync() as Float32Array,
        extraValues: tf
          .reshape(this.critic.apply(tf.tensor2d(extra, [extra.length / D, D])), [-1])
          .dataSync() as Float32Array,
      };
    });
    return scores;
  }

  /** log p(a|s) from the prior. */
  private priorLogProb(obs: tf.Tensor2D, actions: tf.Tensor): tf.Tensor1D {
    const p = this.prior;
    return isDiscretePrior(p) ? p.logProb(obs, actions as tf.Tensor1D) : p.logProb(obs, actions as tf.Tensor2D);
  }

  /** Closed-form KL(π(·|s) ‖ p(·|s)) per row, or null when the pair has none. */
  private priorKl(obs: tf.Tensor2D, dist: PolicyDist): tf.Tensor1D | null {
    const p = this.prior;
    return isDiscretePrior(p)
      ? p.kl(obs, (dist as Categorical).logits as tf.Tensor2D)
      : p.kl(obs, dist as DiagGaussian);
  }

  // ───────────────────────────────────────────────────────────────────────────── update
  /**
   * One minibatch step (inside `tf.tidy`); returns a kept `[6]` tensor of stats:
   * [policy loss, value loss, KL loss, clip fraction, approx KL(π_old‖π), total loss].
   */
  private minibatchStep(
    mb: Record<'obs' | 'actions' | 'logp' | 'refLogp' | 'advantages' | 'returns', tf.Tensor>,
    distill: boolean,
  ): tf.Tensor {
    const { clipCoef, vfCoef, normAdv, klMode } = this.config;
    const beta = this.controller.beta;
    let stats: tf.Tensor | null = null;
    const actorVars = this.policyVars;
    const vars = [...actorVars, ...this.critic.params];
    const { grads } = tf.variableGrads(() => {
      const obs = mb.obs as tf.Tensor2D;
      const dist = this.distribution(obs);
      const newLogp = dist.logProb(mb.actions);
      const logRatio = tf.sub(newLogp, mb.logp);
      const ratio = tf.exp(logRatio);
      let adv = mb.advantages;
      if (normAdv) {
        const { mean, variance } = tf.moments(adv);
        adv = tf.div(tf.sub(adv, mean), tf.add(tf.sqrt(variance), 1e-8));
      }
      // L_clip = E[ max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)) ]
      const pgLoss = distill
        ? tf.scalar(0)
        : tf.mean(
            tf.maximum(
              tf.mul(tf.neg(adv), ratio),
              tf.mul(tf.neg(adv), tf.clipByValue(ratio, 1 - clipCoef, 1 + clipCoef)),
            ),
          );
      // L_V = ½ E[ (V(s) − R)² ]
      const vLoss = tf.mul(0.5, tf.mean(tf.square(tf.sub(tf.reshape(this.critic.apply(obs), [-1]), mb.returns))));
      let klLoss: tf.Tensor = tf.scalar(0);
      if (distill || klMode === 'exact-loss') {
        // L_KL = E_s[ KL(π(·|s) ‖ p(·|s)) ]                                   (closed form)
        klLoss = tf.mean(this.priorKl(obs, dist)!);
      } else if (klMode === 'k3-loss') {
        // L_KL = E[ ρ · k3 ],  k3 = (e^ℓ − 1) − ℓ,  ℓ = log p(a|s) − log π(a|s)
        const l = tf.sub(mb.refLogp, newLogp);
        klLoss = tf.mean(tf.mul(ratio, tf.sub(tf.sub(tf.exp(l), 1), l)));
      }
      // L = L_clip + c_v·L_V + β·L_KL       (distillation: L = L_KL + c_v·L_V)
      const loss = tf.add(tf.add(pgLoss, tf.mul(vfCoef, vLoss)), tf.mul(distill ? 1 : beta, klLoss));
      const clipFrac = tf.mean(tf.cast(tf.greater(tf.abs(tf.sub(ratio, 1)), clipCoef), 'float32'));
      const approxKl = tf.mean(tf.sub(tf.sub(ratio, 1), logRatio));
      stats = tf.keep(tf.stack([pgLoss, vLoss, klLoss, clipFrac, approxKl, loss]));
      return loss as tf.Scalar;
    }, vars);
    // Each optimizer clips its own gradients to norm ≤ maxGradNorm.
    this.actorOpt.step(actorVars.map((v) => grads[v.name]));
    this.criticOpt.step(this.critic.params.map((v) => grads[v.name]));
    return stats!;
  }

  private update(r: Rollout, distill: boolean): KlPpoMetrics {
    const { numEnvs, numSteps, numMinibatches, updateEpochs } = this.config;
    const B = numEnvs * numSteps;
    const mbSize = B / numMinibatches;
    const A = this.discrete ? 1 : this.dAct;
    const full = {
      obs: tf.tensor2d(r.obs, [B, this.dObs]),
      actions: this.discrete ? tf.tensor1d(r.actions, 'int32') : tf.tensor2d(r.actions, [B, A]),
      logp: tf.tensor1d(r.logp),
      refLogp: tf.tensor1d(r.refLogp),
      advantages: tf.tensor1d(r.advantages),
      returns: tf.tensor1d(r.returns),
    };
    const stats: tf.Tensor[] = [];
    const perm = Int32Array.from({ length: B }, (_, i) => i);
    for (let epoch = 0; epoch < updateEpochs; epoch++) {
      for (let i = B - 1; i > 0; i--) {
        const j = this.agentRng.integer(i + 1);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      for (let start = 0; start < B; start += mbSize) {
        stats.push(
          tf.tidy(() => {
            const idx = tf.tensor1d(perm.slice(start, start + mbSize), 'int32');
            const mb = {
              obs: tf.gather(full.obs, idx),
              actions: tf.gather(full.actions, idx),
              logp: tf.gather(full.logp, idx),
              refLogp: tf.gather(full.refLogp, idx),
              advantages: tf.gather(full.advantages, idx),
              returns: tf.gather(full.returns, idx),
            };
            return this.minibatchStep(mb, distill);
          }),
        );
      }
    }
    // One read-back per iteration: the mean of every stat over all minibatch steps.
    const means = tf.tidy(() => tf.mean(tf.stack(stats), 0).dataSync());
    tf.dispose(stats);
    tf.dispose(Object.values(full));
    const names = ['losses/policy', 'losses/value', 'losses/kl', 'losses/clipfrac', 'losses/approx_kl', 'losses/total'];
    return Object.fromEntries(names.map((n, i) => [n, means[i]]));
  }

  /**
   * One PPO iteration: a rollout of numEnvs·numSteps steps, GAE, `updateEpochs` epochs of minibatch
   * steps, then the β controller sees the iteration's KL. Throws `DivergedError` on a non-finite metric,
   * before β or the iteration count see it (and before any checkpoint of this iteration is written); a
   * non-finite loss may already have reached the weights, so after the throw the agent is unusable:
   * `loadCheckpoint` a good checkpoint or `dispose` it.
   */
  iterate(): KlPpoMetrics {
    const { annealIterations, learningRate } = this.config;
    const lr = annealIterations > 0 ? learningRate * Math.max(0, 1 - this.iteration / annealIterations) : learningRate;
    for (const opt of [this.actorOpt, this.criticOpt]) opt.lr = lr;
    const rollout = this.collect();
    const m = rollout.metrics;
    checkFinite('KL-PPO', m, this.globalStep); // a non-finite rollout never reaches the weights
    const losses = this.update(rollout, false);
    const out = { ...m, ...losses, 'charts/learning_rate': lr, 'charts/global_step': this.globalStep };
    checkFinite('KL-PPO', out, this.globalStep);
    checkTemperature('KL-PPO', m['charts/alpha'], m['charts/kl_prior'], this.globalStep, this.objective.targetKl);
    this.controller.update(m['charts/kl_prior'], this.config.numEnvs * this.config.numSteps);
    this.iteration += 1;
    return out;
  }

  /**
   * Warm start: `iterations` rounds of on-policy distillation toward the prior (minimize the closed-form
   * E_s KL(π(·|s)‖p(·|s)) over visited states, and fit the value to the env's returns). The RLHF recipe
   * starts the policy AT the reference; this gets there for references that are not networks.
   */
  distill(iterations: number): KlPpoMetrics {
    this.requireClosedFormKl('distill()');
    let out: KlPpoMetrics = {};
    for (let i = 0; i < iterations; i++) {
      const rollout = this.collect();
      out = { ...rollout.metrics, ...this.update(rollout, true) };
      checkFinite('KL-PPO', out, this.globalStep);
    }
    return out;
  }

  /**
   * π(·|s) for every state of a `Discrete` observation space (tabular envs), flat nS×nA row-major: the
   * layout of `src/agents/exact` (and of discrete SAC's `policyTable`); rows sum to 1 in float64.
   */
  policyTable(): Float64Array {
    if (this.obsSpace.kind !== 'discrete' || !this.discrete) {
      throw new RangeError(
        `policyTable(): needs Discrete observation and action spaces, got observationSpace ${this.obsSpace.toString()}, actionSpace ${this.envs.singleActionSpace.toString()}`,
      );
    }
    return tableFromLogits('policyTable()', this.obsSpace, (obs) => this.actor.apply(obs));
  }

  // ──────────────────────────────────────────────────────────────────── checkpoints
  getCheckpoint(): KlPpoCheckpoint {
    return {
      config: { ...this.config, hidden: [...this.config.hidden] },
      obsDim: this.dObs,
      actionKind: this.discrete ? 'discrete' : 'box',
      actionDim: this.dAct,
      iteration: this.iteration,
      globalStep: this.globalStep,
      policy: this.actor.getWeights(),
      logStd: this.logStd ? Float32Array.from(this.logStd.dataSync()) : null,
      value: this.critic.getWeights(),
      optimizer: { actor: this.actorOpt.toJSON(), critic: this.criticOpt.toJSON() },
      beta: this.controller.beta,
      rng: { agent: this.agentRng.getState(), env: this.envRng.getState() },
    };
  }

  /** Restores a checkpoint of an agent with the same spaces and network sizes; in-flight episodes restart. */
  loadCheckpoint(c: KlPpoCheckpoint): void {
    if (c.obsDim !== this.dObs || c.actionDim !== this.dAct || c.actionKind !== (this.discrete ? 'discrete' : 'box')) {
      throw new RangeError(
        `checkpoint: spaces (obsDim ${c.obsDim}, ${c.actionKind}(${c.actionDim})) differ from this agent's (obsDim ${this.dObs}, ${this.discrete ? 'discrete' : 'box'}(${this.dAct}))`,
      );
    }
    this.actor.setWeights(c.policy);
    this.critic.setWeights(c.value);
    if (this.logStd) {
      if (!c.logStd || c.logStd.length !== this.dAct)
        throw new RangeError(`checkpoint.logStd: expected ${this.dAct} numbers, got ${JSON.stringify(c.logStd)}`);
      const logStd = c.logStd;
      tf.tidy(() => this.logStd!.assign(tf.tensor1d(logStd)));
    }
    this.actorOpt.fromJSON(c.optimizer.actor);
    this.criticOpt.fromJSON(c.optimizer.critic);
    this.controller.setState({ beta: c.beta });
    this.agentRng.setState(c.rng.agent);
    this.envRng.setState(c.rng.env);
    this.iteration = c.iteration;
    this.globalStep = c.globalStep;
    this.current = [];
    this.episodeReturn.fill(0);
    this.episodeLength.fill(0);
  }

  dispose(): void {
    this.actor.dispose();
    this.critic.dispose();
    this.logStd?.dispose();
    this.actorOpt.dispose();
    this.criticOpt.dispose();
    this.envs.close();
  }
}

/** The defaults `new KlPpo` fills in (the hyperparameter files name these fields). */
export const KLPPO_DEFAULTS: Readonly<KlPpoConfig> = KLPPO_SCHEMA.defaults;
