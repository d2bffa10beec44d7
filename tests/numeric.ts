/** Numeric helpers shared by tests: tolerances and random inputs. */
import { expect } from 'vitest';
import { Rng } from '../src/core/rng.js';

/** max |a − b| / (atol + rtol·|b|) over the elements: ≤ 1 means "equal to tolerance". */
export function closeness(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i])));
  return worst;
}

/** A seeded random prior table p(a|s), nS×nA row-major, every entry ≥ 0.05 before normalizing. */
export function randomPrior(nS: number, nA: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const p = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let z = 0;
    for (let a = 0; a < nA; a++) z += p[s * nA + a] = 0.05 + rng.uniform();
    for (let a = 0; a < nA; a++) p[s * nA + a] /= z;
  }
  return p;
}
