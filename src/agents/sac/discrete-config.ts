/**
 * Discrete SAC's config (`sac/discrete.ts` holds the algorithm): every field with its TSDoc line, the one
 * zod schema (ranges, the engine's limits, the defaults), the tabular presets and the engine's config.
 * Browser-safe.
 */
import type { Discrete } from '../../core/spaces.js';
import { MAX_HIDDEN, engineStepConfig, type DiscreteSacEngineConfig } from '../../nn/engine/index.js';
import { obsDim, type Objective, type PriorSpaces } from '../../priors/index.js';
import { configSchema, field, MAX_BUFFER_SIZE, MAX_LAYER_WIDTH, resolveConfig } from '../../core/config.js';

export interface DiscreteSacConfig {
  /** Root seed: networks, exploration, replay sampling and env resets draw from named streams of it. */
  seed: number;
  /** Number of environment steps to train for. */
  totalSteps: number;
  /** Discount γ ∈ [0, 1]. */
  gamma: number;
  /**
   * How to train when the Objective's α is fixed at 0: `soft` keeps the soft updates (at α = 0 the actor's
   * gradient vanishes once π is near-deterministic); `greedy` takes their α → 0 limits, a greedy actor
   * and a max backup (see `greedyActor`), and should collect with ε-greedy (`explorationEpsilon`).
   */
  atZeroAlpha: 'soft' | 'greedy';
  /** Hidden layer widths of the actor and of each critic; `[]` makes them linear (tabular on one-hot states). */
  hidden: number[];
  /** Activation of the hidden layers. */
  activation: 'relu' | 'tanh';
  /** Adam learning rate of the actor. */
  actorLr: number;
  /** Adam learning rate of the twin critics. */
  criticLr: number;
  /** Adam learning rate of log α. */
  alphaLr: number;
  /** Replay buffer capacity (transitions). */
  bufferSize: number;
  /** Transitions per gradient step. */
  batchSize: number;
  /** Environment steps with uniformly random actions before learning starts. */
  learningStarts: number;
  /**
   * ε of the ε-greedy behaviour policy after the warm-up: each collected action is uniformly random with
   * probability ε, else drawn from π. Collection only: the critic target and the actor loss still use π
   * (Q is evaluated off-policy for π), so ε changes the data, not the objective. With α = 0 (the `none`
   * prior) π collapses to the greedy action and nothing else explores, as in DQN (SB3's
   * `exploration_final_eps`); with α > 0 the entropy already explores, so keep the default 0 there.
   */
  explorationEpsilon: number;
  /**
   * Temporally-extended ε-greedy (εz-greedy, Dabney et al. 2021): when > 1, each exploratory action is
   * repeated for n steps, n ~ zeta(μ) on {1, …, 100} (P(n) ∝ n^−μ; the paper uses μ = 2), so exploration
   * can cross a corridor that single random steps almost never traverse. 0 = one step (plain ε-greedy).
   */
  explorationRepeatMu: number;
  /** Environment steps between rounds of gradient steps. */
  updateEvery: number;
  /** Gradient steps per round (updates-to-data ratio = gradientSteps / updateEvery). */
  gradientSteps: number;
  /** Polyak coefficient τ of the target critics (1 = hard copy). */
  tau: number;
  /** Gradient steps between target-critic updates. */
  targetUpdateEvery: number;
  /** Rescale each network's gradient to this global L2 norm at most; 0 disables clipping. */
  clipNorm: number;
  /** Environment steps between metric log lines (and in-memory checkpoints). */
  logEvery: number;
  /** `engine` (the WebAssembly update, the fast path) or `autodiff` (tfjs autodiff, the reference); see the file's doc. */
  impl: 'engine' | 'autodiff';
}

/** The schema of `DiscreteSacConfig`: field types and ranges, the defaults and the engine's limits (one place). */
export const DISCRETE_SAC_SCHEMA = configSchema<DiscreteSacConfig>(
  'DiscreteSacConfig',
  {
    seed: field.finite(),
    totalSteps: field.positiveInt(),
    gamma: field.unit(),
    atZeroAlpha: field.oneOf(['soft', 'greedy']),
    hidden: field.widths(0, MAX_HIDDEN, MAX_LAYER_WIDTH),
    activation: field.oneOf(['relu', 'tanh']),
    actorLr: field.positive(),
    criticLr: field.positive(),
    alphaLr: field.positive(),
    bufferSize: field.range(
      `a positive integer ≤ ${MAX_BUFFER_SIZE}`,
      (x) => Number.isInteger(x) && x > 0 && x <= MAX_BUFFER_SIZE,
    ),
    batchSize: field.positiveInt(),
    learningStarts: field.nonNegativeInt(),
    explorationEpsilon: field.range('a number in [0, 1] (0 = off)', (x) => x >= 0 && x <= 1),
    explorationRepeatMu: field.range('0 (off) or a finite number > 1', (x) => x === 0 || x > 1),
    updateEvery: field.positiveInt(),
    gradientSteps: field.positiveInt(),
    tau: field.fraction(),
    targetUpdateEvery: field.positiveInt(),
    clipNorm: field.nonNegative(' (0 = off)'),
    logEvery: field.positiveInt(),
    impl: field.oneOf(['engine', 'autodiff']),
  },
  {
    seed: 1,
    totalSteps: 20_000,
    gamma: 0.99,
    atZeroAlpha: 'soft',
    hidden: [64, 64],
    activation: 'relu',
    actorLr: 3e-4,
    criticLr: 3e-4,
    alphaLr: 3e-4,
    bufferSize: 100_000,
    batchSize: 64,
    learningStarts: 1_000,
    explorationEpsilon: 0,
    explorationRepeatMu: 0,
    updateEvery: 1,
    gradientSteps: 1,
    tau: 0.005,
    targetUpdateEvery: 1,
    clipNorm: 0,
    logEvery: 1_000,
    impl: 'engine',
  },
);

export const DEFAULT_DISCRETE_SAC_CONFIG: Readonly<DiscreteSacConfig> = DISCRETE_SAC_SCHEMA.defaults;

/**
 * Settings for tabular envs (one-hot states), which reach the exact soft optimum of TwoRoute-v0 in ~6,000
 * steps: linear actor and critics (a softmax table and twin Q tables), a high learning rate, batches of
 * 128, a fast target (τ = 0.05), a short warm-up. Add `seed`, `totalSteps`, `gamma` and `alpha`.
 */
export const TABULAR_DISCRETE_SAC: Readonly<Partial<DiscreteSacConfig>> = Object.freeze({
  hidden: [],
  actorLr: 0.03,
  criticLr: 0.03,
  batchSize: 128,
  learningStarts: 500,
  tau: 0.05,
  logEvery: 1000,
});

/**
 * The tabular settings for α ≡ 0 (plain RL, no entropy to explore with): the greedy limits of the updates
 * (`atZeroAlpha: 'greedy'`), εz-greedy collection (ε = 0.1, repeats ~ zeta(2)) and a gentler Adam step
 * (0.01: Adam turns the rare gradient of a seldom-sampled one-hot row into a step of about 3·lr, and the max
 * backup spreads such a jump). Why, measured: docs/findings.md.
 */
export const TABULAR_DISCRETE_SAC_PLAIN: Readonly<Partial<DiscreteSacConfig>> = Object.freeze({
  ...TABULAR_DISCRETE_SAC,
  atZeroAlpha: 'greedy',
  explorationEpsilon: 0.1,
  explorationRepeatMu: 2,
  actorLr: 0.01,
  criticLr: 0.01,
});

/** Fills defaults and validates (`DISCRETE_SAC_SCHEMA`); errors name the field, the value and what is allowed. */
export function resolveDiscreteSacConfig(partial: Partial<DiscreteSacConfig> = {}): DiscreteSacConfig {
  return resolveConfig(DISCRETE_SAC_SCHEMA, partial);
}

/** The engine's config for an agent of `cfg` on `spaces` toward `objective`. */
export function discreteEngineConfig(
  cfg: DiscreteSacConfig,
  spaces: PriorSpaces,
  objective: Objective,
): DiscreteSacEngineConfig {
  return {
    obsDim: obsDim(spaces.observationSpace),
    nActions: (spaces.actionSpace as Discrete).n,
    hidden: cfg.hidden,
    activation: cfg.activation,
    ...engineStepConfig(cfg, objective),
    targetUpdateEvery: cfg.targetUpdateEvery,
    greedy: cfg.atZeroAlpha === 'greedy',
  };
}
