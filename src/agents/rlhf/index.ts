/**
 * The RLHF lab on TokenSeq-v0 (every sequence enumerable): the exact gradient of J = E[R] − β KL(π ‖ π_ref)
 * for a tabular softmax policy (`tabular.ts`), the field's gradient estimators measured against it
 * (`estimators.ts`), and three learners with one shape (`base.ts`): `createGrpo`, `createRloo`, `createDpo`.
 */
export * from './tabular.js';
export * from './estimators.js';
export { TabularRlhfLearner, type RlhfLearnerArgs, type RlhfState } from './base.js';
export { Grpo, createGrpo, GRPO_SCHEMA, type GrpoConfig } from './grpo.js';
export { Rloo, createRloo, RLOO_SCHEMA, type RlooConfig } from './rloo.js';
export { Dpo, createDpo, DPO_SCHEMA, type DpoConfig } from './dpo.js';
