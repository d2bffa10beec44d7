/**
 * Reward features for inverse RL: r_θ(s,a) = φ(s,a)·θ, with φ(s,a) the features of the transition expected
 * over its outcomes. Plain float64 tables: `phi[(s * nA + a) * dim + j]`.
 * - `stateFeatures(model)`: one-hot in the state the move enters (any finite MDP);
 * - `gridCellFeatures(grid)`: one-hot in the CELL the move enters, which differs from the next state only
 *   where a hazard sends the agent back to the start (CliffWalking's cliff): the env's own reward is then
 *   exactly linear in them, `gridCellReward(grid)`.
 */
import type { TabularModel } from '../../envs/env.js';
import type { GridWorld } from '../../envs/gridworld.js';

/** φ(s,a) ∈ R^dim for every (s, a), row-major: `phi[(s * nA + a) * dim + j]`. */
export interface FeatureMap {
  dim: number;
  phi: Float64Array;
}

/** One-hot in the entered state, expected over outcomes: φ(s,a)_j = P(s' = j | s, a); zero rows on terminal states. */
export function stateFeatures(model: TabularModel): FeatureMap {
  const { nStates: nS, nActions: nA } = model;
  const phi = new Float64Array(nS * nA * nS);
  for (let s = 0; s < nS; s++) {
    if (model.terminalStates.has(s)) continue;
    for (let a = 0; a < nA; a++) for (const t of model.P[s][a]) phi[(s * nA + a) * nS + t.next] += t.prob;
  }
  return { dim: nS, phi };
}

/** r(s,a) = φ(s,a)·θ, nS×nA row-major. */
export function featureReward(features: FeatureMap, theta: Float64Array): Float64Array {
  const { dim, phi } = features;
  if (theta.length !== dim)
    throw new RangeError(`theta must have the feature dimension ${dim} entries, got ${theta.length}`);
  const R = new Float64Array(phi.length / dim);
  for (let k = 0; k < R.length; k++) {
    let r = 0;
    for (let j = 0; j < dim; j++) r += phi[k * dim + j] * theta[j];
    R[k] = r;
  }
  return R;
}

/** One-hot in the cell each executed move enters (`GridWorld.moveTarget`), expected over slips; zero rows on terminal states. */
export function gridCellFeatures(grid: GridWorld): FeatureMap {
  const { nStates: nS, nActions: nA } = grid.model;
  const phi = new Float64Array(nS * nA * nS);
  for (let s = 0; s < nS; s++) {
    if (grid.model.terminalStates.has(s)) continue;
    for (let a = 0; a < nA; a++)
      for (const [b, prob] of grid.executedMoves(a)) phi[(s * nA + a) * nS + grid.moveTarget(s, b)] += prob;
  }
  return { dim: nS, phi };
}

/** The gridworld's own reward as θ over `gridCellFeatures`: what entering each cell pays (walls: 0, never entered). */
export function gridCellReward(grid: GridWorld): Float64Array {
  return Float64Array.from(grid.cells, (c) =>
    c.kind === 'goal' || c.kind === 'hazard' ? c.reward : c.kind === 'wall' ? 0 : grid.spec.stepReward,
  );
}
