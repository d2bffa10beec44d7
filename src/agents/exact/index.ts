/** The exact soft solver: soft value iteration, exact policy evaluation, visitation and hitting probabilities. */
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
