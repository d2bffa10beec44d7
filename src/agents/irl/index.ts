/** Maximum-entropy inverse RL on finite MDPs with the exact soft solver; the prior is the knob. */
export {
  checkDemonstrations,
  DemonstrationFileSchema,
  demonstrationsJson,
  parseDemonstrations,
  sampleDemonstrations,
} from './demos.js';
export type { Demonstration, SampleOptions } from './demos.js';
export { featureReward, gridCellFeatures, gridCellReward, stateFeatures } from './features.js';
export type { FeatureMap } from './features.js';
export {
  alignShaping,
  correlation,
  fitMaxEntIrl,
  MaxEntIrl,
  shapingDirection,
  visitedKl,
  withReward,
} from './maxent.js';
export type { Evaluation, FitOptions, IrlFit, IrlProblem, TabularObjective } from './maxent.js';
export { lbfgsMaximize } from './lbfgs.js';
export type { LbfgsOptions, LbfgsResult, ValueAndGradient } from './lbfgs.js';
