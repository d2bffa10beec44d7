/**
 * One learner shape, the public API every algorithm follows (as Stable-Baselines3's learn/predict/save/load):
 *
 *   const learner = createLearner('sac', { makeEnv, objective, config: { totalSteps: 5000 }, streams });
 *   learner.step();                    // one synchronous slice (the browser's)
 *   await learner.run(hooks);          // the abortable loop (the CLI's): log, progress, evaluate, checkpoint
 *   learner.act(obs, { deterministic: true });  learner.stats(obs, rng);
 *   const ckpt = learner.save();  other.load(ckpt);        // one versioned envelope, typed arrays
 *   const prior = learner.asPrior();   // the policy as a reference prior (a `ReferenceSource`)
 *   learner.dispose();
 *
 * A learner is built from (makeEnv, Objective, config, streams); its config is checked by its algorithm's zod
 * schema (`learnerSchema(algo)`: the same schema serves the YAML hyperparameter files, `--set` and the error
 * messages). The math stays in `sac/continuous.ts`, `sac/discrete.ts` and `klppo/ppo.ts`; the loops in
 * `sac/loop.ts` (`SacLoop`) and `loop.ts` (`UpdateLoop`), both driven by `runLoop` (`loop.ts`). Browser-safe.
 */
import * as tf from '@tensorflow/tfjs';
import { extendSchema, field, MAX_EVAL_EPISODES, resolveConfig, type ConfigSchema } from '../core/config.js';
import { Rng, type RngStreams } from '../core/rng.js';
import type { Box, Space } from '../core/spaces.js';
import type { Env, Observation } from '../envs/env.js';
import { Mlp } from '../nn/index.js';
import {
  encodeObservations,
  obsDim,
  type BoxPrior,
  type DiscretePrior,
  parseObjectiveSpec,
  type AlphaSpec,
  type Objective,
  type ObjectiveSpec,
  type Prior,
  type PriorSpaces,
  type ReferenceSource,
} from '../priors/index.js';
import { meanReturn, runEpisodes, type ActOptions, type BatchPolicy } from './episodes.js';
import { KlPpo, KLPPO_SCHEMA, type KlPpoCheckpoint, type KlPpoConfig } from './klppo/ppo.js';
import {
  checkCheckpoint,
  LEARNER_CHECKPOINT_VERSION,
  runLoop,
  UpdateLoop,
  type UpdateLoopState,
  type LearnerCheckpoint,
  type LoopObject,
  type TrainHooks,
} from './loop.js';
import {
  sacActorReference,
  SAC_SCHEMA,
  SacContinuous,
  sacLoop,
  sacPolicy,
  type SacCheckpoint,
  type SacConfig,
} from './sac/continuous.js';
import { DISCRETE_SAC_SCHEMA, type DiscreteSacConfig } from './sac/discrete-config.js';
import { DiscreteSacTrainer, type DiscreteSacTrainerCheckpoint } from './sac/discrete-trainer.js';
import { policyTable } from './sac/discrete.js';
import type { SacLoop } from './sac/loop.js';
import { SequenceReplayBuffer, type Episode } from '../worldmodel/sequences.js';
import { checkFinite } from './diverged.js';
import { DreamerAgent, DREAMER_SCHEMA, type DreamerConfig, type DreamerState } from './dreamer/dreamer.js';
import {
  Dpo,
  DPO_SCHEMA,
  Grpo,
  GRPO_SCHEMA,
  Rloo,
  RLOO_SCHEMA,
  type DpoConfig,
  type GrpoConfig,
  type RlhfState,
  type RlooConfig,
  type TabularRlhfLearner,
} from './rlhf/index.js';

export type { ActOptions } from './episodes.js';
export type { TrainHooks } from './loop.js';

/** The one list of algorithm names. */
export const ALGOS = ['sac', 'sac-discrete', 'klppo', 'rloo', 'grpo', 'dpo', 'dreamer'] as const;
/** An algorithm's name: what `createLearner`, `--algo` and a saved agent's manifest say. */
export type Algo = (typeof ALGOS)[number];

/** The tabular RLHF learners: they need an enumerable token task (every sequence of TokenSeq-v0). */
const TOKEN_ALGOS: readonly Algo[] = ['rloo', 'grpo', 'dpo'];

/**
 * Which envs each algorithm handles: continuous SAC and dreamer need a bounded Box of actions and Box observations;
 * the tabular RLHF learners the token task.
 */
export function algoFits(algo: Algo, env: PriorSpaces & { id?: string }): boolean {
  if (TOKEN_ALGOS.includes(algo)) return env.id === 'TokenSeq-v0';
  const spaces = env;
  const a = spaces.actionSpace;
  if (algo === 'sac' || algo === 'dreamer')
    return a.kind === 'box' && a.bounded && spaces.observationSpace.kind === 'box';
  if (algo === 'sac-discrete') return a.kind === 'discrete';
  return a.kind === 'discrete' || a.kind === 'box';
}

/**
 * Each algorithm's default temperature: learned (SAC's auto temperature, KL-PPO's adaptive β) except for the
 * tabular RLHF learners, whose β is fixed (the KL-regularized objective at a stated β, as TRL's), and dreamer's.
 */
export function defaultAlpha(algo: Algo): AlphaSpec {
  // dreamer: a fixed α, as DreamerV3's fixed entropy scale (η·S = 0.05 at a return range S ≈ 170).
  return TOKEN_ALGOS.includes(algo) ? 0.1 : algo === 'dreamer' ? 0.05 : 'auto_1';
}

/**
 * Why `algo` cannot take an objective of `spec` (null when it can), for a check before anything runs: the
 * tabular RLHF learners take a fixed β, and DPO's implicit reward β·log(π/π_ref) needs β > 0.
 */
export function objectiveFits(algo: Algo, spec: ObjectiveSpec): string | null {
  if (!TOKEN_ALGOS.includes(algo)) return null;
  const { alpha, prior } = parseObjectiveSpec(spec);
  if (typeof alpha === 'string') return `--alpha: got ${alpha}; allowed with --algo ${algo}: a fixed β ≥ 0 (e.g. 0.1)`;
  if (algo === 'dpo' && alpha === 0)
    return `--alpha: got 0 (prior ${prior}); allowed with --algo dpo: β > 0 (its implicit reward is β·log π/π_ref)`;
  return null;
}

/** The loop settings a learner takes beside its algorithm's own fields (continuous SAC has them in `SacConfig`). */
export interface LoopFields {
  /** Evaluate the deterministic policy every this many environment steps (and at the end; 0 = only at the end). */
  evalEvery: number;
  /** Episodes per evaluation. */
  evalEpisodes: number;
  /** Checkpoint at the first boundary after every this many environment steps (0 = never). */
  checkpointEvery: number;
}

const LOOP_SHAPE = {
  evalEvery: field.nonNegativeInt(),
  evalEpisodes: field.range(
    `a positive integer ≤ ${MAX_EVAL_EPISODES}`,
    (x) => Number.isInteger(x) && x > 0 && x <= MAX_EVAL_EPISODES,
  ),
  checkpointEvery: field.nonNegativeInt(),
};

/** Discrete SAC as a learner: its config without `seed` (drawn from the run's streams), plus the loop's fields. */
export type DiscreteSacLearnerConfig = Omit<DiscreteSacConfig, 'seed'> & LoopFields;
/** KL-PPO as a learner: its config, the budget, the loop's fields and the warm start. */
export type KlPpoLearnerConfig = KlPpoConfig &
  LoopFields & {
    /** Environment steps to train for. */
    totalSteps: number;
    /** Iterations of distillation onto the prior before a fresh run (the RLHF recipe's start; 0 = none). */
    distill: number;
  };

/** The loop fields of a learner whose steps are updates (the tabular RLHF learners): the budget counts updates. */
export type UpdateLoopFields = LoopFields & {
  /** Updates to train for. */
  totalSteps: number;
};

/** Each algorithm's config type. */
export interface LearnerConfigs {
  sac: SacConfig;
  'sac-discrete': DiscreteSacLearnerConfig;
  klppo: KlPpoLearnerConfig;
  rloo: RlooConfig & UpdateLoopFields;
  grpo: GrpoConfig & UpdateLoopFields;
  dpo: DpoConfig & UpdateLoopFields;
  dreamer: DreamerLearnerConfig;
}

/** The world-model agent as a learner: its config, the budget in environment steps and the loop's fields. */
export type DreamerLearnerConfig = DreamerConfig & LoopFields & { totalSteps: number };

const UPDATE_LOOP_SHAPE = { ...LOOP_SHAPE, totalSteps: field.positiveInt() };
const UPDATE_LOOP_DEFAULTS: UpdateLoopFields = {
  totalSteps: 600,
  evalEvery: 0,
  evalEpisodes: 10,
  checkpointEvery: 100,
};

const SCHEMAS: { [A in Algo]: ConfigSchema<LearnerConfigs[A]> } = {
  sac: SAC_SCHEMA,
  'sac-discrete': extendSchema(
    DISCRETE_SAC_SCHEMA,
    LOOP_SHAPE,
    { evalEvery: 1000, evalEpisodes: 10, checkpointEvery: 5000 },
    ['seed'],
  ),
  klppo: extendSchema(
    KLPPO_SCHEMA,
    { ...LOOP_SHAPE, totalSteps: field.positiveInt(), distill: field.nonNegativeInt(' (0 = no warm start)') },
    { evalEvery: 10_000, evalEpisodes: 10, checkpointEvery: 10_000, totalSteps: 100_000, distill: 0 },
  ),
  rloo: extendSchema(RLOO_SCHEMA, UPDATE_LOOP_SHAPE, UPDATE_LOOP_DEFAULTS),
  grpo: extendSchema(GRPO_SCHEMA, UPDATE_LOOP_SHAPE, UPDATE_LOOP_DEFAULTS),
  dpo: extendSchema(DPO_SCHEMA, UPDATE_LOOP_SHAPE, UPDATE_LOOP_DEFAULTS),
  dreamer: extendSchema(DREAMER_SCHEMA, UPDATE_LOOP_SHAPE, {
    totalSteps: 30_000,
    evalEvery: 5000,
    evalEpisodes: 5,
    checkpointEvery: 5000,
  }),
};

/** The config schema of `algo`'s learner (its fields, defaults, ranges and messages). */
export function learnerSchema<A extends Algo>(algo: A): ConfigSchema<LearnerConfigs[A]> {
  return SCHEMAS[algo];
}

/** A policy as plain data: the weights of its networks by name (what a saved agent stores). */
export type PolicyWeights = Record<string, Float32Array>;

export interface Learner<C = unknown> extends BatchPolicy {
  readonly algo: Algo;
  readonly objective: Objective;
  /** The resolved config (defaults filled in). */
  readonly config: C;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  /** The loop object: environment steps done, the budget, every metrics line. */
  readonly loop: LoopObject;
  /**
   * Actions for a batch of observations, row-major `[n, actionWidth]`: the mode, or sampled with `opts.rng`.
   * A recurrent learner (dreamer) continues the episode of each row's slot (`begin(slot)` starts one); without
   * slots every row is the first step of an episode.
   */
  act(obs: readonly Observation[], opts: ActOptions, slots?: readonly number[]): Float32Array;
  /**
   * Mean over the batch of the policy's entropy and KL(π(·|s) ‖ p(·|s)) per state (nats; Monte Carlo for a
   * Box), p the objective's prior or the one given.
   */
  stats(obs: readonly Observation[], rng: Rng, prior?: Prior): { entropy: number; kl: number };
  /** One synchronous slice of training (an environment step, or a PPO iteration); false once training is over. */
  step(): boolean;
  /** Trains to the budget (or until `hooks.signal` aborts, after a checkpoint). */
  run(hooks?: TrainHooks): Promise<void>;
  /** The training state at the latest boundary (`loop.atBoundary`): the one versioned envelope. */
  save(): LearnerCheckpoint;
  /** Continues from `save()`'s output exactly. */
  load(checkpoint: unknown): void;
  /** The policy networks' widths, input to output (a saved agent's manifest). */
  networkSizes(): Record<string, number[]>;
  /** The policy's weights by network (what a saved agent stores). */
  policyWeights(): PolicyWeights;
  /** Replaces the policy's weights (a saved agent loaded); the training state is left as it is. */
  setPolicyWeights(w: PolicyWeights): void;
  /** π(a|s) for every state of a tabular env (nS·nA row-major, the exact solver's layout). */
  policyTable(): Float64Array;
  /** The current policy, frozen, as a reference prior's source (it owns a copy of the weights). */
  asPrior(): ReferenceSource;
  /** Frees the learner's tensors and envs; it is unusable after. */
  dispose(): void;
}

/** What every learner is built from: the env, the Objective (prior and temperature), its config and the run's streams. */
export interface LearnerArgs<C = Record<string, unknown>> {
  /** A fresh env per call (a learner may build several: vectorized rollouts, evaluations). */
  makeEnv: () => Env;
  objective: Objective;
  /** The algorithm's fields to change from their defaults (checked by `learnerSchema(algo)`). */
  config?: Partial<C>;
  /** The run's streams; every random draw of the learner comes from named streams of it. */
  streams: RngStreams;
}

/**
 * Builds `algo`'s learner: checks that it fits the env (`algoFits`) and its config against `learnerSchema(algo)`
 * (one-line errors naming the field, the value and what is allowed), then constructs it.
 */
export function createLearner<A extends Algo>(
  algo: A,
  args: LearnerArgs<LearnerConfigs[A]>,
): Learner<LearnerConfigs[A]> {
  const env = args.makeEnv();
  try {
    if (!algoFits(algo, env)) {
      const fit = ALGOS.filter((a) => algoFits(a, env));
      throw new RangeError(
        `--algo ${algo}: does not fit ${env.id} (actions ${env.actionSpace.toString()}); allowed: ${fit.join(', ') || 'none'}`,
      );
    }
  } finally {
    env.close();
  }
  const config = resolveConfig(SCHEMAS[algo], args.config ?? {}) as LearnerConfigs[A];
  const a = args as LearnerArgs;
  const made =
    algo === 'sac'
      ? new SacLearner(a, config as SacConfig)
      : algo === 'sac-discrete'
        ? new DiscreteSacLearner(a, config as DiscreteSacLearnerConfig)
        : algo === 'klppo'
          ? new KlPpoLearner(a, config as KlPpoLearnerConfig)
          : algo === 'dreamer'
            ? new DreamerLearner(a, config as DreamerLearnerConfig)
            : new TokenLearner(algo, a, config as UpdateLoopFields);
  return made as unknown as Learner<LearnerConfigs[A]>;
}

/** The spaces of a fresh env of `makeEnv`. */
function spacesOf(makeEnv: () => Env): PriorSpaces {
  const env = makeEnv();
  env.close();
  return { observationSpace: env.observationSpace, actionSpace: env.actionSpace };
}

function encode(space: Space, obs: readonly Observation[]): tf.Tensor2D {
  return tf.tensor2d(encodeObservations(space, obs), [obs.length, obsDim(space)]);
}

/** What the three learners share: spaces, the loop protocol and the policy-as-prior, written once. */
abstract class BaseLearner<C> implements Learner<C> {
  abstract readonly algo: Algo;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  readonly actionWidth: number;
  readonly objective: Objective;

  constructor(
    protected readonly args: LearnerArgs,
    readonly config: C,
  ) {
    const spaces = spacesOf(args.makeEnv);
    this.observationSpace = spaces.observationSpace;
    this.actionSpace = spaces.actionSpace;
    this.actionWidth = this.actionSpace.kind === 'discrete' ? 1 : (this.actionSpace as Box).dim;
    this.objective = args.objective;
  }

  abstract readonly loop: LoopObject;
  protected abstract readonly checkpointEvery: number;
  abstract act(obs: readonly Observation[], opts: ActOptions): Float32Array;
  abstract stats(obs: readonly Observation[], rng: Rng, prior?: Prior): { entropy: number; kl: number };
  abstract save(): LearnerCheckpoint;
  abstract load(checkpoint: unknown): void;
  abstract networkSizes(): Record<string, number[]>;
  abstract policyWeights(): PolicyWeights;
  abstract setPolicyWeights(w: PolicyWeights): void;
  abstract policyTable(): Float64Array;
  abstract dispose(): void;

  step(): boolean {
    return this.loop.step();
  }

  run(hooks: TrainHooks = {}): Promise<void> {
    return runLoop(this.loop, this.checkpointEvery, () => this.save(), hooks);
  }

  asPrior(): ReferenceSource {
    return policyReference(this.algo, this.networkSizes(), this.policyWeights(), this.config as object, this);
  }

  /** Mean deterministic return of `episodes` episodes (`charts/eval_return`). */
  protected evaluator(episodes: number): () => number {
    const rng = this.args.streams.get('eval');
    return () => meanReturn(this, this.args.makeEnv, episodes, rng);
  }
}

// ─────────────────────────────────────────────────────────────────────────────── continuous SAC
class SacLearner extends BaseLearner<SacConfig> {
  readonly algo = 'sac' as const;
  protected readonly checkpointEvery: number;
  /** The SAC agent itself (its networks, state and update). */
  readonly agent: SacContinuous;
  private readonly policy: BatchPolicy;
  /** Built on first use (a learner only acting, e.g. a loaded agent, needs no replay buffer). */
  private trainLoop: { loop: SacLoop<Float32Array>; env: Env } | null = null;

  constructor(args: LearnerArgs, config: SacConfig) {
    super(args, config);
    this.checkpointEvery = config.checkpointEvery;
    this.agent = new SacContinuous(config, this, args.objective, args.streams.get('init'));
    this.policy = sacPolicy(this.agent);
  }

  get loop(): SacLoop<Float32Array> {
    if (this.trainLoop === null) {
      const env = this.args.makeEnv();
      this.trainLoop = { env, loop: sacLoop(this.agent, env, this.args.makeEnv, this.args.streams) };
    }
    return this.trainLoop.loop;
  }

  act(obs: readonly Observation[], opts: ActOptions): Float32Array {
    return this.policy.act(obs, opts);
  }

  stats(obs: readonly Observation[], rng: Rng, prior: Prior = this.objective.prior): { entropy: number; kl: number } {
    return this.agent.policyStats(encodeObservations(this.observationSpace, obs), rng, prior as BoxPrior);
  }

  save(): SacCheckpoint {
    return { version: LEARNER_CHECKPOINT_VERSION, algo: 'sac', agent: this.agent.getState(), ...this.loop.save('sac') };
  }

  load(checkpoint: unknown): void {
    checkCheckpoint(checkpoint, 'sac');
    const c = checkpoint as SacCheckpoint;
    this.agent.setState(c.agent);
    this.loop.restore(c);
  }

  networkSizes(): Record<string, number[]> {
    return { actor: [obsDim(this.observationSpace), ...this.config.hidden, 2 * this.actionWidth] };
  }

  policyWeights(): PolicyWeights {
    return { actor: this.agent.actor.getWeights() };
  }

  setPolicyWeights(w: PolicyWeights): void {
    this.agent.setActorWeights(w.actor);
  }

  policyTable(): Float64Array {
    throw new RangeError(`policyTable(): needs a Discrete action space, got ${this.actionSpace.toString()}`);
  }

  /** The agent's update path: true when the WebAssembly engine runs it. */
  get usesEngine(): boolean {
    return this.agent.usesEngine;
  }

  dispose(): void {
    this.agent.dispose();
    this.trainLoop?.env.close();
  }
}

// ─────────────────────────────────────────────────────────────────────────────── discrete SAC
class DiscreteSacLearner extends BaseLearner<DiscreteSacLearnerConfig> {
  readonly algo = 'sac-discrete' as const;
  protected readonly checkpointEvery: number;
  private trainer: DiscreteSacTrainer;
  private readonly evaluation: { every: number; run(): number };

  constructor(args: LearnerArgs, config: DiscreteSacLearnerConfig) {
    super(args, config);
    const { evalEvery, evalEpisodes, checkpointEvery, ...own } = config;
    this.checkpointEvery = checkpointEvery;
    this.evaluation = { every: evalEvery, run: this.evaluator(evalEpisodes) };
    // The agent's own streams are rooted at one draw of the run's `seed` stream.
    const seed = args.streams.get('seed').uint32();
    this.trainer = new DiscreteSacTrainer(
      args.makeEnv(),
      args.objective,
      { ...own, seed },
      { evaluation: this.evaluation },
    );
  }

  get loop(): SacLoop<number> {
    return this.trainer.loop;
  }

  act(obs: readonly Observation[], opts: ActOptions): Float32Array {
    return this.trainer.agent.act(obs, opts);
  }

  stats(obs: readonly Observation[], _rng: Rng, prior: Prior = this.objective.prior): { entropy: number; kl: number } {
    const agent = this.trainer.agent;
    const [entropy, kl] = tf.tidy(() => {
      const o = agent.encode(obs);
      const logPi = tf.logSoftmax(agent.actor.apply(o) as tf.Tensor2D);
      const h = tf.neg(tf.mean(tf.sum(tf.mul(tf.exp(logPi), logPi), -1)));
      return [h.dataSync()[0], tf.mean((prior as DiscretePrior).kl(o, logPi)).dataSync()[0]];
    });
    return { entropy, kl };
  }

  save(): DiscreteSacTrainerCheckpoint {
    return this.trainer.saveCheckpoint();
  }

  load(checkpoint: unknown): void {
    checkCheckpoint(checkpoint, 'sac-discrete');
    this.trainer.agent.dispose();
    this.trainer.env.close();
    this.trainer = DiscreteSacTrainer.resume(
      this.args.makeEnv(),
      this.objective,
      checkpoint as DiscreteSacTrainerCheckpoint,
      { evaluation: this.evaluation },
    );
  }

  networkSizes(): Record<string, number[]> {
    return { actor: [obsDim(this.observationSpace), ...this.config.hidden, (this.actionSpace as { n: number }).n] };
  }

  policyWeights(): PolicyWeights {
    return { actor: this.trainer.agent.actor.getWeights() };
  }

  setPolicyWeights(w: PolicyWeights): void {
    this.trainer.agent.setActorWeights(w.actor);
  }

  policyTable(): Float64Array {
    const space = this.observationSpace;
    if (space.kind !== 'discrete')
      throw new RangeError(`policyTable(): needs a Discrete observation space, got ${space.toString()}`);
    return policyTable(this.trainer.agent, space.n);
  }

  dispose(): void {
    this.trainer.agent.dispose();
    this.trainer.env.close();
  }
}

// ─────────────────────────────────────────────────────────────────────────────── KL-PPO
class KlPpoLearner extends BaseLearner<KlPpoLearnerConfig> {
  readonly algo = 'klppo' as const;
  protected readonly checkpointEvery: number;
  readonly loop: UpdateLoop;
  private readonly ppo: KlPpo;

  constructor(args: LearnerArgs, config: KlPpoLearnerConfig) {
    super(args, config);
    const { totalSteps, evalEvery, evalEpisodes, checkpointEvery, distill, ...own } = config;
    this.checkpointEvery = checkpointEvery;
    this.ppo = new KlPpo(args.makeEnv, args.objective, own, args.streams);
    const ppo = this.ppo;
    this.loop = new UpdateLoop(
      {
        update: () => ppo.iterate(),
        count: () => ppo.globalStep,
        evaluate: this.evaluator(evalEpisodes),
        // The RLHF recipe's start at the reference; its rollouts count as environment steps.
        ...(distill > 0 ? { warmStart: () => ({ 'charts/kl_prior': ppo.distill(distill)['charts/kl_prior'] }) } : {}),
      },
      totalSteps,
      evalEvery,
    );
  }

  act(obs: readonly Observation[], opts: ActOptions): Float32Array {
    return tf.tidy(() => {
      const d = this.ppo.distribution(encode(this.observationSpace, obs));
      const a = opts.deterministic ? d.mode() : d.sample(opts.rng);
      return Float32Array.from(a.dataSync());
    });
  }

  stats(obs: readonly Observation[], rng: Rng, prior: Prior = this.objective.prior): { entropy: number; kl: number } {
    const [entropy, kl] = tf.tidy(() => {
      const o = encode(this.observationSpace, obs);
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

  save(): LearnerCheckpoint<KlPpoCheckpoint> {
    return {
      version: LEARNER_CHECKPOINT_VERSION,
      algo: 'klppo',
      agent: this.ppo.getCheckpoint(),
      loop: this.loop.save(),
    };
  }

  load(checkpoint: unknown): void {
    checkCheckpoint(checkpoint, 'klppo');
    const c = checkpoint as LearnerCheckpoint<KlPpoCheckpoint, UpdateLoopState>;
    this.ppo.loadCheckpoint(c.agent);
    this.loop.restore(c.loop);
  }

  networkSizes(): Record<string, number[]> {
    const out = this.actionSpace.kind === 'discrete' ? this.actionSpace.n : this.actionWidth;
    return { actor: [obsDim(this.observationSpace), ...this.config.hidden, out] };
  }

  policyWeights(): PolicyWeights {
    const c = this.ppo.getCheckpoint();
    return { actor: c.policy, ...(c.logStd ? { logStd: c.logStd } : {}) };
  }

  setPolicyWeights(w: PolicyWeights): void {
    const c = this.ppo.getCheckpoint();
    this.ppo.loadCheckpoint({ ...c, policy: w.actor, logStd: w.logStd ?? null });
  }

  policyTable(): Float64Array {
    return this.ppo.policyTable();
  }

  dispose(): void {
    this.ppo.dispose();
  }
}

// ─────────────────────────────────────────────────────────────────────────────── dreamer
/** The dreamer learner's checkpoint: the agent, the replay's episodes, env steps and the streams. */
interface DreamerCheckpointAgent {
  state: DreamerState;
  steps: number;
  episodes: Episode[];
  streams: ReturnType<RngStreams['getState']>;
}

/**
 * The world-model agent (`dreamer/dreamer.ts`) in the one shape: a step of its `UpdateLoop` collects one
 * episode with the current policy (uniform random actions during the prefill), then takes the train steps
 * the schedule owes (one per `trainEvery` environment steps after the prefill). Every step ends an
 * episode, so every step is a checkpoint boundary.
 */
class DreamerLearner extends BaseLearner<DreamerLearnerConfig> {
  readonly algo = 'dreamer' as const;
  protected readonly checkpointEvery: number;
  readonly loop: UpdateLoop;
  readonly agent: DreamerAgent;
  private readonly buffer: SequenceReplayBuffer;
  private steps = 0;

  constructor(args: LearnerArgs, config: DreamerLearnerConfig) {
    super(args, config);
    const { totalSteps, evalEvery, evalEpisodes, checkpointEvery, ...own } = config;
    this.checkpointEvery = checkpointEvery;
    const box = this.actionSpace as Box;
    const dims = { obsDim: obsDim(this.observationSpace), actDim: box.dim };
    this.agent = new DreamerAgent(dims, box, own, args.objective, args.streams.get('init'));
    this.buffer = new SequenceReplayBuffer(own.bufferSize);
    this.loop = new UpdateLoop(
      { update: () => this.iterate(), count: () => this.steps, evaluate: this.evaluator(evalEpisodes) },
      totalSteps,
      evalEvery,
    );
  }

  private iterate(): Record<string, number> {
    const { streams } = this.args;
    const cfg = this.config;
    const box = this.actionSpace as Box;
    const collect = streams.get('collect');
    const random: BatchPolicy = {
      actionWidth: box.dim,
      act: (obs) => {
        const out = new Float32Array(obs.length * box.dim);
        for (let i = 0; i < obs.length; i++) out.set(box.sample(collect), i * box.dim);
        return out;
      },
    };
    const explore: BatchPolicy = {
      actionWidth: box.dim,
      begin: (slot) => this.begin(slot),
      act: (obs, opts, slots) => this.actWith(obs, opts, slots, cfg.actionNoise),
    };
    const policy = this.steps < cfg.prefill ? random : explore;
    const [ep] = runEpisodes(policy, this.args.makeEnv, 1, [streams.get('reset').uint32()], {
      act: { deterministic: false, rng: collect },
      record: true,
    });
    const tr = ep.trajectory!;
    this.buffer.add({
      obsDim: obsDim(this.observationSpace),
      actDim: box.dim,
      length: ep.length,
      obs: Float32Array.from(tr.obs.flat()),
      actions: Float32Array.from(tr.actions.flat()),
      rewards: Float32Array.from(tr.rewards),
    });
    this.steps += ep.length;
    const owed = this.steps < cfg.prefill ? 0 : Math.floor((this.steps - cfg.prefill) / cfg.trainEvery);
    const sums: Record<string, number> = {};
    let n = 0;
    const rng = { noise: streams.get('noise'), imagine: streams.get('imagine') };
    // The warm-up runs inside the step that owes the first train step, so no checkpoint falls in it.
    if (this.agent.updates === 0 && owed > 0)
      for (let i = 0; i < cfg.modelWarmup; i++)
        this.agent.model.trainStep(this.buffer.sample(cfg.batchSize, cfg.seqLen, streams.get('batch')), rng.noise);
    for (; this.agent.updates < owed; n++) {
      const s = this.agent.train(this.buffer.sample(cfg.batchSize, cfg.seqLen, streams.get('batch')), rng);
      for (const [k, v] of Object.entries(s)) sums[k] = (sums[k] ?? 0) + v;
    }
    const scalars: Record<string, number> = {
      'charts/episodic_return': ep.return,
      'charts/episodic_length': ep.length,
    };
    for (const [k, v] of Object.entries(sums)) scalars[k] = v / n;
    scalars['charts/updates'] = this.agent.updates;
    checkFinite('dreamer', scalars, this.steps);
    return scalars;
  }

  act(obs: readonly Observation[], opts: ActOptions, slots?: readonly number[]): Float32Array {
    return this.actWith(obs, opts, slots, 0);
  }

  /** `act`, with `noise`·N(0, 1) on sampled actions (the collecting policy's exploration). */
  private actWith(obs: readonly Observation[], opts: ActOptions, slots: readonly number[] | undefined, noise: number) {
    return this.agent.act(
      encodeObservations(this.observationSpace, obs),
      slots ?? null,
      opts.deterministic ? null : opts.rng,
      noise,
    );
  }

  begin(slot: number): void {
    this.agent.begin(slot);
  }

  stats(obs: readonly Observation[], rng: Rng, prior: Prior = this.objective.prior): { entropy: number; kl: number } {
    return this.agent.stats(encodeObservations(this.observationSpace, obs), obs.length, rng, prior as BoxPrior);
  }

  save(): LearnerCheckpoint<DreamerCheckpointAgent, UpdateLoopState> {
    return {
      version: LEARNER_CHECKPOINT_VERSION,
      algo: 'dreamer',
      agent: {
        state: this.agent.getState(),
        steps: this.steps,
        episodes: [...this.buffer.held()],
        streams: this.args.streams.getState(),
      },
      loop: this.loop.save(),
    };
  }

  load(checkpoint: unknown): void {
    checkCheckpoint(checkpoint, 'dreamer');
    const c = checkpoint as LearnerCheckpoint<DreamerCheckpointAgent, UpdateLoopState>;
    this.agent.setState(c.agent.state);
    this.steps = c.agent.steps;
    this.buffer.clear();
    for (const ep of c.agent.episodes) this.buffer.add(ep);
    this.args.streams.setState(c.agent.streams);
    this.loop.restore(c.loop);
  }

  networkSizes(): Record<string, number[]> {
    const { deterDim, stochDim, hiddenDim, actorHidden } = this.config;
    return {
      actor: [deterDim + stochDim, ...actorHidden, 2 * this.actionWidth],
      rssm: [deterDim, stochDim, hiddenDim],
    };
  }

  policyWeights(): PolicyWeights {
    return this.agent.policyWeights();
  }

  setPolicyWeights(w: PolicyWeights): void {
    this.agent.setPolicyWeights(w);
  }

  policyTable(): Float64Array {
    throw new RangeError(`policyTable(): needs a Discrete action space, got ${this.actionSpace.toString()}`);
  }

  override asPrior(): ReferenceSource {
    throw new RangeError(
      '--reference: a dreamer agent acts from its latent state, not from the observation a prior p(a|s) reads; allowed: a saved sac, sac-discrete or klppo agent',
    );
  }

  dispose(): void {}
}

/** The world-model agent inside a dreamer learner (its imagination, values and latent states, for reports and views). */
export function dreamerAgentOf(learner: Learner): DreamerAgent {
  if (!(learner instanceof DreamerLearner))
    throw new RangeError(`dreamerAgentOf: got a ${learner.algo} learner, allowed: dreamer`);
  return learner.agent;
}

// ─────────────────────────────────────────────────────────────────────────────── GRPO, RLOO, DPO
const TOKEN_LEARNERS = { rloo: Rloo, grpo: Grpo, dpo: Dpo } as const;

/** The tabular RLHF learners of `rlhf/` (one update a step, exact metrics every step) in the one shape. */
class TokenLearner extends BaseLearner<UpdateLoopFields> {
  protected readonly checkpointEvery: number;
  readonly loop: UpdateLoop;
  private readonly inner: TabularRlhfLearner;

  constructor(
    readonly algo: 'rloo' | 'grpo' | 'dpo',
    args: LearnerArgs,
    config: UpdateLoopFields,
  ) {
    super(args, config);
    const { totalSteps, evalEvery, evalEpisodes, checkpointEvery, ...own } = config;
    this.checkpointEvery = checkpointEvery;
    this.inner = new TOKEN_LEARNERS[algo]({ ...args, config: own });
    const inner = this.inner;
    const evaluate = this.evaluator(evalEpisodes);
    this.loop = new UpdateLoop(
      { update: () => inner.step(), count: () => inner.iteration, evaluate },
      totalSteps,
      evalEvery,
    );
  }

  act(obs: readonly Observation[], opts: ActOptions): Float32Array {
    return this.inner.act(obs, opts);
  }

  stats(obs: readonly Observation[]): { entropy: number; kl: number } {
    return this.inner.stats(obs);
  }

  save(): LearnerCheckpoint<RlhfState> {
    return {
      version: LEARNER_CHECKPOINT_VERSION,
      algo: this.algo,
      agent: this.inner.getState(),
      loop: this.loop.save(),
    };
  }

  load(checkpoint: unknown): void {
    checkCheckpoint(checkpoint, this.algo);
    const c = checkpoint as LearnerCheckpoint<RlhfState, UpdateLoopState>;
    this.inner.setState(c.agent);
    this.loop.restore(c.loop);
  }

  networkSizes(): Record<string, number[]> {
    return this.inner.networkSizes();
  }

  policyWeights(): PolicyWeights {
    return this.inner.policyWeights();
  }

  setPolicyWeights(w: PolicyWeights): void {
    this.inner.setPolicyWeights(w);
  }

  policyTable(): Float64Array {
    return this.inner.probabilities();
  }

  dispose(): void {
    this.inner.dispose();
  }
}

// ─────────────────────────────────────────────────────────────────────────────── saved policy → reference
/** A tabular policy's logits `[nS, nA]` as the rows of π(a|s), checked against the spaces. */
function softmaxTable(logits: Float32Array, [nS, nA]: number[], spaces: PriorSpaces): Float64Array {
  const o = spaces.observationSpace;
  const a = spaces.actionSpace;
  if (o.kind !== 'discrete' || a.kind !== 'discrete' || o.n < nS || a.n !== nA || logits.length !== nS * nA) {
    throw new RangeError(
      `policy: logits [${nS}, ${nA}] do not match the env's spaces (observations ${o.toString()}, actions ${a.toString()})`,
    );
  }
  const table = new Float64Array(o.n * nA).fill(1 / nA); // states past the table (finished sequences): uniform
  for (let s = 0; s < nS; s++) {
    const row = logits.subarray(s * nA, (s + 1) * nA);
    const max = Math.max(...row);
    let z = 0;
    for (let k = 0; k < nA; k++) z += Math.exp(row[k] - max);
    for (let k = 0; k < nA; k++) table[s * nA + k] = Math.exp(row[k] - max) / z;
  }
  return table;
}

/**
 * A policy (weights and sizes from `policyWeights` / `networkSizes`) as a frozen reference-prior source over
 * `spaces`: the tanh-squashed Gaussian of continuous SAC, the softmax of discrete SAC, KL-PPO's categorical or
 * Gaussian. The one policy-to-prior implementation: `Learner.asPrior()` and a saved agent loaded as a
 * reference both come here. The prior made from it frees the copied network.
 */
export function policyReference(
  algo: Algo,
  sizes: Record<string, number[]>,
  weights: PolicyWeights,
  config: Record<string, unknown> | object,
  spaces: PriorSpaces,
): ReferenceSource {
  if (weights.logits) return { table: softmaxTable(weights.logits, sizes.logits, spaces) };
  const actorSizes = sizes.actor;
  const a = spaces.actionSpace;
  const outputs = a.kind === 'discrete' ? a.n : algo === 'sac' ? 2 * a.dim : a.dim;
  if (actorSizes[0] !== obsDim(spaces.observationSpace) || actorSizes.at(-1) !== outputs) {
    throw new RangeError(
      `policy: actor sizes [${actorSizes.join(', ')}] do not match the env's spaces (observations ${spaces.observationSpace.toString()}, actions ${a.toString()}); allowed: [${obsDim(spaces.observationSpace)}, …, ${outputs}]`,
    );
  }
  // The tanh-Gaussian actor of continuous SAC also hands the engine its weights (it runs it in memory).
  if (algo === 'sac') return sacActorReference(actorSizes, weights.actor, spaces.actionSpace as Box);
  const init = () => new Rng(0); // the weights are overwritten by setWeights
  const activation =
    algo === 'klppo'
      ? 'tanh'
      : (((config as Partial<DiscreteSacConfig>).activation ?? DISCRETE_SAC_SCHEMA.defaults.activation) as
          'relu' | 'tanh');
  const net = new Mlp({ sizes: actorSizes, activation, name: `saved_${algo}_actor` }, init());
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
