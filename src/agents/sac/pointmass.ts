/**
 * Continuous SAC on PointMass-v0 under the three priors, shared by `tests/sac-pointmass.test.ts` and
 * `experiments/pointmass-priors.ts`: the config, the Objective per prior (the reference is
 * `pointMassSteering`: full speed to the far goal below the obstacle, N(·, 0.5²) noise), and the
 * behaviour summary of a set of episodes (goal reached, side of the obstacle passed, trajectory spread).
 *
 * The optimum of E[return] − α·KL(π‖p) (there is no exact solver for continuous control):
 * - `uniform` (max-entropy): the broadest policy and trajectories (highest action entropy);
 * - `reference`: hugs the reference's route (far goal, bottom side) and has the lowest KL to it;
 * - `none` (α = 0): the return-maximizing route (the far goal, +5) and the lowest entropy.
 * What SAC learns at the budgets measured: the first two as predicted, but `none` takes the near goal
 * (docs/findings.md).
 */
import type { Rollout } from '../episodes.js';
import { SAC_DEFAULTS, type SacConfig } from './continuous.js';
import { pointMassSteering } from '../../envs/controllers.js';
import { POINT_MASS_GEOMETRY } from '../../envs/pointmass.js';
import {
  controllerReference,
  makeObjective,
  objectiveSpecOf,
  type Objective,
  type PriorName,
  type PriorSpaces,
} from '../../priors/index.js';

/** The same temperature for both priors, so the prior is the only difference between them. */
export const POINT_MASS_ALPHA = 0.05;

/** SAC for PointMass-v0: 64×64 networks, 500 random steps (the Objective fixes α). */
export function pointMassSacConfig(totalSteps: number): SacConfig {
  return {
    ...SAC_DEFAULTS,
    totalSteps,
    hidden: [64, 64],
    batchSize: 64,
    learningStarts: 500,
    evalEvery: 0,
    evalEpisodes: 5,
    checkpointEvery: 0,
  };
}

/** The Objective of a prior for PointMass-v0 at a fixed α; `reference` wraps `pointMassSteering()` (bottom side, σ = 0.5). */
export function pointMassObjective(prior: PriorName, env: PriorSpaces, alpha = POINT_MASS_ALPHA): Objective {
  return makeObjective(objectiveSpecOf({ prior, alpha }), env, {
    reference: () => controllerReference(pointMassSteering({ side: 'bottom', noiseStd: 0.5 })),
  });
}

export interface PointMassBehaviour {
  /** Fraction of episodes ending in each goal (`none`: truncated without one). */
  goal: { near: number; far: number; none: number };
  /** Fraction of episodes first crossing the central obstacle's x above it (`top`), below (`bottom`), or never. */
  side: { top: number; bottom: number; none: number };
  /** Mean over time steps of the RMS distance of the episodes' positions to their mean position (ended ones stay put). */
  spread: number;
  meanReturn: number;
}

export function pointMassBehaviour(episodes: readonly Rollout[], geometry = POINT_MASS_GEOMETRY): PointMassBehaviour {
  const n = episodes.length;
  const goal = { near: 0, far: 0, none: 0 };
  const side = { top: 0, bottom: 0, none: 0 };
  const ox = geometry.obstacles[0].x;
  for (const ep of episodes) {
    const g = ep.info.goal;
    goal[g === 'near' || g === 'far' ? g : 'none'] += 1;
    const cross = ep.obs.find((o) => o[0] >= ox);
    side[cross === undefined ? 'none' : cross[1] > 0 ? 'top' : 'bottom'] += 1;
  }
  for (const shares of [goal, side]) for (const k of Object.keys(shares) as (keyof typeof shares)[]) shares[k] /= n;
  const T = Math.max(...episodes.map((ep) => ep.obs.length));
  let spread = 0;
  for (let t = 0; t < T; t++) {
    const pts = episodes.map((ep) => ep.obs[Math.min(t, ep.obs.length - 1)]);
    const mx = pts.reduce((a, p) => a + p[0], 0) / n;
    const my = pts.reduce((a, p) => a + p[1], 0) / n;
    spread += Math.sqrt(pts.reduce((a, p) => a + (p[0] - mx) ** 2 + (p[1] - my) ** 2, 0) / n) / T;
  }
  return { goal, side, spread, meanReturn: episodes.reduce((a, ep) => a + ep.return, 0) / n };
}
