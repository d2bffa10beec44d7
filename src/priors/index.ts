/**
 * The objective E[return] − α·KL(π‖p) as one value: `makeObjective({ prior, alpha, … }, env, { reference })`
 * (`objective.ts`). The priors p(a|s) behind it share one interface (`prior.ts`): uniform → max-entropy RL,
 * reference → KL-regularized RL / RLHF, none → plain RL (the uniform prior at α ≡ 0).
 */
export * from './prior.js';
export * from './encoding.js';
export * from './objective.js';
export { uniformPrior } from './uniform.js';
export { referencePrior, type GaussianParams, type ReferenceSource } from './reference.js';
export { controllerReference } from './controller.js';
