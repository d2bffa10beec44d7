import { RunFailure } from '../core/errors.js';

/**
 * The one error for a run whose numbers stopped being finite (a loss, a statistic, an action): it names
 * the quantity, its value and the step, and carries the learner's last good state when there is one
 * (the run folder's last checkpoint is never overwritten by a diverged run).
 */
export class DivergedError extends RunFailure {
  override readonly name = 'DivergedError';

  constructor(
    readonly learner: string,
    readonly quantity: string,
    readonly value: number,
    readonly step: number,
    readonly lastGood: unknown = null,
    hint = 'try a smaller learning rate or gradient clipping',
  ) {
    super(
      `${learner}: ${quantity} = ${value} at step ${step}; training stopped, the last good checkpoint is kept (${hint})`,
    );
  }
}

/** Throws a DivergedError for the first non-finite entry of `scalars`. */
export function checkFinite(
  learner: string,
  scalars: Record<string, number>,
  step: number,
  lastGood: unknown = null,
): void {
  for (const [k, v] of Object.entries(scalars)) {
    if (!Number.isFinite(v)) throw new DivergedError(learner, k, v, step, lastGood);
  }
}

/**
 * A learned temperature past this has stopped meaning anything: dual ascent on log α grows it without bound
 * when no policy the learner can represent meets the target (e.g. a Gaussian reference whose mass spills
 * outside the action bounds: a squashed policy's KL to it never drops below −log p(bounds|s)).
 */
export const RUNAWAY_ALPHA = 1e4;

/** Throws a DivergedError when a learned α (one with a target KL) has run past `RUNAWAY_ALPHA`; `kl`: the current KL(π‖p). */
export function checkTemperature(
  learner: string,
  alpha: number,
  kl: number,
  step: number,
  targetKl: number | null,
  lastGood: unknown = null,
): void {
  if (targetKl === null || !(alpha > RUNAWAY_ALPHA)) return;
  throw new DivergedError(
    learner,
    'charts/alpha',
    alpha,
    step,
    lastGood,
    `the learned α keeps growing while KL(π‖p) = ${kl.toFixed(3)} stays above the target ${targetKl.toFixed(3)}: this learner cannot get that close to the prior; raise the target, or fix α`,
  );
}
