/**
 * One Objective per prior, the same value handed to the exact solver, discrete SAC, KL-PPO and the viewer's
 * compute on TwoRoute-v0 (α = 0.15, γ = 0.95): the viewer shows the solver's π*, and both learners land near
 * it (mean KL(π_learned ‖ π*) over the states π* visits ≤ 0.05, the limit of the learners' own tests; with
 * `none` π* is deterministic, so there the learned policy must put ≥ 0.9 on π*'s action).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { klAt, softValueIteration, stateVisitation, weightedMean } from '../src/agents/exact/index.js';
import { KlPpo } from '../src/agents/klppo/ppo.js';
import { DiscreteSacTrainer } from '../src/agents/sac/discrete-trainer.js';
import { TABULAR_DISCRETE_SAC, TABULAR_DISCRETE_SAC_PLAIN } from '../src/agents/sac/discrete-config.js';
import { RngStreams } from '../src/core/rng.js';
import type { TabularEnv } from '../src/envs/env.js';
import { exploringStarts } from '../src/envs/gridworld.js';
import { make } from '../src/envs/registry.js';
import { TWO_ROUTE_ALPHA, TWO_ROUTE_GAMMA, twoRouteReference } from '../src/envs/tworoute.js';
import { initNodeBackend } from '../src/node/backend.js';
import { makeObjective, objectiveSpecOf, PRIOR_NAMES, type Objective } from '../src/priors/index.js';
import { computeScene, GRID_ENVS } from '../src/viz/gridworld/compute.js';

beforeAll(async () => {
  await initNodeBackend(); // also loads the SAC engine
});

const twoRoute = () => make('TwoRoute-v0') as unknown as TabularEnv;

function sacPolicy(objective: Objective, signal: AbortSignal): Float64Array {
  const preset = objective.alpha === 0 ? TABULAR_DISCRETE_SAC_PLAIN : TABULAR_DISCRETE_SAC;
  const trainer = new DiscreteSacTrainer(exploringStarts(twoRoute()), objective, {
    ...preset,
    seed: 1,
    totalSteps: 6000,
    gamma: TWO_ROUTE_GAMMA,
  });
  while (!signal.aborted && trainer.step());
  const { policyTable, agent } = trainer.result();
  agent.dispose();
  return policyTable!;
}

function ppoPolicy(objective: Objective, signal: AbortSignal): Float64Array {
  const iterations = 250;
  const agent = new KlPpo(
    () => exploringStarts(twoRoute()),
    objective,
    { numEnvs: 16, numSteps: 64, hidden: [], gamma: TWO_ROUTE_GAMMA, learningRate: 0.01, annealIterations: iterations },
    new RngStreams(1),
  );
  for (let i = 0; i < iterations && !signal.aborted; i++) agent.iterate();
  const table = agent.policyTable();
  agent.dispose();
  return table;
}

describe('one Objective value for the solver, discrete SAC, KL-PPO and the viewer', () => {
  for (const prior of PRIOR_NAMES) {
    it(`${prior}: the viewer shows the solver's π*, and both learners land near it`, ({ signal }) => {
      const env = twoRoute();
      const objective = makeObjective(objectiveSpecOf({ prior, alpha: TWO_ROUTE_ALPHA }), env, {
        reference: () => ({ table: twoRouteReference(env) }),
      });
      const view = objective.tabular();
      const star = softValueIteration(env.model, { ...view, gamma: TWO_ROUTE_GAMMA });
      const visits = stateVisitation(env.model, star.pi);

      const scene = computeScene(GRID_ENVS['TwoRoute-v0'], objective, 1, 50);
      expect(Array.from(scene.pi)).toEqual(Array.from(star.pi));
      expect(scene.alpha).toBe(objective.alpha);
      // The viewer weighs states by their exact visits within the env's time limit (scene.visitation).
      expect(scene.stats.klPrior).toBeCloseTo(
        weightedMean(scene.visitation, (s) => klAt(star.pi, view.prior, s, 4)),
        12,
      );

      for (const [name, learn] of [
        ['discrete SAC', sacPolicy],
        ['KL-PPO', ppoPolicy],
      ] as const) {
        const pi = learn(objective, signal);
        if (objective.alpha > 0) {
          const kl = weightedMean(visits, (s) => klAt(pi, star.pi, s, 4));
          console.log(`[objective] ${prior} ${name}: KL(π ‖ π*) = ${kl.toFixed(4)}`);
          expect(kl, name).toBeLessThanOrEqual(0.05);
        } else {
          const onBest = weightedMean(visits, (s) => {
            let best = 0;
            for (let a = 1; a < 4; a++) if (star.pi[s * 4 + a] > star.pi[s * 4 + best]) best = a;
            return pi[s * 4 + best];
          });
          console.log(`[objective] ${prior} ${name}: π(a*|s) = ${onBest.toFixed(4)}`);
          expect(onBest, name).toBeGreaterThanOrEqual(0.9);
        }
      }
      objective.dispose();
    }, 240_000);
  }
});
