/**
 * The one error for a run whose numbers stopped being finite (a loss, a statistic, an action): it names
 * the quantity, its value and the step, and carries the learner's last good state when there is one
 * (the run folder's last checkpoint is never overwritten by a diverged run).
 */
export class DivergedError extends Error {
  override readonly name = 'DivergedError';

  constructor(
    readonly learner: string,
    readonly quantity: string,
    readonly value: number,
    readonly step: number,
    readonly lastGood: unknown = null,
    hint = 'try a smaller learning rate or gradient clipping',
  ) {
    super(`${learner}: ${quantity} = ${value} at step ${step}; training stopped, the last good checkpoint is kept (${hint})`);
  }
}

/** Throws a DivergedError for the first non-finite entry of `scalars`. */
export function checkFinite(learner: string, scalars: Record<string, number>, step: number, lastGood: unknown = null): void {
  for (const [k, v] of Object.entries(scalars)) {
    if (!Number.isFinite(v)) throw new DivergedError(learner, k, v, step, lastGood);
  }
}
