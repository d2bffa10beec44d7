/**
 * Priors p(a|s) for the objective E[return] − α·KL(π‖p): `makePrior('uniform' | 'reference' | 'none', env, opts)`.
 * See `prior.ts` for the interface and the lesson's table (uniform → max-entropy RL, reference → KL-regularized
 * RL / RLHF, none → plain RL).
 */
import { nonePrior } from './none.js';
import { PRIOR_KINDS, type Prior, type PriorKind, type PriorSpaces } from './prior.js';
import { referencePrior, type ReferenceSource } from './reference.js';
import { uniformPrior } from './uniform.js';

export * from './prior.js';
export * from './encoding.js';
export { uniformPrior } from './uniform.js';
export { nonePrior } from './none.js';
export { referencePrior, type GaussianParams, type ReferenceSource } from './reference.js';
export { controllerReference } from './references.js';

export interface MakePriorOptions {
  /** The fixed policy behind a `reference` prior (table, logits function or Gaussian controller). */
  reference?: ReferenceSource;
}

export function makePrior(kind: PriorKind, env: PriorSpaces, opts: MakePriorOptions = {}): Prior {
  switch (kind) {
    case 'uniform':
      return uniformPrior(env);
    case 'none':
      return nonePrior(env);
    case 'reference':
      if (opts.reference === undefined) {
        throw new RangeError("makePrior('reference'): opts.reference is required ({ table }, { logits } or { gaussian, squash? })");
      }
      return referencePrior(env, opts.reference);
    default:
      throw new RangeError(`makePrior: kind '${String(kind)}' is unknown (allowed: ${PRIOR_KINDS.join(', ')})`);
  }
}
