/**
 * Soft Actor-Critic for continuous (Box) actions, auto-temperature version (Haarnoja et al. 2018,
 * "Soft Actor-Critic Algorithms and Applications"), with the objective (prior and α) as a value.
 *
 * The objective is the variational one every learner here shares,
 *   J(π) = E_π[ Σ_t γ^t ( r_t − α·(log π(a_t|s_t) − log p(a_t|s_t)) ) ],
 * so the entropy term of SAC appears as −α(log π − log p):
 * - `uniform` prior: log p = −Σ log(high − low) is a constant; it shifts Q by a constant and cancels in
 *   every gradient, so this is exactly standard SAC (entropy target ⇔ KL target, see `targetKl`);
 * - `reference` prior: KL-regularized SAC, pulled toward a fixed policy;
 * - `none`: α ≡ 0, an off-policy stochastic actor-critic (SAC with α = 0: no KL or entropy term).
 *
 * Pieces: a tanh-squashed Gaussian actor (reparameterized, rescaled to the env's Box); twin Q critics
 * evaluated as one ensemble op, with Polyak-averaged targets and the clipped double-Q target; α fixed or
 * learned toward a target KL by the log-α loss L_α = log α·(KL̄ − E[log π − log p]) (the form of most SAC
 * implementations, and of discrete SAC here: log α moves at a rate set by the KL gap, not scaled by α).
 *
 * Two implementations of the same update (`impl`):
 * - `engine` (default, the fast path): the whole update is one call into the WebAssembly engine
 *   (src/nn/engine, `SacEngine`), which holds the weights, Adam moments and target critics, for every
 *   prior: the uniform one over the Box (`uniform`, `none`) and the reference Gaussians (`prior.host`):
 *   a named controller N(μ_ref(s), σ_ref²) over the raw action, its μ_ref, log σ_ref computed on the host
 *   once per batch for s and s′; a saved SAC agent (`sacActorReference`), the tanh-squashed Gaussian of a
 *   frozen actor the engine holds and runs itself. The engine evaluates log p(ã|s) and ∂log p/∂ã
 *   (assembly/engine.ts, `refLogProb`). Only a Box reference without a host view (none is built here) runs
 *   the tfjs path below instead, on `src/nn`'s fused networks; `usesEngine` says which one runs. The engine's
 *   module must be loaded first (`loadSacEngine`, done by the backend inits).
 * - `autodiff`: the plain reference path, tfjs autodiff through `src/nn`'s Mlp (what the engine is tested against).
 * On the tfjs path an update does no host reads: its scalars stay tensors until `readMetrics`. Both
 * paths keep the same state layout (`SacState`), so checkpoints move between them.
 */
import * as tf from '@tensorflow/tfjs';
import { standardNormal, TanhGaussian } from '../../core/distributions.js';
import { Rng, type RngStreams } from '../../core/rng.js';
import type { Box } from '../../core/spaces.js';
import type { Env } from '../../envs/env.js';
import { Mlp, polyakUpdate } from '../../nn/index.js';
import {
  MAX_HIDDEN,
  engineModule,
  engineStepConfig,
  SacEngine,
  type EngineWeights,
  type SacEngineConfig,
  type SacEnginePriorParams,
  type SacEngineReference,
} from '../../nn/engine/index.js';
import {
  checkPriorMatches,
  type BoxPrior,
  type HostGaussianParams,
  type Objective,
  type ObjectiveSpec,
  type ReferenceSource,
} from '../../priors/index.js';
import { checkFinite, checkTemperature, DivergedError } from '../diverged.js';
import type { ReplayBatch } from '../replay.js';
import {
  configSchema,
  field,
  MAX_BUFFER_SIZE,
  MAX_EVAL_EPISODES,
  MAX_LAYER_WIDTH,
  resolveConfig,
} from '../../core/config.js';
import { meanReturn, type BatchPolicy } from '../episodes.js';
import { SacSkeleton, type TfjsTrainer } from './skeleton.js';
import { SacLoop, type EpisodeStat, type SacLoopParts, type SacRunCheckpoint } from './loop.js';

export interface SacConfig {
  /** Environment steps to train for. */
  totalSteps: number;
  /** Widths of the hidden layers of the actor and of each critic. */
  hidden: number[];
  /** Replay buffer capacity (transitions). */
  bufferSize: number;
  /** Transitions per gradient step. */
  batchSize: number;
  /** Discount factor γ. */
  gamma: number;
  /** Polyak coefficient τ of the target critics: θ' ← τθ + (1−τ)θ'. */
  tau: number;
  /** Adam learning rate of the actor. */
  actorLr: number;
  /** Adam learning rate of the critics. */
  criticLr: number;
  /** Adam learning rate of log α (auto temperature). */
  alphaLr: number;
  /** Steps of uniformly random actions before the first update. */
  learningStarts: number;
  /** Gradient steps per environment step (after `learningStarts`). */
  gradientSteps: number;
  /** Update the actor (and α) every this many critic updates. */
  policyFrequency: number;
  /** Clip the global gradient norm of each network to this (0 = off). */
  clipNorm: number;
  /** Log metrics every this many environment steps. */
  logEvery: number;
  /** Evaluate the deterministic policy every this many environment steps (and at the end; 0 = only at the end). */
  evalEvery: number;
  /** Episodes per evaluation (run in lockstep, one actor call per step for all of them). */
  evalEpisodes: number;
  /** Checkpoint at the first episode end after every this many environment steps (0 = never). */
  checkpointEvery: number;
  /** `engine` (the WebAssembly update, the fast path) or `autodiff` (tfjs autodiff, the reference); see the file's doc. */
  impl: SacImpl;
}

export type SacImpl = 'engine' | 'autodiff';

/** The schema of `SacConfig`: field types and ranges, the defaults, and the limits of the engine (one place). */
export const SAC_SCHEMA = configSchema<SacConfig>(
  'SacConfig',
  {
    totalSteps: field.positiveInt(),
    hidden: field.widths(1, MAX_HIDDEN, MAX_LAYER_WIDTH),
    bufferSize: field.range(
      `a positive integer ≤ ${MAX_BUFFER_SIZE}`,
      (x) => Number.isInteger(x) && x > 0 && x <= MAX_BUFFER_SIZE,
    ),
    batchSize: field.positiveInt(),
    gamma: field.unit(),
    tau: field.fraction(),
    actorLr: field.positive(),
    criticLr: field.positive(),
    alphaLr: field.positive(),
    learningStarts: field.nonNegativeInt(),
    gradientSteps: field.positiveInt(),
    policyFrequency: field.positiveInt(),
    clipNorm: field.nonNegative(' (0 = off)'),
    logEvery: field.positiveInt(),
    evalEvery: field.nonNegativeInt(),
    evalEpisodes: field.range(
      `a positive integer ≤ ${MAX_EVAL_EPISODES}`,
      (x) => Number.isInteger(x) && x > 0 && x <= MAX_EVAL_EPISODES,
    ),
    checkpointEvery: field.nonNegativeInt(),
    impl: field.oneOf(['engine', 'autodiff']),
  },
  {
    totalSteps: 15_000,
    hidden: [64, 64],
    bufferSize: 100_000,
    batchSize: 128,
    gamma: 0.99,
    tau: 0.005,
    actorLr: 1e-3,
    criticLr: 1e-3,
    alphaLr: 1e-3,
    learningStarts: 1000,
    gradientSteps: 1,
    policyFrequency: 1,
    clipNorm: 0,
    logEvery: 1000,
    evalEvery: 1000,
    evalEpisodes: 10,
    checkpointEvery: 5000,
    impl: 'engine',
  },
  (c) => (c.batchSize > c.bufferSize ? { field: 'batchSize', allowed: `at most bufferSize (${c.bufferSize})` } : null),
);

export const SAC_DEFAULTS: Readonly<SacConfig> = SAC_SCHEMA.defaults;

/** SAC's own objective (Haarnoja et al.): the uniform prior with α learned toward the entropy target −dim(A). */
export const SAC_OBJECTIVE: ObjectiveSpec = { prior: 'uniform', alpha: 'auto_1', targetEntropy: 'auto' };

/** Bounds of the actor's log-std (CleanRL's squashing of the raw output into [LOG_STD_MIN, LOG_STD_MAX]). */
const LOG_STD_MIN = -5;
const LOG_STD_MAX = 2;
const LOG_STD_MID = 0.5 * (LOG_STD_MAX + LOG_STD_MIN);
const LOG_STD_HALF = 0.5 * (LOG_STD_MAX - LOG_STD_MIN);

/** Checks the env and prior a SAC agent is built for (the config is checked by `SAC_SCHEMA`). */
function checkSacSpaces(env: Pick<Env, 'actionSpace' | 'observationSpace'>, objective: Objective): void {
  if (env.actionSpace.kind !== 'box' || !env.actionSpace.bounded) {
    throw new RangeError(
      `SAC (continuous): the env's actionSpace must be a bounded Box, got ${env.actionSpace.toString()}`,
    );
  }
  if (env.observationSpace.kind !== 'box') {
    throw new RangeError(
      `SAC (continuous): the env's observationSpace must be a Box, got ${env.observationSpace.toString()}`,
    );
  }
  checkPriorMatches(objective.prior, env, 'objective.prior');
}

/**
 * The engine's config for an agent of `cfg` on `env` toward `objective`, or null when the engine cannot
 * take the objective (a reference prior with no host view, `BoxPrior.host`).
 */
export function sacEngineConfig(
  cfg: SacConfig,
  env: Pick<Env, 'actionSpace' | 'observationSpace'>,
  objective: Objective,
): SacEngineConfig | null {
  const prior = objective.prior as BoxPrior;
  let reference: SacEngineReference | undefined;
  if (prior.kind === 'reference') {
    const host = prior.host;
    if (!host) return null;
    reference =
      'actor' in host
        ? { kind: 'actor', sizes: host.actor.sizes, weights: host.actor.weights }
        : { kind: 'gaussian', squash: host.squash };
  }
  const box = env.actionSpace as Box;
  return {
    ...(reference ? { reference } : {}),
    obsDim: (env.observationSpace as Box).dim,
    actDim: box.dim,
    hidden: cfg.hidden,
    low: box.low,
    high: box.high,
    ...engineStepConfig(cfg, objective),
    policyFrequency: cfg.policyFrequency,
  };
}

/** π(·|s) from the actor's raw output `[B, 2d]` = [μ | r]: log σ = min + ½(max − min)(tanh(r) + 1). */
export function policyFromOutput(out: tf.Tensor2D, bounds: Box): TanhGaussian {
  const [mean, raw] = tf.split(out, 2, 1);
  const logStd = tf.add(LOG_STD_MID, tf.mul(LOG_STD_HALF, tf.tanh(raw)));
  return new TanhGaussian(mean, logStd, bounds);
}

/**
 * The actor's head as one op with a hand-written backward (the same values as
 * `policyFromOutput(out).rsampleWithLogProb(eps)`, whose math it reuses; tfjs's tape would record ~35 small
 * ops and clone their inputs). `(out [B, 2d], ε [B, d]) → [ã | log π(ã|s)]` (`[B, d + 1]`). With
 * u = μ + σε, y = tanh(u), ã = c + h·y, and log π = Σ_d [−½ε² − log σ − ½ log 2π − log(1 − y²) − log h]
 * (u − μ = σε exactly under reparameterization), the gradients for upstream (g_ã, g_logπ) are
 *   ∂/∂u = g_ã·h(1 − y²) + g_logπ·2y,   ∂/∂μ = ∂/∂u,   ∂/∂log σ = ∂/∂u·σε − g_logπ,
 *   ∂/∂r = ∂/∂log σ · half·(1 − tanh²(r)).
 */
export function squashedSample(bounds: Box): (out: tf.Tensor2D, eps: tf.Tensor2D) => tf.Tensor2D {
  const d = bounds.dim;
  const halfRange = Float32Array.from(bounds.high, (hi, i) => (hi - bounds.low[i]) / 2);
  return tf.customGrad((out, eps, save) => {
    const pi = policyFromOutput(out as tf.Tensor2D, bounds);
    const u = pi.base.rsample(eps as tf.Tensor);
    const value = tf.concat([pi.squash(u), tf.reshape(pi.logProbFromPreTanh(u), [-1, 1])], 1);
    (save as tf.GradSaveFunc)([u, pi.base.logStd, eps as tf.Tensor]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, [uS, logStd, epsS]: tf.Tensor[]) => {
        const [gA, gLogPi] = tf.split(dy, [d, 1], 1);
        const y = tf.tanh(uS);
        const oneMinusY2 = tf.sub(1, tf.square(y));
        const gU = tf.add(tf.mul(gA, tf.mul(tf.tensor1d(halfRange), oneMinusY2)), tf.mul(gLogPi, tf.mul(2, y)));
        const gLogStd = tf.sub(tf.mul(gU, tf.mul(tf.exp(logStd), epsS)), gLogPi);
        // tanh(r) recovered from log σ: tanh(r) = (log σ − mid)/half.
        const tanhR = tf.div(tf.sub(logStd, LOG_STD_MID), LOG_STD_HALF);
        const gRaw = tf.mul(gLogStd, tf.mul(LOG_STD_HALF, tf.sub(1, tf.square(tanhR))));
        return [tf.concat([gU, gRaw], 1), tf.zerosLike(epsS)];
      },
    };
  }) as (out: tf.Tensor2D, eps: tf.Tensor2D) => tf.Tensor2D;
}

/**
 * A saved SAC actor (`sizes` [obsDim, ...hidden, 2d], src/nn/mlp.ts flat `weights`) as a frozen reference:
 * p(·|s) = its tanh-squashed Gaussian over `box`, log σ = mid + half·tanh(r) as `policyFromOutput`. The
 * `gaussian` function serves tfjs (and `policyStats`); `actor` lets the engine hold the same network.
 */
export function sacActorReference(sizes: readonly number[], weights: Float32Array, box: Box): ReferenceSource {
  const net = new Mlp({ sizes: [...sizes], name: 'saved_sac_actor' }, new Rng(0)); // weights overwritten below
  net.setWeights(weights);
  return {
    gaussian: (obs) => {
      const pi = policyFromOutput(net.apply(obs, { frozen: true }) as tf.Tensor2D, box);
      return { mean: pi.base.mean as tf.Tensor2D, logStd: pi.base.logStd };
    },
    squash: true,
    actor: { sizes: [...sizes], weights: weights.slice() },
    dispose: () => net.dispose(),
  };
}

/** Everything needed to continue training exactly: weights, optimizers and temperature (the layout both paths share), counters. */
export interface SacState extends EngineWeights {
  updates: number;
  /** The latest update's scalars (so the first log after a resume reads what it would have). */
  metrics: Record<string, number>;
}

/** The agent: networks, optimizers and one gradient step. Its loop is `sacLoop` below (driven by the learner protocol). */
export class SacContinuous {
  readonly actionSpace: Box;
  readonly obsDim: number;
  readonly actDim: number;
  /** Actor, twin critics, target, the engine or the tfjs optimizers: the skeleton both SACs share. */
  private readonly skeleton: SacSkeleton<SacEngine>;
  /** The WebAssembly engine running the update, or null on the tfjs path (see the file's doc). */
  private readonly engine: SacEngine | null;
  private readonly prior: BoxPrior;
  private readonly head: (out: tf.Tensor2D, eps: tf.Tensor2D) => tf.Tensor2D;
  /** tfjs path: gradient steps taken (the engine counts its own). */
  private tfUpdates = 0;
  /** Scalars of the latest update, kept on the device until `readMetrics` (tfjs path). */
  private metrics: Record<string, tf.Scalar> = {};

  readonly cfg: SacConfig;

  constructor(
    cfg: SacConfig,
    env: Pick<Env, 'actionSpace' | 'observationSpace'>,
    readonly objective: Objective,
    /** Initializes the weights (e.g. the `agent` stream). */
    initRng: Rng,
  ) {
    this.cfg = resolveConfig(SAC_SCHEMA, cfg);
    checkSacSpaces(env, objective);
    this.prior = objective.prior as BoxPrior;
    this.actionSpace = env.actionSpace as Box;
    this.obsDim = (env.observationSpace as Box).dim;
    this.actDim = this.actionSpace.dim;
    cfg = this.cfg;
    const hidden = cfg.hidden;
    // The tfjs fallback of the engine runs on src/nn's fused networks; `autodiff` on the plain ones.
    const impl = cfg.impl === 'autodiff' ? 'autodiff' : 'fused';
    this.head = squashedSample(this.actionSpace);
    const engineCfg = cfg.impl === 'engine' ? sacEngineConfig(cfg, env, objective) : null;
    this.engine = engineCfg ? new SacEngine(engineModule('SacContinuous'), engineCfg) : null;
    this.skeleton = new SacSkeleton(
      {
        actor: { sizes: [this.obsDim, ...hidden, 2 * this.actDim], impl, name: 'actor' },
        critic: { sizes: [this.obsDim + this.actDim, ...hidden, 1], impl, name: 'critic' },
        criticTargetName: 'critic_target',
        learningRates: cfg,
        clipNorm: cfg.clipNorm,
        alpha: objective.alpha,
      },
      initRng,
      this.engine,
    );
  }

  /** True when the WebAssembly engine runs the update (`impl: 'engine'`; every prior built here has a host view). */
  get usesEngine(): boolean {
    return this.engine !== null;
  }

  /** Gradient steps taken. */
  get updates(): number {
    return this.engine ? this.engine.updates : this.tfUpdates;
  }

  get actor(): Mlp {
    return this.skeleton.actor;
  }

  get critic(): Mlp {
    return this.skeleton.critic;
  }

  get criticTarget(): Mlp {
    return this.skeleton.criticTarget;
  }

  /** Replaces the actor's weights (`Mlp.getWeights` layout) on whichever path holds them (a saved policy loaded). */
  setActorWeights(w: Float32Array): void {
    this.skeleton.nets.setParams('actor', w);
  }

  /** The tfjs path's state (throws on the engine path, a bug if reached). */
  private get tfPath(): TfjsTrainer {
    return this.skeleton.tfPath;
  }

  /** π(·|s) for encoded obs `[B, obsDim]`: a tanh-squashed Gaussian over the env's Box. */
  policy(obs: tf.Tensor2D): TanhGaussian {
    return policyFromOutput(this.actor.apply(obs) as tf.Tensor2D, this.actionSpace);
  }

  /** A reparameterized sample ã = squash(μ + σε) and log π(ã|s), through the fused head (see `squashedSample`). */
  sample(obs: tf.Tensor2D, eps: tf.Tensor2D): { action: tf.Tensor2D; logProb: tf.Tensor1D } {
    const out = this.head(this.actor.apply(obs) as tf.Tensor2D, eps);
    const [action, logProb] = tf.split(out, [this.actDim, 1], 1);
    return { action: action as tf.Tensor2D, logProb: tf.reshape(logProb, [-1]) as tf.Tensor1D };
  }

  /** Actions for a batch of observations (row-major `[n, obsDim]`): sampled with noise from `rng`, or the mean. */
  act(obs: Float32Array, opts: { deterministic: true } | { deterministic: false; rng: Rng }): Float32Array {
    const n = obs.length / this.obsDim;
    if (this.engine) {
      if (opts.deterministic) return this.engine.act(obs, opts);
      // The same draws, in the same order, as `standardNormal(rng, [n, actDim])` on the tfjs path.
      return this.engine.act(obs, {
        deterministic: false,
        eps: Float32Array.from({ length: n * this.actDim }, () => opts.rng.normal()),
      });
    }
    return tf.tidy(() => {
      const pi = this.policy(tf.tensor2d(obs, [n, this.obsDim]));
      const a = opts.deterministic
        ? pi.mode()
        : pi.rsampleWithLogProb(standardNormal(opts.rng, [n, this.actDim])).action;
      return a.dataSync() as Float32Array;
    });
  }

  /**
   * Monte Carlo estimates over observations `[n, obsDim]` with one fresh action ã ~ π(·|s) each: the
   * entropy H(π) = −E[log π(ã|s)] and, given a prior, E[log π(ã|s) − log p(ã|s)] = KL(π‖p) (per step, nats).
   */
  policyStats(obs: Float32Array, rng: Rng, prior: BoxPrior = this.prior): { entropy: number; kl: number } {
    const n = obs.length / this.obsDim;
    const [entropy, kl] = tf.tidy(() => {
      const o = tf.tensor2d(obs, [n, this.obsDim]);
      const pi = this.sample(o, standardNormal(rng, [n, this.actDim]) as tf.Tensor2D);
      const h = tf.neg(tf.mean(pi.logProb));
      const logP = prior.logProb(o, pi.action);
      return [h.dataSync()[0], tf.mean(tf.sub(pi.logProb, logP)).dataSync()[0]];
    });
    return { entropy, kl };
  }

  /** The temperature α as a tensor (learned: exp(log α); fixed: the constant). */
  private alpha(): tf.Scalar {
    return this.objective.targetKl !== null
      ? (tf.exp(this.tfPath.logAlpha) as tf.Scalar)
      : tf.scalar(this.objective.alpha);
  }

  /** One gradient step of the critics (and, every `policyFrequency` steps, of the actor and α). No host reads. */
  update(batch: ReplayBatch, rng: Rng): void {
    if (this.engine) {
      const host = this.prior.host;
      const params = host && 'params' in host ? priorParams(host.params, batch) : undefined;
      this.engine.update(batch, this.engine.drawNoise(batch.batchSize, rng), params);
      this.skeleton.nets.changed();
      return;
    }
    const { batchSize: B } = batch;
    const { actorOpt, criticOpt, alphaOpt } = this.tfPath;
    const { obsDim, actDim, cfg } = this;
    const kept: Record<string, tf.Scalar> = {};
    tf.tidy(() => {
      const obs = tf.tensor2d(batch.obs, [B, obsDim]);
      const action = tf.tensor2d(batch.action, [B, actDim]);
      const nextObs = tf.tensor2d(batch.nextObs, [B, obsDim]);
      const reward = tf.tensor1d(batch.reward);
      const notDone = tf.sub(1, tf.tensor1d(batch.terminated));
      const alpha = this.alpha();

      // ---- critic: y = r + γ(1 − terminated)·(min_k Q'_k(s', a') − α(log π(a'|s') − log p(a'|s'))), a' ~ π(·|s')
      const next = this.sample(nextObs, standardNormal(rng, [B, actDim]) as tf.Tensor2D);
      const nextKl = tf.sub(next.logProb, this.prior.logProb(nextObs, next.action as tf.Tensor2D));
      const qNextMin = tf.min(
        tf.reshape(this.criticTarget.apply(tf.concat([nextObs, next.action], 1) as tf.Tensor2D), [2, B]),
        0,
      );
      const y = tf.add(reward, tf.mul(tf.mul(cfg.gamma, notDone), tf.sub(qNextMin, tf.mul(alpha, nextKl))));
      const sa = tf.concat([obs, action], 1) as tf.Tensor2D;
      const critic = tf.variableGrads(() => {
        const q = tf.reshape(this.critic.apply(sa), [2, B]);
        kept.q = tf.keep(tf.mean(q));
        return tf.mul(0.5, tf.sum(tf.mean(tf.square(tf.sub(q, y)), 1))) as tf.Scalar; // L_Q = ½ Σ_k E[(Q_k(s,a) − y)²]
      }, this.critic.params);
      criticOpt.step(this.critic.params.map((v) => critic.grads[v.name]));
      kept.criticLoss = tf.keep(critic.value);

      if (this.tfUpdates % cfg.policyFrequency === 0) {
        // ---- actor: L_π = E_s[ α(log π(ã|s) − log p(ã|s)) − min_k Q_k(s, ã) ], ã = squash(μ + σε) (reparameterized)
        const eps = standardNormal(rng, [B, actDim]) as tf.Tensor2D;
        const actor = tf.variableGrads(() => {
          const pi = this.sample(obs, eps);
          const kl = tf.sub(pi.logProb, this.prior.logProb(obs, pi.action as tf.Tensor2D)); // log π − log p
          const qMin = tf.min(
            tf.reshape(this.critic.apply(tf.concat([obs, pi.action], 1) as tf.Tensor2D, { frozen: true }), [2, B]),
            0,
          );
          kept.kl = tf.keep(tf.mean(kl));
          kept.entropy = tf.keep(tf.neg(tf.mean(pi.logProb)) as tf.Scalar);
          return tf.mean(tf.sub(tf.mul(alpha, kl), qMin)) as tf.Scalar;
        }, this.actor.params);
        actorOpt.step(this.actor.params.map((v) => actor.grads[v.name]));
        kept.actorLoss = tf.keep(actor.value);
        if (this.objective.targetKl !== null) {
          // ---- temperature: L_α = log α · (KL̄ − E[log π − log p]), so ∂L_α/∂log α = KL̄ − E[kl]:
          // α grows while the policy is further from the prior than the target, shrinks otherwise.
          alphaOpt.step([tf.sub(this.objective.targetKl, kept.kl)]);
        }
      }
      polyakUpdate(this.criticTarget.params, this.critic.params, cfg.tau);
      kept.alpha = tf.keep(this.alpha());
    });
    for (const [k, v] of Object.entries(kept)) {
      this.metrics[k]?.dispose();
      this.metrics[k] = v;
    }
    this.tfUpdates += 1;
  }

  /** The latest update's scalars, read back from the device (once per log step); {} before the first update. */
  readMetrics(): Record<string, number> {
    if (this.engine) return this.engine.updates > 0 ? { ...this.engine.readMetrics() } : {};
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.metrics)) out[k] = v.dataSync()[0];
    return out;
  }

  getState(): SacState {
    if (this.engine) return this.engine.getState();
    const t = this.tfPath;
    return {
      actor: this.actor.getWeights(),
      critic: this.critic.getWeights(),
      criticTarget: this.criticTarget.getWeights(),
      actorOpt: t.actorOpt.getState(),
      criticOpt: t.criticOpt.getState(),
      alphaOpt: t.alphaOpt.getState(),
      logAlpha: t.logAlpha.dataSync()[0],
      updates: this.tfUpdates,
      metrics: this.readMetrics(),
    };
  }

  /** Restores a state of either path (the Adam moments flat or per weight and bias). */
  setState(s: SacState): void {
    if (this.engine) {
      this.engine.setState(s);
      this.skeleton.nets.changed();
      return;
    }
    const t = this.tfPath;
    this.actor.setWeights(s.actor);
    this.critic.setWeights(s.critic);
    this.criticTarget.setWeights(s.criticTarget);
    t.actorOpt.setState(s.actorOpt);
    t.criticOpt.setState(s.criticOpt);
    t.alphaOpt.setState(s.alphaOpt);
    tf.tidy(() => t.logAlpha.assign(tf.scalar(s.logAlpha)));
    this.tfUpdates = s.updates;
    for (const v of Object.values(this.metrics)) v.dispose();
    this.metrics = Object.fromEntries(Object.entries(s.metrics).map(([k, v]) => [k, tf.scalar(v)]));
  }

  dispose(): void {
    this.skeleton.dispose();
    for (const v of Object.values(this.metrics)) v.dispose();
    this.metrics = {};
  }
}

/** A host reference's μ_ref, log σ_ref at the batch's s and s′ (one pass each, for the engine). */
function priorParams(params: HostGaussianParams, batch: ReplayBatch): SacEnginePriorParams {
  const now = params(batch.obs, batch.batchSize);
  const next = params(batch.nextObs, batch.batchSize);
  return { mean: now.mean, logStd: now.logStd, nextMean: next.mean, nextLogStd: next.logStd };
}

/** A checkpoint of a run at an episode end: the agent, the replay buffer and the loop's counters (the shared SAC envelope). */
export type SacCheckpoint = SacRunCheckpoint<SacState>;

/** The agent as a batch policy (what the episode runner and the learner protocol act through). */
export function sacPolicy(agent: SacContinuous): BatchPolicy {
  return {
    actionWidth: agent.actDim,
    act: (obs, opts) => {
      const flat = new Float32Array(obs.length * agent.obsDim);
      obs.forEach((o, i) => flat.set(o as Float32Array, i * agent.obsDim));
      return agent.act(flat, opts);
    },
  };
}

/**
 * Reads the latest update's scalars and throws a DivergedError if one is NaN or infinite, or α ran away (or for
 * the non-finite `action` given: a NaN action means the actor already went NaN).
 */
function failIfNotFinite(agent: SacContinuous, step: number, action?: Float32Array): Record<string, number> {
  if (action) throw new DivergedError('SAC', 'action', action.find((x) => !Number.isFinite(x)) ?? NaN, step);
  const m = agent.readMetrics();
  checkFinite('SAC', m, step);
  checkTemperature('SAC', m.alpha, m.kl, step, agent.objective.targetKl);
  return m;
}

/** One log step's scalars (the vocabulary's keys); throws a DivergedError if the latest update's are not finite. */
function logScalars(
  agent: SacContinuous,
  step: number,
  finished: readonly EpisodeStat[],
  episodes: number,
  evalReturn: number | undefined,
): Record<string, number> {
  const scalars: Record<string, number> = {};
  if (finished.length > 0)
    scalars['charts/episodic_return'] = finished.reduce((a, e) => a + e.ret, 0) / finished.length;
  if (evalReturn !== undefined) scalars['charts/eval_return'] = evalReturn;
  scalars['charts/episodes'] = episodes;
  if (agent.updates > 0) {
    const m = failIfNotFinite(agent, step);
    Object.assign(scalars, {
      'losses/critic': m.criticLoss,
      'losses/actor': m.actorLoss,
      'charts/alpha': m.alpha,
      'charts/entropy': m.entropy,
      'charts/q': m.q,
      'charts/kl_prior': m.kl, // E[log π − log p], one sample per state
    });
  }
  return scalars;
}

/**
 * The training loop (CleanRL's `__main__`, on the shared `SacLoop`): collect with the stochastic policy
 * (uniform random actions for the first `learningStarts` steps), store transitions (the true final
 * observation on truncation; only `terminated` stops bootstrapping), update every step, log, evaluate.
 * Streams: `env` (episode reset seeds), `agent` (exploration and update noise), `buffer` (minibatch
 * indices), `eval` (evaluation seeds); the agent's initial weights come from `init`. Each episode starts from
 * `reset({ seed })` with a seed drawn from `env`, so a checkpoint at an episode end plus the streams' state
 * resumes exactly.
 */
export function sacLoop(
  agent: SacContinuous,
  env: Env,
  makeEnv: () => Env,
  streams: RngStreams,
): SacLoop<Float32Array> {
  const { cfg } = agent;
  const [envRng, agentRng, bufferRng, evalRng] = ['env', 'agent', 'buffer', 'eval'].map((n) => streams.get(n));
  const parts: SacLoopParts<Float32Array> = {
    obsWidth: agent.obsDim,
    actWidth: agent.actDim,
    encode: (obs) => obs as Float32Array,
    collect: (obs, step) => {
      // random before learningStarts, then a' ~ π(·|s)
      const action =
        step < cfg.learningStarts
          ? Float32Array.from(agent.actionSpace.sample(agentRng))
          : agent.act(obs as Float32Array, { deterministic: false, rng: agentRng });
      if (!action.every(Number.isFinite)) failIfNotFinite(agent, step, action);
      return action;
    },
    learn: (batch) => agent.update(batch, agentRng),
    scalars: (step, finished, episodes, evalReturn) => logScalars(agent, step, finished, episodes, evalReturn),
    evaluate: () => meanReturn(sacPolicy(agent), makeEnv, cfg.evalEpisodes, evalRng),
  };
  return new SacLoop({ ...cfg, updateEvery: 1 }, env, parts, { reset: envRng, buffer: bufferRng });
}
