/**
 * `priorlab`: the browser-safe core. Every learner maximizes
 *
 *     J(π) = E_π[ Σ_t γ^t ( r_t − α · KL(π(·|s_t) ‖ p(·|s_t)) ) ]
 *
 * and the prior `p` (with its temperature α: one `Objective`) is a value passed in. This entry holds the
 * environments and their registry, spaces and seeded RNG streams, the priors, their combinators and the
 * Objective, the one learner API (`createLearner`), the exact soft solver and the world models. Node-only
 * machinery (run folders, the CLI's pieces, sweeps, the tfjs-node backend) is `priorlab/node`.
 *
 * ```ts
 * import { createLearner, initBackend, loadSacEngine, make, makeObjective, RngStreams } from 'priorlab';
 * await Promise.all([initBackend(), loadSacEngine()]);
 * const objective = makeObjective({ prior: 'uniform', alpha: 0.2 }, make('CliffWalking-v1'));
 * const learner = createLearner('sac-discrete', {
 *   makeEnv: () => make('CliffWalking-v1'), objective, config: { totalSteps: 2000 }, streams: new RngStreams(1),
 * });
 * await learner.run();
 * ```
 * @packageDocumentation
 */

// core: RNG streams, spaces, distributions, config schemas, errors, backends.
export { Rng, RngStreams, type Seed, type RngState } from './core/rng.js';
export { Box, Discrete, type Space, type Dtype } from './core/spaces.js';
export { Categorical, DiagGaussian, TanhGaussian } from './core/distributions.js';
export { ConfigError, type ConfigSchema } from './core/config.js';
export { UsageError } from './core/errors.js';
export { initBackend, BROWSER_BACKENDS, type BackendOptions } from './core/backend.js';
export { encodeF32Json, decodeF32Json } from './core/f32json.js';
export { METRICS, vocabularyEntry, type MetricEntry } from './core/vocabulary.js';
export { parseMetrics, type MetricsRow } from './core/metrics.js';
export { loadSacEngine } from './nn/engine/core.js';
export { loadTapeKernels } from './nn/kernels.js';

// envs: the contract, the registry, wrappers, the checker, the built-in envs.
export type {
  Action,
  Env,
  Info,
  Observation,
  ResetOptions,
  ResetResult,
  StepResult,
  TabularEnv,
  TabularModel,
  Transition,
} from './envs/env.js';
export { isTabular } from './envs/env.js';
export {
  make,
  register,
  registeredIds,
  envSpec,
  maxEpisodeStepsOf,
  type EnvFactory,
  type EnvOptions,
  type EnvSpec,
} from './envs/registry.js';
export { TimeLimit, ObservationSubset, unwrapped } from './envs/wrappers.js';
export { SyncVectorEnv, type VectorStepResult } from './envs/vector.js';
export { checkEnv, EnvCheckError, type CheckEnvOptions } from './envs/checker.js';
export { GridWorld, exploringStarts } from './envs/gridworld.js';
export { BaseEnv, OptionReader, checkResetOptions, checkDiscreteAction, checkBoxAction } from './envs/base.js';
export { makeCliffWalking } from './envs/cliffwalking.js';
export { makeFrozenLake } from './envs/frozenlake.js';
export {
  makeTwoRoute,
  twoRouteReference,
  classifyTwoRoute,
  TWO_ROUTE_ALPHA,
  TWO_ROUTE_GAMMA,
  TWO_ROUTE_LAVA,
} from './envs/tworoute.js';
export { Pendulum } from './envs/pendulum.js';
export { MountainCarContinuous } from './envs/mountaincar.js';
export { LinearGaussian, LINEAR_GAUSSIAN_TASK, LINEAR_GAUSSIAN_REFERENCES } from './envs/lineargaussian.js';
export type { LinearGaussianTask, LinearGaussianPolicy } from './core/linear-gaussian.js';
export { PointMass } from './envs/pointmass.js';
export { TokenSeq } from './envs/tokens.js';
export {
  pendulumSwingUp,
  pointMassSteering,
  mountainCarPumping,
  type GaussianController,
  type PendulumSwingUpOptions,
  type PointMassSteeringOptions,
  type MountainCarPumpingOptions,
} from './envs/controllers.js';

// priors: the Objective, the built-in priors, user-defined priors and their combinators.
export {
  makeObjective,
  parseObjectiveSpec,
  objectiveSpecSchema,
  ObjectiveError,
  PRIOR_NAMES,
  type AlphaSpec,
  type MakeObjectiveOptions,
  type Objective,
  type ObjectiveSpec,
  type PriorName,
  type TabularObjective,
} from './priors/objective.js';
export {
  isDiscretePrior,
  type BoxPrior,
  type DiscretePrior,
  type Prior,
  type PriorKind,
  type PriorSpaces,
} from './priors/prior.js';
export { uniformPrior } from './priors/uniform.js';
export { referencePrior, type GaussianParams, type ReferenceSource } from './priors/reference.js';
export { controllerReference } from './priors/controller.js';
export { NAMED_REFERENCES, referenceNames, type NamedReference } from './priors/named.js';
export * from './priors/custom.js';
export { registerEnv, type RegisterEnvOptions } from './priors/register-env.js';

// learners: the one learner API, episodes, saved agents.
export {
  createLearner,
  learnerSchema,
  algoFits,
  defaultAlpha,
  policyReference,
  ALGOS,
  type Algo,
  type Learner,
  type LearnerArgs,
  type LearnerConfigs,
  type PolicyWeights,
  type ActOptions,
  type TrainHooks,
} from './agents/learner.js';
export type { LearnerCheckpoint, LoopObject, MetricsLine } from './agents/loop.js';
export {
  runEpisodes,
  episodeSteps,
  rollouts,
  tablePolicy,
  meanReturn,
  type Rollout,
  type EpisodeResult,
  type EpisodeOptions,
  type BatchPolicy,
} from './agents/episodes.js';
export { DivergedError } from './agents/diverged.js';
export { TABULAR_DISCRETE_SAC, TABULAR_DISCRETE_SAC_PLAIN } from './agents/sac/discrete-config.js';
export {
  AGENT_FORMAT_VERSION,
  AGENT_FILES,
  parseAgentManifest,
  agentWeights,
  checkAgentFits,
  type AgentManifest,
} from './agents/saved-agent.js';

// the exact solver: soft value iteration and what it evaluates.
export {
  softValueIteration,
  evaluatePolicy,
  stateVisitation,
  hittingProbability,
  weightedMean,
  klAt,
  klDivergence,
  entropyAt,
  checkPolicyTable,
  actionPosterior,
  type SoftVIOptions,
  type SoftVIResult,
  type EvaluateOptions,
  type VisitationOptions,
} from './agents/exact/index.js';

// world models: the RSSM trained by the ELBO, the linear-Gaussian SSM with its exact Kalman likelihood, soft LQG.
export { Rssm, RSSM_SCHEMA, DEFAULT_RSSM_CONFIG, type RssmConfig } from './worldmodel/rssm.js';
export { trainRssm, type TrainLoopOptions } from './worldmodel/train.js';
export { collectEpisodes, SequenceReplayBuffer, type Episode, type SequenceBatch } from './worldmodel/sequences.js';
export { kalmanFilter, type LgssmParams, type LgssmSequence } from './worldmodel/lgssm.js';
export { LgssmGaussianVI, type LgssmViConfig } from './worldmodel/lgssm-vi.js';
export { observationElbo } from './worldmodel/evaluate.js';
export {
  softLqr,
  softLqrBackward,
  evaluateLinearPolicy,
  lqgRollouts,
  kalmanMeans,
  regressGain,
  type SoftLqgOptions,
} from './worldmodel/soft-lqg.js';
