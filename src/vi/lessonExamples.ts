/**
 * The lesson's two linear-Gaussian exercises as data: the model, the observation, the mismatched q, and
 * the numbers the lesson states (to three decimals), so code can reproduce them and report any that
 * disagree with the math. Quantities the lesson does not state numerically are absent.
 */
import type { Gaussian } from './gaussian.js';
import { LinearGaussianModel } from './linearGaussian.js';

/** The quantities of one exercise, keyed as the lesson table prints them. */
export interface LessonQuantities {
  posteriorMean: number;
  posteriorVariance: number;
  marginalVariance: number;
  logMarginal: number;
  reconstruction: number;
  priorKL: number;
  elbo: number;
  gapByDefinition: number;
  gapByPosteriorKL: number;
}

export interface LessonExample {
  readonly title: string;
  readonly priorVariance: number;
  readonly noiseVariance: number;
  readonly x: number;
  readonly q: Gaussian;
  /** Values as written in the lesson (three decimals); missing where the lesson gives none. */
  readonly stated: Partial<LessonQuantities>;
}

/** Lesson body, worked example: p(z) = N(0, 1), p(x|z) = N(z, 1), x = 1, q = N(0.3, 1). */
export const WORKED_EXAMPLE: LessonExample = {
  title: 'Worked example: p(z)=N(0,1), p(x|z)=N(z,1), x=1, q=N(0.3,1)',
  priorVariance: 1,
  noiseVariance: 1,
  x: 1,
  q: { mean: 0.3, variance: 1 },
  stated: {
    posteriorMean: 0.5,
    posteriorVariance: 0.5,
    marginalVariance: 2,
    logMarginal: -1.516,
    priorKL: 0.045,
    elbo: -1.709,
    gapByDefinition: 0.193,
    gapByPosteriorKL: 0.193,
  },
};

/** Practice exercise 1: p(z) = N(0, 4), p(x|z) = N(z, 1), x = 2, q = N(1.0, 1.5). */
export const PRACTICE_EXAMPLE: LessonExample = {
  title: 'Practice: p(z)=N(0,4), p(x|z)=N(z,1), x=2, q=N(1.0,1.5)',
  priorVariance: 4,
  noiseVariance: 1,
  x: 2,
  q: { mean: 1.0, variance: 1.5 },
  stated: {
    posteriorMean: 1.6,
    posteriorVariance: 0.8,
    marginalVariance: 5,
    reconstruction: -2.169,
    priorKL: 0.303,
    elbo: -2.472,
    gapByDefinition: 0.348,
    gapByPosteriorKL: 0.348,
  },
};

export const LESSON_EXAMPLES: readonly LessonExample[] = [WORKED_EXAMPLE, PRACTICE_EXAMPLE];

export function exampleModel(ex: LessonExample): LinearGaussianModel {
  return new LinearGaussianModel(ex.priorVariance, ex.noiseVariance);
}

/** Every quantity of the exercise, computed analytically from the formulas (our side of the table). */
export function computeQuantities(ex: LessonExample): LessonQuantities {
  const model = exampleModel(ex);
  const post = model.posterior(ex.x);
  const terms = model.elbo(ex.x, ex.q);
  return {
    posteriorMean: post.mean,
    posteriorVariance: post.variance,
    marginalVariance: model.marginal().variance,
    logMarginal: model.logMarginal(ex.x),
    reconstruction: terms.reconstruction,
    priorKL: terms.kl,
    elbo: terms.elbo,
    gapByDefinition: model.gapByDefinition(ex.x, ex.q),
    gapByPosteriorKL: model.gapByPosteriorKL(ex.x, ex.q),
  };
}
