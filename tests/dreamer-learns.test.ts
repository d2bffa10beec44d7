/**
 * The dreamer agent learns: Pendulum-v1 under the uniform prior (α = 0.05, the agent's defaults), 6,000 env
 * steps (1,000 random, then one train step per 5), seeds 1–3. The budget is the smallest at which every seed
 * measured so far had swung up (`dreamer-pendulum --env Pendulum-v1 --steps 12000`, evaluations every 1k steps:
 * −135, −147, −177 at 6k against −1,030 … −1,320 at 1k); the threshold, −500, leaves a margin of over 300
 * on each side. The long runs (PendulumNoVel-v1, 30k steps, the priors compared) are experiments.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createLearner } from '../src/agents/learner.js';
import { RngStreams } from '../src/core/rng.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { buildObjective } from '../src/node/train/setup.js';

const STEPS = 6000;
const THRESHOLD = -500;

beforeAll(async () => {
  await initNodeBackend();
});

describe(`dreamer on Pendulum-v1, uniform prior, ${STEPS} steps`, () => {
  it.each([1, 2, 3])(
    `seed %i: the deterministic 5-episode evaluation at ${STEPS} steps is above ${THRESHOLD} (the first one, at 1k, is below it)`,
    async (seed) => {
      const makeEnv = () => make('Pendulum-v1');
      const objective = buildObjective({ prior: 'uniform', alpha: 0.05 }, makeEnv());
      const learner = createLearner('dreamer', {
        makeEnv,
        objective,
        config: { totalSteps: STEPS, evalEvery: 1000, evalEpisodes: 5 },
        streams: new RngStreams(seed),
      });
      try {
        await learner.run();
        const evals = learner.loop.metrics
          .filter((m) => 'charts/eval_return' in m.scalars)
          .map((m) => ({ step: m.step, value: m.scalars['charts/eval_return'] }));
        console.log(`seed ${seed}: ${evals.map((e) => `${e.step}: ${e.value.toFixed(0)}`).join(', ')}`);
        expect(evals[0].step).toBe(1000);
        expect(evals[0].value).toBeLessThan(THRESHOLD);
        expect(evals.at(-1)!.step).toBe(STEPS);
        expect(evals.at(-1)!.value).toBeGreaterThan(THRESHOLD);
      } finally {
        learner.dispose();
        objective.dispose();
      }
    },
    300_000,
  );
});
