/**
 * One learner protocol for continuous SAC, discrete SAC and KL-PPO: the CLI's `train`, `eval` and `enjoy`
 * drive any of them the same way. A learner is built from (makeEnv, Objective, config, streams); it acts on a
 * batch of observations, trains in one async, abortable loop with the same hooks for all three (log,
 * progress, checkpoint; evaluation every `evalEvery` steps is part of the loop), exposes its policy as
 * weights (a saved agent, a reference prior) and is disposed once.
 *
 * The adapters are thin: the math stays in `sac/continuous.ts`, `sac/discrete.ts` and `klppo/ppo.ts`, and the
 * continuous SAC adapter runs `trainSac` itself, so `train --algo sac` logs exactly what `sac-pendulum` logs.
 * Browser-safe (no Node imports).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng, RngStreams } from '../core/rng.js';
import type { Box, Discrete, Space } from '../core/spaces.js';
import { yieldToEventLoop } from '../core/yield.js';
import type { Env, Observation } from '../envs/env.js';
import { Mlp } from '../nn/index.js';
import {
  encodeObservations,
  obsDim,
  type BoxPrior,
  type DiscretePrior,
  type Objective,
  type ReferenceSource,
} from '../priors/index.js';
import { KlPpo, type KlPpoCheckpoint, type KlPpoConfig } from './klppo/ppo.js';
import {
  policyFromOutput,
  SAC_DEFAULTS,
  SacContinuous,
  trainSac,
  type SacCheckpoint,
  type SacConfig,
} from './sac/continuous.js';
import {
  DEFAULT_DISCRETE_SAC_CONFIG,
  DiscreteSacTrainer,
  type DiscreteSacConfig,
  type DiscreteSacHooks,
  type DiscreteSacTrainerCheckpoint,
} from './sac/discrete.js';
import { nextMultiple, runSacLoop } from './sac/loop.js';

/** The one list of algorithm names. */
export const ALGOS = ['sac', 'sac-discrete', 'klppo'] as const;
export type Algo = (typeof ALGOS)[number];

/** Which action spaces each algorithm handles (continuous SAC needs a bounded Box). */
export function algoFits(algo: Algo, spaces: { observationSpace: Space; actionSpace: Space }): boolean {
  const a = spaces.actionSpace;
  if (algo === 'sac') return a.kind === 'box' && a.bounded && spaces.observationSpace.kind === 'box';
  if (algo === 'sac-discrete') return a.kind === 'discrete';
  return a.kind === 'discrete' || a.kind === 'box';
}

export type ActOptions = { deterministic: true } | { deterministic: false; rng: Rng };

/** The loop settings every learner shares (in environment steps). */
export interface LoopConfig {
  totalSteps: number;
  /** Evaluate the deterministic policy every this many steps (and at the end; 0 = only at the end). */
  evalEvery: number;
  evalEpisodes: number;
  /** Checkpoint at the first episode (or iteration) end after every this many steps (0 = never). */
  checkpointEvery: number;
}

/** The same hooks for every learner (a `RunContext` provides them all). */
export interface TrainHooks {
  signal?: AbortSignal;
  log(step: number, scalars: Record<string, number>): void;
  progress(step: number, total: number, fields: Record<string, number>): void;
  /** `state` is JSON with Float32Arrays (weights, buffers); `train(hooks, state)` continues from it exactly. */
  checkpoint(step: number, state: unknown): void;
}

/** A policy as plain data: the weights of its networks by name (what a saved agent stores). */
export type PolicyWeights = Record<string, Float32Array>;

export interface Learner {
  readonly algo: Algo;
  readonly objective: Objective;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  /** Numbers per action in `act`'s output: 1 for a Discrete space (the index), else the Box's dimension. */
  readonly actionWidth: number;
  /** Actions for a batch of observations, row-major `[n, actionWidth]`: the mode, or sampled with `opts.rng`. */
  act(obs: readonly Observation[], opts: ActOptions): Float32Array;
  /** Mean over the batch of the policy's entropy and KL(π(·|s) ‖ prior(·|s)) per state (nats; Monte Carlo for a Box). */
  stats(obs: readonly Observation[], rng: Rng): { entropy: number; kl: number };
  /** Trains to `totalSteps` (or until `hooks.signal` aborts, after a checkpoint); `resume` is a checkpoint's state. */
  train(hooks: TrainHooks, resume?: unknown): Promise<void>;
  /** The policy networks' widths, input to output (a saved agent's manifest). */
  networkSizes(): Record<string, number[]>;
  policyWeights(): PolicyWeights;
  setPolicyWeights(w: PolicyWeights): void;
  dispose(): void;
}

export interface LearnerArgs {
  makeEnv: () => Env;
  objective: Objective;
  /** The algorithm's own config fields (validated by its class) plus the loop's. */
  config: Record<string, unknown>;
  /** The run's streams (continuous SAC and KL-PPO draw from named streams of it; discrete SAC from `config.seed`). */
  streams: RngStreams;
}

export function createLearner(algo: Algo, args: LearnerArgs): Learner {
  const env = args.makeEnv();
  try {
    if (!algoFits(algo, env)) {
      const fit = ALGOS.filter((a) => algoFits(a, env));
      throw new RangeError(
        `--algo ${algo} does not fit ${env.id} (actions ${env.actionSpace.toString()}); allowed: ${fit.join(', ') || 'none'}`,
      );
    }
  } finally {
    env.close();
  }
  if (algo === 'sac') return new SacLearner(args);
  if (algo === 'sac-discrete') return new DiscreteSacLearner(args);
  return new KlPpoLearner(args);
}

/** The loop fields, split from the algorithm's own. */
function splitLoop(config: Record<string, unknown>, defaults: LoopConfig): [LoopConfig, Record<string, unknown>] {
  const { totalSteps, evalEvery, evalEpisodes, checkpointEvery, ...rest } = config;
  const loop = {
    ...defaults,
    ...Object.fromEntries(
      Object.entries({ totalSteps, evalEvery, evalEpisodes, checkpointEvery }).filter(([, v]) => v !== undefined),
    ),
  } as LoopConfig;
  for (const k of ['totalSteps', 'evalEpisodes'] as const) {
    if (!Number.isInteger(loop[k]) || loop[k] <= 0)
      throw new RangeError(`config.${k}: got ${String(loop[k])}, allowed: a positive integer`);
  }
  for (const k of ['evalEvery', 'checkpointEvery'] as const) {
    if (!Number.isInteger(loop[k]) || loop[k] < 0)
      throw new RangeError(`config.${k}: got ${String(loop[k])}, allowed: an integer ≥ 0`);
  }
  return [loop, rest];
}

/** Episode outcome of `runEpisodes`. */
export interface EpisodeResult {
  return: number;
  length: number;
  terminated: boolean;
  /** The last step's reward and info (what success criteria read). */
  lastReward: number;
  info: Record<string, unknown>;
}

/**
 * Longest evaluated episode: envs without a time limit (CliffWalking-v1) would loop forever under a
 * deterministic policy that never reaches the goal; such an episode is cut here, as if truncated.
 */
export const MAX_EPISODE_STEPS = 1000;

/**
 * `episodes` episodes of `learner`'s policy in lockstep (one `act` per time step for all), each reset with a
 * seed from `seedRng`; `onStep` sees every live episode's observation before it acts (for KL/entropy stats).
 */
export function runEpisodes(
  learner: Pick<Learner, 'act' | 'actionWidth'>,
  makeEnv: () => Env,
  episodes: number,
  seedRng: Rng,
  opts: ActOptions = { deterministic: true },
  onStep?: (live: Observation[]) => void,
): EpisodeResult[] {
  const envs = Array.from({ length: episodes }, makeEnv);
  const obs = envs.map((e) => e.reset({ seed: seedRng.uint32() }).obs);
  const out: EpisodeResult[] = envs.map(() => ({ return: 0, length: 0, terminated: false, lastReward: 0, info: {} }));
  let live = envs.map((_, i) => i);
  const w = learner.actionWidth;
  const discrete = envs[0].actionSpace.kind === 'discrete';
  while (live.length > 0) {
    const batch = live.map((i) => obs[i]);
    onStep?.(batch);
    const actions = learner.act(batch, opts);
    live = live.filter((i, k) => {
      const a = actions.subarray(k * w, (k + 1) * w);
      const r = envs[i].step(discrete ? a[0] : a);
      const ep = out[i];
      ep.return += r.reward;
      ep.length += 1;
      ep.lastReward = r.reward;
      ep.info = r.info;
      obs[i] = r.obs;
      if (r.terminated) ep.terminated = true;
      return !(r.terminated || r.truncated || ep.length >= MAX_EPISODE_STEPS);
    });
  }
  envs.forEach((e) => e.close());
  return out;
}

/** Mean deterministic return over `episodes` episodes (the `charts/eval_return` of discrete SAC and KL-PPO here). */
function evalReturn(learner: Learner, makeEnv: () => Env, episodes: number, rng: Rng): number {
  return runEpisodes(learner, makeEnv, episodes, rng).reduce((s, e) => s + e.return, 0) / episodes;
}

// ─────────────────────────────────────────────────────────────────────────────── continuous SAC
class SacLearner implements Learner {
  readonly algo = 'sac' as const;
  readonly objective: Objective;
  readonly observationSpace: Space;
  readonly actionSpace: Box;
  readonly actionWidth: number;
  private readonly cfg: SacConfig;
  /** Built by `trainSac` (so its initial weights are the ones `sac-pendulum` draws), or on first use. */
  private agent: SacContinuous | null = null;

  constructor(private readonly args: LearnerArgs) {
    const env = args.makeEnv();
    this.observationSpace = env.observationSpace;
    this.actionSpace = env.actionSpace as Box;
    env.close();
    this.actionWidth = this.actionSpace.dim;
    this.objective = args.objective;
    this.cfg = { ...SAC_DEFAULTS, ...(args.config as Partial<SacConfig>) };
    for (const k of Object.keys(args.config))
      if (!(k in SAC_DEFAULTS))
        throw new RangeError(`SacConfig.${k}: unknown field (allowed: ${Object.keys(SAC_DEFAULTS).join(', ')})`);
  }

  /** The agent, built with throwaway initial weights when none was trained (its weights are then loaded). */
  private get net(): SacContinuous {
    this.agent ??= new SacContinuous(
      this.cfg,
      { observationSpace: this.observationSpace, actionSpace: this.actionSpace },
      this.objective,
      this.args.streams.get('unused-init'),
    );
    return this.agent;
  }

  act(obs: readonly Observation[], opts: ActOptions): Float32Array {
    return this.net.act(encodeObservations(this.observationSpace, obs), opts);
  }

  stats(obs: readonly Observation[], rng: Rng): { entropy: number; kl: number } {
    return this.net.policyStats(encodeObservations(this.observationSpace, obs), rng);
  }

  async train(hooks: TrainHooks, resume?: unknown): Promise<void> {
    this.agent?.dispose();
    this.agent = null;
    const result = await trainSac(
      this.cfg,
      this.args.makeEnv,
      this.objective,
      this.args.streams,
      hooks,
      resume as SacCheckpoint | undefined,
    );
    this.agent = result.agent;
  }

  networkSizes(): Record<string, number[]> {
    return { actor: [obsDim(this.observationSpace), ...this.cfg.hidden, 2 * this.actionWidth] };
  }

  policyWeights(): PolicyWeights {
    return { actor: this.net.actor.getWeights() };
  }

  setPolicyWeights(w: PolicyWeights): void {
    this.net.setActorWeights(w.actor);
  }

  dispose(): void {
    this.agent?.dispose();
    this.agent = null;
  }
}

// ─────────────────────────────────────────────────────────────────────────────── discrete SAC
/** Loop fields discrete SAC does not have itself (it has `totalSteps`). */
const DISCRETE_LOOP_DEFAULTS: LoopConfig = {
  totalSteps: 20_000,
  evalEvery: 1000,
  evalEpisodes: 10,
  checkpointEvery: 5000,
};

class DiscreteSacLearner implements Learner {
  readonly algo = 'sac-discrete' as const;
  readonly objective: Objective;
  readonly observationSpace: Space;
  readonly actionSpace: Discrete;
  readonly actionWidth = 1;
  private readonly loop: LoopConfig;
  private trainer: DiscreteSacTrainer;
  /** The trainer's evaluation (the learner's greedy episodes, `charts/eval_return`). */
  private readonly trainerHooks: DiscreteSacHooks;

  constructor(private readonly args: LearnerArgs) {
    const [loop, own] = splitLoop(args.config, DISCRETE_LOOP_DEFAULTS);
    this.loop = loop;
    this.objective = args.objective;
    const evalRng = args.streams.get('eval');
    this.trainerHooks = {
      evaluation: { every: loop.evalEvery, run: () => evalReturn(this, args.makeEnv, loop.evalEpisodes, evalRng) },
    };
    this.trainer = new DiscreteSacTrainer(
      args.makeEnv(),
      args.objective,
      { ...own, totalSteps: loop.totalSteps } as Partial<DiscreteSacConfig>,
      this.trainerHooks,
    );
    this.observationSpace = this.trainer.agent.observationSpace;
    this.actionSpace = this.trainer.agent.actionSpace;
  }

  act(obs: readonly Observation[], opts: ActOptions): Float32Array {
    const agent = this.trainer.agent;
    const probs = tf.tidy(() => agent.probs(agent.encode(obs)).dataSync() as Float32Array);
    const n = this.actionSpace.n;
    return Float32Array.from(obs, (_, i) => {
      const p = probs.subarray(i * n, (i + 1) * n);
      if (!opts.deterministic) return opts.rng.categorical(p);
      let best = 0;
      for (let a = 1; a < n; a++) if (p[a] > p[best]) best = a;
      return best;
    });
  }

  stats(obs: readonly Observation[]): { entropy: number; kl: number } {
    const agent = this.trainer.agent;
    const [entropy, kl] = tf.tidy(() => {
      const o = agent.encode(obs);
      const logPi = tf.logSoftmax(agent.actor.apply(o) as tf.Tensor2D);
      const h = tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logPi), logPi), -1)));
      return [h.dataSync()[0], tf.mean((agent.prior as DiscretePrior).kl(o, logPi)).dataSync()[0]];
    });
    return { entropy, kl };
  }

  async train(hooks: TrainHooks, resume?: unknown): Promise<void> {
    if (resume !== undefined) {
      this.trainer.agent.dispose();
      this.trainer.env.close();
      this.trainer = DiscreteSacTrainer.resume(
        this.args.makeEnv(),
        this.objective,
        resume as DiscreteSacTrainerCheckpoint,
        this.trainerHooks,
      );
    }
    const { trainer } = this;
    await runSacLoop(trainer.loop, this.loop.checkpointEvery, () => trainer.saveCheckpoint(), hooks);
  }

  networkSizes(): Record<string, number[]> {
    return { actor: [obsDim(this.observationSpace), ...this.trainer.agent.cfg.hidden, this.actionSpace.n] };
  }

  policyWeights(): PolicyWeights {
    return { actor: this.trainer.agent.actor.getWeights() };
  }

  setPolicyWeights(w: PolicyWeights): void {
    this.trainer.agent.setActorWeights(w.actor);
  }

  dispose(): void {
    this.trainer.agent.dispose();
    this.trainer.env.close();
  }
}

// ─────────────────────────────────────────────────────────────────────────────── KL-PPO
const KLPPO_LOOP_DEFAULTS: LoopConfig = {
  totalSteps: 100_000,
  evalEvery: 10_000,
  evalEpisodes: 10,
  checkpointEvery: 10_000,
};

/** KL-PPO's field besides its config: iterations of distillation onto the prior before a fresh run (`KlPpo.distill`). */
export const KLPPO_EXTRA = { distill: 0 };

class KlPpoLearner implements Learner {
  readonly algo = 'klppo' as const;
  readonly objective: Objective;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly actionWidth: number;
  private readonly loop: LoopConfig;
  private readonly ppo: KlPpo;
  private readonly distill: number;

  constructor(private readonly args: LearnerArgs) {
    const [loop, { distill = KLPPO_EXTRA.distill, ...own }] = splitLoop(args.config, KLPPO_LOOP_DEFAULTS);
    if (!Number.isInteger(distill) || (distill as number) < 0)
      throw new RangeError(`config.distill: got ${String(distill)}, allowed: an integer ≥ 0`);
    this.distill = distill as number;
    this.loop = loop;
    this.objective = args.objective;
    this.ppo = new KlPpo(args.makeEnv, args.objective, own as Partial<KlPpoConfig>, args.streams);
    this.observationSpace = this.ppo.envs.singleObservationSpace;
    this.actionSpace = this.ppo.envs.singleActionSpace;
    this.actionWidth = this.actionSpace.kind === 'discrete' ? 1 : (this.actionSpace as Box).dim;
  }

  private encode(obs: readonly Observation[]): tf.Tensor2D {
    return tf.tensor2d(encodeObservations(this.observationSpace, obs), [obs.length, obsDim(this.observationSpace)]);
  }

  act(obs: readonly Observation[], opts: ActOptions): Float32Array {
    return tf.tidy(() => {
      const d = this.ppo.distribution(this.encode(obs));
      const a = opts.deterministic ? d.mode() : d.sample(opts.rng);
      return Float32Array.from(a.dataSync());
    });
  }

  stats(obs: readonly Observation[], rng: Rng): { entropy: number; kl: number } {
    const prior = this.objective.prior;
    const [entropy, kl] = tf.tidy(() => {
      const o = this.encode(obs);
      const d = this.ppo.distribution(o);
      const h = tf.mean(d.entropy());
      if (prior.actionSpace.kind === 'discrete')
        return [
          h.dataSync()[0],
          tf.mean((prior as DiscretePrior).kl(o, (d as { logits: tf.Tensor2D }).logits)).dataSync()[0],
        ];
      // One sample per state: E_{a~π}[log π(a|s) − log p(a|s)].
      const a = d.sample(rng) as tf.Tensor2D;
      return [h.dataSync()[0], tf.mean(tf.sub(d.logProb(a), (prior as BoxPrior).logProb(o, a))).dataSync()[0]];
    });
    return { entropy, kl };
  }

  async train(hooks: TrainHooks, resume?: unknown): Promise<void> {
    const { ppo, loop } = this;
    if (resume !== undefined) ppo.loadCheckpoint(resume as KlPpoCheckpoint);
    else if (this.distill > 0) {
      // The RLHF recipe starts the policy at the reference; its rollouts count as environment steps.
      const m = ppo.distill(this.distill);
      hooks.log(ppo.globalStep, { 'charts/kl_prior': m['charts/kl_prior'] });
    }
    const evalRng = this.args.streams.get('eval');
    let nextEval = loop.evalEvery > 0 ? nextMultiple(ppo.globalStep, loop.evalEvery) : Infinity;
    let nextCheckpoint = nextMultiple(ppo.globalStep, loop.checkpointEvery);
    while (ppo.globalStep < loop.totalSteps) {
      const m = ppo.iterate();
      const step = ppo.globalStep;
      const scalars: Record<string, number> = { ...m };
      if (step >= nextEval || step >= loop.totalSteps) {
        scalars['charts/eval_return'] = evalReturn(this, this.args.makeEnv, loop.evalEpisodes, evalRng);
        nextEval = loop.evalEvery > 0 ? nextMultiple(step, loop.evalEvery) : Infinity;
      }
      hooks.log(step, scalars);
      hooks.progress(
        Math.min(step, loop.totalSteps),
        loop.totalSteps,
        scalars['charts/eval_return'] === undefined ? {} : { eval: scalars['charts/eval_return'] },
      );
      await yieldToEventLoop();
      if (step >= nextCheckpoint || hooks.signal?.aborted) {
        hooks.checkpoint(step, ppo.getCheckpoint());
        nextCheckpoint = nextMultiple(step, loop.checkpointEvery);
      }
      if (hooks.signal?.aborted) break;
    }
  }

  networkSizes(): Record<string, number[]> {
    const out = this.actionSpace.kind === 'discrete' ? this.actionSpace.n : this.actionWidth;
    return { actor: [obsDim(this.observationSpace), ...this.ppo.config.hidden, out] };
  }

  policyWeights(): PolicyWeights {
    const c = this.ppo.getCheckpoint();
    return { actor: Float32Array.from(c.policy), ...(c.logStd ? { logStd: Float32Array.from(c.logStd) } : {}) };
  }

  setPolicyWeights(w: PolicyWeights): void {
    const c = this.ppo.getCheckpoint();
    this.ppo.loadCheckpoint({ ...c, policy: Array.from(w.actor), logStd: w.logStd ? Array.from(w.logStd) : null });
  }

  dispose(): void {
    this.ppo.dispose();
  }
}

// ─────────────────────────────────────────────────────────────────────────────── saved policy → reference
/**
 * A saved policy (weights and sizes from `policyWeights` / `networkSizes`) as a frozen reference-prior source
 * over `spaces`: the tanh-squashed Gaussian of continuous SAC, the softmax of discrete SAC, KL-PPO's
 * categorical or Gaussian. The prior made from it frees the copied network.
 */
export function policyReference(
  algo: Algo,
  sizes: Record<string, number[]>,
  weights: PolicyWeights,
  config: Record<string, unknown>,
  spaces: { observationSpace: Space; actionSpace: Space },
  initRng: Rng,
): ReferenceSource {
  const actorSizes = sizes.actor;
  if (algo === 'sac') {
    const net = new Mlp({ sizes: actorSizes, name: 'saved_sac_actor' }, initRng);
    net.setWeights(weights.actor);
    const box = spaces.actionSpace as Box;
    return {
      gaussian: (obs) => {
        const pi = policyFromOutput(net.apply(obs, { frozen: true }) as tf.Tensor2D, box);
        return { mean: pi.base.mean as tf.Tensor2D, logStd: pi.base.logStd };
      },
      squash: true,
      dispose: () => net.dispose(),
    };
  }
  const activation =
    algo === 'klppo'
      ? 'tanh'
      : ((config.activation as DiscreteSacConfig['activation'] | undefined) ?? DEFAULT_DISCRETE_SAC_CONFIG.activation);
  const net = new Mlp({ sizes: actorSizes, activation, name: `saved_${algo}_actor` }, initRng);
  net.setWeights(weights.actor);
  const forward = (obs: tf.Tensor2D) => net.apply(obs, { frozen: true }) as tf.Tensor2D;
  if (spaces.actionSpace.kind === 'discrete') return { logits: forward, dispose: () => net.dispose() };
  const logStd = tf.keep(tf.tensor1d(weights.logStd));
  return {
    gaussian: (obs) => ({ mean: forward(obs), logStd }),
    dispose: () => {
      net.dispose();
      logStd.dispose();
    },
  };
}
