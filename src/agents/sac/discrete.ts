/**
 * Soft Actor-Critic for discrete actions (Christodoulou 2019, "Soft Actor-Critic for Discrete Action
 * Settings"), with the objective as a value: the agent maximizes `E[Σ γ^t (r_t − α·KL(π(·|s_t) ‖ p(·|s_t)))]`.
 * With a uniform prior this is max-entropy SAC (the KL is log|A| − H(π)); with a reference prior it is
 * KL-regularized RL; with `none`, α ≡ 0 and it is plain RL. At α = 0 the soft updates still apply, but a
 * collapsed π stops following its critic; the named option `atZeroAlpha: 'greedy'` takes the α → 0 limits
 * of the target and the improvement step instead (see `greedyActor`) and, since a greedy π no longer
 * explores, pairs with ε-greedy collection (`explorationEpsilon`, as DQN does), optionally temporally
 * extended (`explorationRepeatMu`); see `TABULAR_DISCRETE_SAC_PLAIN`.
 *
 * Every expectation over actions is computed exactly from the categorical probabilities (no sampling):
 *
 *   critic target  y = r + γ(1 − terminated) Σ_a' π(a'|s') [ min_k Q̄_k(s',a') − α(log π(a'|s') − log p(a'|s')) ]
 *                  (α ≡ 0: y = r + γ(1 − terminated) max_a' min_k Q̄_k(s',a'), clipped double Q-learning)
 *   critic loss    ½ Σ_k E[(Q_k(s,a) − y)²]                  (as continuous SAC: the ½ of SB3's critic loss)
 *   actor loss     E_s Σ_a π(a|s) [ α(log π(a|s) − log p(a|s)) − min_k Q_k(s,a) ]
 *                  (α ≡ 0: −E_s log π(argmax_a min_k Q_k(s,a) | s), the greedy improvement step; see `greedyActor`)
 *   α loss         E_s[ log α · (KL_target − KL(π(·|s) ‖ p(·|s))) ]   (auto-temperature, minimized over log α)
 *                  (the log-α form, as continuous SAC and most SAC implementations: ∂/∂log α = KL_target − KL,
 *                  so log α moves at a rate set by the KL gap alone, not scaled by α itself)
 *
 * A learned α is driven toward the Objective's target KL (with a uniform prior a target entropy H̄ gives
 * KL̄ = log|A| − H̄; Christodoulou's is H̄ = 0.98·log|A|).
 *
 * Two implementations of the same update (`impl`): `engine` (default, the fast path: one call into the
 * WebAssembly engine of src/nn/engine, `DiscreteSacEngine`, which holds the weights and optimizer state and
 * takes the prior's log-probabilities with each batch, so every prior runs on it; its module must be loaded
 * first, `loadSacEngine`, done by the backend inits) and `autodiff` (tfjs autodiff through src/nn's Mlp, the
 * plain reference the engine is tested against). Checkpoints are the same on both.
 *
 * Browser-safe (no Node imports). This file is the agent (networks, temperature, the update); its config is
 * `discrete-config.ts`, its loop `discrete-trainer.ts`. Use it through the learner protocol:
 *
 *   const env = make('TwoRoute-v0');
 *   const objective = makeObjective({ prior: 'reference', alpha: 0.15 }, env, { reference: { table: twoRouteReference(env) } });
 *   const learner = createLearner('sac-discrete', { makeEnv, objective, config: TABULAR_DISCRETE_SAC, streams });
 *   await learner.run({ log: (step, scalars) => ctx.log(step, scalars) });   // or learner.step() per frame
 *   learner.policyTable(); learner.save(); learner.asPrior();
 *
 * Observations of tabular envs are one-hot encoded (`priors/encoding.ts`).
 */
import * as tf from '@tensorflow/tfjs';
import { RngStreams, type RngState } from '../../core/rng.js';
import type { Discrete, Space } from '../../core/spaces.js';
import type { Observation } from '../../envs/env.js';
import { Mlp, polyakUpdate } from '../../nn/index.js';
import { DiscreteSacEngine, engineModule, type EngineWeights } from '../../nn/engine/index.js';
import {
  checkPriorMatches,
  encodeObservations,
  isDiscretePrior,
  obsDim,
  tableFromLogits,
  type DiscretePrior,
  type Objective,
  type PriorSpaces,
} from '../../priors/index.js';
import type { ActOptions } from '../episodes.js';
import { checkCheckpointVersion, LEARNER_CHECKPOINT_VERSION } from '../loop.js';

import { SacSkeleton, type TfjsTrainer } from './skeleton.js';
import { discreteEngineConfig, resolveDiscreteSacConfig, type DiscreteSacConfig } from './discrete-config.js';

/** Per-update statistics, in this order, kept on the device until a log step reads them. */
const STAT_NAMES = [
  'losses/critic',
  'losses/actor',
  'losses/alpha',
  'charts/alpha',
  'charts/entropy',
  'charts/kl_prior',
  'charts/q',
] as const;

/** A sampled minibatch on the host, encoded (a `ReplayBuffer` sample): obs and nextObs `[B, obsDim]`, the rest `[B]`. */
export interface DiscreteHostBatch {
  batchSize: number;
  obs: Float32Array;
  action: ArrayLike<number>;
  reward: Float32Array;
  nextObs: Float32Array;
  terminated: Float32Array;
}

/** A sampled minibatch, already encoded: obs and nextObs `[B, obsDim]`, the rest `[B]`. */
export interface DiscreteBatch {
  obs: tf.Tensor2D;
  actions: tf.Tensor1D;
  rewards: tf.Tensor1D;
  nextObs: tf.Tensor2D;
  terminated: tf.Tensor1D;
}

/**
 * Everything needed to restore an agent exactly: the weights and optimizer state in the engine's layout
 * (typed arrays, as continuous SAC's `SacState`; `encodeF32Json` of src/core/f32json.ts stores them), the
 * config, the spaces it was trained on and the RNG streams.
 */
export interface DiscreteSacCheckpoint extends EngineWeights {
  version: typeof LEARNER_CHECKPOINT_VERSION;
  config: DiscreteSacConfig;
  observationSpace: string;
  actionSpace: string;
  gradientSteps: number;
  rng: Record<string, RngState>;
}

export class DiscreteSacAgent {
  readonly cfg: DiscreteSacConfig;
  readonly observationSpace: Space;
  readonly actionSpace: Discrete;
  readonly objective: Objective;
  readonly prior: DiscretePrior;
  readonly streams: RngStreams;
  /** Actor, twin critics, target, the engine or the tfjs optimizers: the skeleton both SACs share. */
  private readonly skeleton: SacSkeleton<DiscreteSacEngine>;
  /** The WebAssembly engine running the update (`impl: 'engine'`), or null. */
  private readonly engine: DiscreteSacEngine | null;
  private gradSteps = 0;
  private stats: tf.Tensor1D | null = null;

  constructor(spaces: PriorSpaces, objective: Objective, config: Partial<DiscreteSacConfig> = {}) {
    this.cfg = resolveDiscreteSacConfig(config);
    if (spaces.actionSpace.kind !== 'discrete') {
      throw new RangeError(
        `DiscreteSacAgent: actionSpace must be Discrete, got ${spaces.actionSpace.toString()} (use the continuous SAC)`,
      );
    }
    const prior = objective.prior;
    checkPriorMatches(prior, spaces, 'objective.prior');
    if (!isDiscretePrior(prior))
      throw new RangeError(`objective.prior: needs a Discrete action space, got ${prior.label}`);
    if (this.cfg.atZeroAlpha === 'greedy' && (objective.alpha !== 0 || objective.targetKl !== null)) {
      throw new RangeError(
        `DiscreteSacConfig.atZeroAlpha: 'greedy' needs an objective with α fixed at 0, got ${objective.label} (allowed with it: 'soft')`,
      );
    }
    this.observationSpace = spaces.observationSpace;
    this.actionSpace = spaces.actionSpace;
    this.objective = objective;
    this.prior = prior;
    this.streams = new RngStreams(this.cfg.seed);
    const nA = this.actionSpace.n;
    const sizes = [obsDim(this.observationSpace), ...this.cfg.hidden, nA];
    const init = this.streams.get('init');
    const { activation, impl } = this.cfg;
    const netImpl = impl === 'autodiff' ? 'autodiff' : 'fused';
    this.engine =
      impl === 'engine'
        ? new DiscreteSacEngine(engineModule('DiscreteSacAgent'), discreteEngineConfig(this.cfg, spaces, objective))
        : null;
    this.skeleton = new SacSkeleton(
      {
        actor: { sizes, activation, impl: netImpl, name: 'sacd_actor' },
        critic: { sizes, activation, impl: netImpl, name: 'sacd_critic' },
        criticTargetName: 'sacd_critic_target',
        learningRates: this.cfg,
        clipNorm: this.cfg.clipNorm,
        alpha: objective.alpha,
      },
      init,
      this.engine,
    );
  }

  /** π(a|s) logits: encoded obs → `[B, |A|]`. */
  get actor(): Mlp {
    return this.skeleton.actor;
  }

  /** Twin soft Q-networks in one ensemble: encoded obs → `[2, B, |A|]`. */
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

  /**
   * True with `atZeroAlpha: 'greedy'` (allowed only when the Objective's α is fixed at 0). Then both steps
   * take their α → 0 limit:
   * - the actor fits the greedy policy argmax_a min_k Q_k(s,a) by maximum likelihood instead of minimizing
   *   E_π[−Q]. Both have that optimum (the limit of π ∝ p·exp(Q/α)), but E_π[−Q] has the gradient
   *   π(a|s)(Q(s,a) − V(s)), which vanishes once π is near-deterministic: a collapsed policy stops following
   *   its critic. The cross-entropy −log π(a*|s) keeps the gradient 1 − π(a*|s) on the greedy action (MPO's
   *   weighted maximum likelihood at zero temperature);
   * - the critic backs up max_a' min_k Q̄_k(s',a') (the limit of the soft backup α log Σ p exp(Q/α)), so it
   *   learns Q* from whatever the buffer holds instead of evaluating a π that may be stuck in a loop.
   */
  get greedyActor(): boolean {
    return this.cfg.atZeroAlpha === 'greedy';
  }

  /** True when α is learned toward the Objective's target KL. */
  get tunesAlpha(): boolean {
    return this.objective.targetKl !== null;
  }

  /** The current temperature as a scalar tensor (tfjs path). */
  private alphaTensor(): tf.Scalar {
    return tf.exp(this.tfPath.logAlpha) as tf.Scalar;
  }

  /** The current temperature (reads the device or the engine). */
  get alpha(): number {
    if (this.engine) return Math.fround(Math.exp(this.engine.logAlpha));
    return tf.tidy(() => this.alphaTensor().dataSync()[0]);
  }

  /** Gradient steps taken. */
  get updates(): number {
    return this.engine ? this.engine.gradientSteps : this.gradSteps;
  }

  /** Encodes observations as the networks read them (one-hot for tabular states). */
  encode(obs: readonly Observation[]): tf.Tensor2D {
    return tf.tensor2d(encodeObservations(this.observationSpace, obs), [obs.length, obsDim(this.observationSpace)]);
  }

  /** π(·|s) for a batch of encoded obs, as probabilities `[B, |A|]` (a fresh tensor). */
  probs(obs: tf.Tensor2D): tf.Tensor2D {
    if (this.engine)
      return tf.tensor2d(this.engine.probs(obs.dataSync() as Float32Array), [obs.shape[0], this.actionSpace.n]);
    return tf.tidy(() => tf.softmax(this.actor.apply(obs) as tf.Tensor2D));
  }

  /** π(·|s) for one observation, on the host. */
  actionProbs(obs: Observation): Float32Array {
    if (this.engine) return this.engine.probs(encodeObservations(this.observationSpace, [obs]));
    return tf.tidy(() => this.probs(this.encode([obs])).dataSync() as Float32Array);
  }

  /** Actions for a batch of observations: the mode of π(·|s) (the first on ties), or drawn with `opts.rng`. */
  act(obs: readonly Observation[], opts: ActOptions): Float32Array {
    const probs = tf.tidy(() => this.probs(this.encode(obs)).dataSync() as Float32Array);
    const n = this.actionSpace.n;
    return Float32Array.from(obs, (_, i) => {
      const p = probs.subarray(i * n, (i + 1) * n);
      if (!opts.deterministic) return opts.rng.categorical(p);
      let best = 0;
      for (let a = 1; a < n; a++) if (p[a] > p[best]) best = a;
      return best;
    });
  }

  /** One gradient step on a host batch (the trainer's; the engine path takes it as it is). */
  updateFrom(b: DiscreteHostBatch): void {
    const B = b.batchSize;
    const width = obsDim(this.observationSpace);
    if (this.engine) {
      const n = this.actionSpace.n;
      // log p(·|s) and log p(·|s') of the rows, from the Objective's prior in one pass.
      const logP = tf.tidy(() => {
        const both = new Float32Array(2 * B * width);
        both.set(b.obs);
        both.set(b.nextObs, B * width);
        return this.prior.logProbs(tf.tensor2d(both, [2 * B, width])).dataSync() as Float32Array;
      });
      const { obs, nextObs, terminated } = b;
      this.engine.update({
        batchSize: B,
        obs,
        actions: b.action,
        rewards: b.reward,
        nextObs,
        terminated,
        logP: logP.subarray(0, B * n),
        logPNext: logP.subarray(B * n),
      });
      this.skeleton.nets.changed();
      return;
    }
    tf.tidy(() =>
      this.update({
        obs: tf.tensor2d(b.obs, [B, width]),
        actions: tf.tensor1d(Int32Array.from(b.action), 'int32'),
        rewards: tf.tensor1d(b.reward),
        nextObs: tf.tensor2d(b.nextObs, [B, width]),
        terminated: tf.tensor1d(b.terminated),
      }),
    );
  }

  /** One gradient step on the critics, the actor and (if tuned) α. No host reads on the tfjs path. */
  update(batch: DiscreteBatch): void {
    if (this.engine) {
      const B = batch.obs.shape[0];
      const host = (t: tf.Tensor) => t.dataSync() as Float32Array;
      const action = batch.actions.dataSync();
      this.updateFrom({
        batchSize: B,
        obs: host(batch.obs),
        action,
        reward: host(batch.rewards),
        nextObs: host(batch.nextObs),
        terminated: host(batch.terminated),
      });
      return;
    }
    const { actorOpt, criticOpt, alphaOpt, logAlpha } = this.tfPath;
    const { gamma } = this.cfg;
    const nA = this.actionSpace.n;
    tf.tidy(() => {
      const alpha = this.alphaTensor();
      const { obs, actions, rewards, nextObs, terminated } = batch;

      // ---- critic ----
      // y = r + γ(1 − terminated) Σ_a' π(a'|s') [ min_k Q̄_k(s',a') − α(log π(a'|s') − log p(a'|s')) ]
      const logPiNext = tf.logSoftmax(this.actor.apply(nextObs) as tf.Tensor2D);
      const minQNext = tf.min(this.criticTarget.apply(nextObs), 0);
      const softQNext = tf.sub(minQNext, tf.mul(alpha, tf.sub(logPiNext, this.prior.logProbs(nextObs))));
      // α ≡ 0: the backup's α → 0 limit, max_a' min_k Q̄_k(s',a') (clipped double Q-learning; see `greedyActor`).
      const vNext = this.greedyActor ? tf.max(minQNext, -1) : tf.sum(tf.mul(tf.exp(logPiNext), softQNext), -1);
      const y = tf.add(rewards, tf.mul(tf.mul(gamma, tf.sub(1, terminated)), vNext));
      const actionMask = tf.oneHot(actions, nA);
      const criticLossFn = () => {
        const qTaken = tf.sum(tf.mul(this.critic.apply(obs), actionMask), -1); // [2, B]: Q_k(s, a)
        return tf.mul(0.5, tf.sum(tf.mean(tf.square(tf.sub(qTaken, y)), 1))) as tf.Scalar; // ½ Σ_k E[(Q_k(s,a) − y)²]
      };
      const critic = tf.variableGrads(criticLossFn, this.critic.params);
      criticOpt.step(this.critic.params.map((v) => critic.grads[v.name]));

      // ---- actor ----
      // E_s Σ_a π(a|s) [ α(log π(a|s) − log p(a|s)) − min_k Q_k(s,a) ]
      const minQ = tf.min(this.critic.apply(obs, { frozen: true }), 0);
      const logP = this.prior.logProbs(obs);
      // At α ≡ 0 the target of the improvement step is the greedy policy: −E_s log π(argmax_a min_k Q_k(s,a) | s).
      const greedy = this.greedyActor ? tf.oneHot(tf.argMax(minQ, -1) as tf.Tensor1D, nA) : null;
      const actorLossFn = () => {
        const logPi = tf.logSoftmax(this.actor.apply(obs) as tf.Tensor2D);
        if (greedy) return tf.neg(tf.mean(tf.sum(tf.mul(greedy, logPi), -1))) as tf.Scalar;
        const klTerm = tf.mul(alpha, tf.sub(logPi, logP)); // α(log π − log p)
        return tf.mean(tf.sum(tf.mul(tf.exp(logPi), tf.sub(klTerm, minQ)), -1)) as tf.Scalar;
      };
      // The policy before this actor step, for the α loss and the statistics (as CleanRL does).
      const logPi = tf.logSoftmax(this.actor.apply(obs) as tf.Tensor2D);
      const actor = tf.variableGrads(actorLossFn, this.actor.params);
      actorOpt.step(this.actor.params.map((v) => actor.grads[v.name]));

      // ---- temperature ----
      // E_s[ log α · (KL_target − KL(π(·|s) ‖ p(·|s))) ], minimized over log α
      const pi = tf.exp(logPi);
      const kl = tf.mean(this.prior.kl(obs, logPi)); // Σ_a π(log π − log p)
      const entropy = tf.neg(tf.mean(tf.sum(tf.mul(pi, logPi), -1)));
      let alphaLoss: tf.Scalar = tf.scalar(0);
      if (this.tunesAlpha) {
        // ∂L_α/∂log α = KL̄ − KL exactly: stepped with that gradient, as continuous SAC does.
        const gap = tf.sub(this.objective.targetKl!, kl);
        alphaLoss = tf.mul(logAlpha, gap);
        alphaOpt.step([gap]);
      }

      this.gradSteps += 1;
      if (this.gradSteps % this.cfg.targetUpdateEvery === 0)
        polyakUpdate(this.criticTarget.params, this.critic.params, this.cfg.tau);

      const meanQ = tf.mean(tf.sum(tf.mul(pi, minQ), -1));
      const stats = tf.stack([critic.value, actor.value, alphaLoss, alpha, entropy, kl, meanQ]) as tf.Tensor1D;
      this.stats?.dispose();
      this.stats = tf.keep(stats);
    });
  }

  /** The latest update's scalars (one device read); {} before the first update. */
  readMetrics(): Record<string, number> {
    if (this.engine) return this.engine.gradientSteps > 0 ? { ...this.engine.lastStats() } : {};
    if (this.stats === null) return {};
    const v = this.stats.dataSync();
    return Object.fromEntries(STAT_NAMES.map((k, i) => [k, v[i]]));
  }

  /** Networks, optimizers, α and RNG streams (copies). */
  getState(): DiscreteSacCheckpoint {
    const st = this.engine
      ? this.engine.getState()
      : {
          actor: this.actor.getWeights(),
          critic: this.critic.getWeights(),
          criticTarget: this.criticTarget.getWeights(),
          logAlpha: this.tfPath.logAlpha.dataSync()[0],
          actorOpt: this.tfPath.actorOpt.getState(),
          criticOpt: this.tfPath.criticOpt.getState(),
          alphaOpt: this.tfPath.alphaOpt.getState(),
          gradientSteps: this.gradSteps,
        };
    return {
      ...st,
      version: LEARNER_CHECKPOINT_VERSION,
      config: { ...this.cfg, hidden: [...this.cfg.hidden] },
      observationSpace: this.observationSpace.toString(),
      actionSpace: this.actionSpace.toString(),
      rng: this.streams.getState(),
    };
  }

  /** Restores a checkpoint taken from an agent with the same spaces and network sizes (either `impl`). */
  setState(ckpt: DiscreteSacCheckpoint): void {
    checkCheckpointSpaces(ckpt, this);
    if (JSON.stringify(ckpt.config.hidden) !== JSON.stringify(this.cfg.hidden)) {
      throw new RangeError(
        `checkpoint.config.hidden: [${ckpt.config.hidden.join(', ')}] does not match this agent's [${this.cfg.hidden.join(', ')}]`,
      );
    }
    if (this.engine) {
      this.engine.setState(ckpt);
      this.skeleton.nets.changed();
    } else {
      const t = this.tfPath;
      this.actor.setWeights(ckpt.actor);
      this.critic.setWeights(ckpt.critic);
      this.criticTarget.setWeights(ckpt.criticTarget);
      tf.tidy(() => t.logAlpha.assign(tf.scalar(ckpt.logAlpha)));
      t.actorOpt.setState(ckpt.actorOpt);
      t.criticOpt.setState(ckpt.criticOpt);
      t.alphaOpt.setState(ckpt.alphaOpt);
      this.gradSteps = ckpt.gradientSteps;
    }
    this.streams.setState(ckpt.rng);
  }

  dispose(): void {
    this.stats?.dispose();
    this.stats = null;
    this.skeleton.dispose();
  }
}

function checkCheckpointSpaces(ckpt: DiscreteSacCheckpoint, spaces: PriorSpaces): void {
  checkCheckpointVersion('checkpoint.version', ckpt.version);
  if (ckpt.observationSpace !== spaces.observationSpace.toString()) {
    throw new RangeError(
      `checkpoint.observationSpace: ${ckpt.observationSpace} does not match the env's ${spaces.observationSpace.toString()}`,
    );
  }
  if (ckpt.actionSpace !== spaces.actionSpace.toString()) {
    throw new RangeError(
      `checkpoint.actionSpace: ${ckpt.actionSpace} does not match the env's ${spaces.actionSpace.toString()}`,
    );
  }
}

/**
 * π(a|s) for every state of a tabular env, nS·nA row-major (the exact solver's layout): for the exactness
 * test and the visualizer's policy arrows.
 */
export function policyTable(agent: DiscreteSacAgent, nStates: number): Float64Array {
  const space = agent.observationSpace;
  if (space.kind !== 'discrete' || space.n !== nStates) {
    throw new RangeError(
      `policyTable: nStates ${nStates} does not match the agent's observationSpace ${space.toString()}`,
    );
  }
  return tableFromLogits('policyTable', space, (obs) => agent.actor.apply(obs));
}
