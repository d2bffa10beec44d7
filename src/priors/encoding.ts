/**
 * How observations become network inputs, shared by every learner and by the priors (a prior reads the
 * same encoded batch the policy reads): a `Discrete(n)` observation (a tabular state) is a one-hot row
 * of width n; a `Box` observation is its float vector as is.
 */
import type { Space } from '../core/spaces.js';
import type { Observation } from '../envs/env.js';

/** Width of the encoded observation: n for `Discrete(n)`, the dimension for a `Box`. */
export function obsDim(space: Space): number {
  return space.kind === 'discrete' ? space.n : space.dim;
}

/** Writes the encoding of `obs` into `out` at row `row` (row width `obsDim(space)`); validates against `space`. */
function encodeObservation(space: Space, obs: Observation, out: Float32Array, row: number): void {
  const width = obsDim(space);
  const base = row * width;
  if (space.kind === 'discrete') {
    if (!space.contains(obs)) throw new RangeError(`observation: ${String(obs)} is not in ${space.toString()}`);
    out.fill(0, base, base + width);
    out[base + (obs as number)] = 1;
    return;
  }
  if (typeof obs === 'number' || obs.length !== width) {
    throw new RangeError(
      `observation: expected a vector of length ${width} for ${space.toString()}, got ${String(obs)}`,
    );
  }
  out.set(obs, base);
}

/** Encodes a batch of observations as a row-major `[obs.length, obsDim(space)]` Float32Array. */
export function encodeObservations(space: Space, obs: readonly Observation[]): Float32Array {
  const out = new Float32Array(obs.length * obsDim(space));
  obs.forEach((o, i) => encodeObservation(space, o, out, i));
  return out;
}
