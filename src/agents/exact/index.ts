/** The exact soft solver: soft value iteration, exact policy evaluation, visitation, hitting probabilities, and control as inference. */
export {
  checkPolicyTable,
  entropyAt,
  evaluatePolicy,
  hittingProbability,
  klAt,
  klDivergence,
  softValueIteration,
  stateVisitation,
  weightedMean,
} from './softvi.js';
export type { EvaluateOptions, SoftVIOptions, SoftVIResult, VisitationOptions } from './softvi.js';
export { solveLinear } from './linalg.js';
export { softOptimalPrecise } from './precise.js';
export type { PreciseOptions, PreciseResult } from './precise.js';
export { actionPosterior, backwardMessages, forwardMessages, modelReward } from './inference.js';
export type { BackwardMessages, ForwardMessages, InferenceOptions, InferenceSchedule } from './inference.js';
