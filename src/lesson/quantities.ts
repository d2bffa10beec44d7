/**
 * The quantities an exercise may ask for, by name, each computed by the project's own math (`src/vi`):
 * an exercise file names one of these keys, never a number, so the answer it checks against always
 * follows the model's parameters.
 */
import { type LessonExample, type LessonQuantities, computeQuantities } from '../vi/index.js';

/** A linear-Gaussian exercise: p(z) = N(0, priorVariance), p(x|z) = N(z, noiseVariance), q = N(qMean, qVariance). */
export interface ModelParams {
  priorVariance: number;
  noiseVariance: number;
  x: number;
  qMean: number;
  qVariance: number;
}

export const PARAM_KEYS = ['priorVariance', 'noiseVariance', 'x', 'qMean', 'qVariance'] as const;

export type QuantityName = keyof LessonQuantities;

export interface QuantitySpec {
  /** How the page and the CLI name it. */
  label: string;
  /** The function in `src/vi` that computes it. */
  formula: string;
}

export const QUANTITIES: Record<QuantityName, QuantitySpec> = {
  posteriorMean: { label: 'posterior mean of p(z|x)', formula: 'LinearGaussianModel.posterior(x).mean' },
  posteriorVariance: { label: 'posterior variance of p(z|x)', formula: 'LinearGaussianModel.posterior(x).variance' },
  marginalVariance: { label: 'variance of the marginal p(x)', formula: 'LinearGaussianModel.marginal().variance' },
  logMarginal: { label: 'log p(x)', formula: 'LinearGaussianModel.logMarginal(x)' },
  reconstruction: { label: 'E_q[log p(x|z)]', formula: 'LinearGaussianModel.elbo(x, q).reconstruction' },
  priorKL: { label: 'KL(q ‖ p(z))', formula: 'LinearGaussianModel.elbo(x, q).kl = gaussianKL(q, prior)' },
  elbo: { label: 'ELBO', formula: 'LinearGaussianModel.elbo(x, q).elbo' },
  gapByDefinition: { label: 'gap log p(x) − ELBO', formula: 'LinearGaussianModel.gapByDefinition(x, q)' },
  gapByPosteriorKL: { label: 'KL(q ‖ p(z|x))', formula: 'LinearGaussianModel.gapByPosteriorKL(x, q)' },
};

export const QUANTITY_NAMES = Object.keys(QUANTITIES) as QuantityName[];

export function asExample(p: ModelParams): LessonExample {
  return {
    title: `p(z)=N(0,${p.priorVariance}), p(x|z)=N(z,${p.noiseVariance}), x=${p.x}, q=N(${p.qMean},${p.qVariance})`,
    priorVariance: p.priorVariance,
    noiseVariance: p.noiseVariance,
    x: p.x,
    q: { mean: p.qMean, variance: p.qVariance },
    stated: {},
  };
}

/** Every registered quantity of the model, from `computeQuantities` in `src/vi`. */
export function quantitiesOf(p: ModelParams): LessonQuantities {
  return computeQuantities(asExample(p));
}
