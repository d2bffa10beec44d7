/**
 * The RSSM (src/worldmodel/rssm.ts) trained by its ELBO on LinearGaussian-v0, against the exact answer: the
 * observation part of its ELBO (recon − KL) on held-out sequences vs the exact Kalman log-likelihood
 * log p(y_{0:T−1} | a) of the same sequences (setup: src/worldmodel/elbo-vs-kalman.ts; the reward term has
 * no Kalman counterpart). The decoder std is the env's true observation std √V = 0.1. A small budget here;
 * the `lqg-elbo` experiment runs the same `trainAgainstKalman` at any budget (README, "Linear-Gaussian control").
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../src/node/backend.js';
import { elboVsKalman, trainAgainstKalman } from '../src/worldmodel/elbo-vs-kalman.js';

const STEPS = 300;

beforeAll(async () => {
  await initNodeBackend();
});

describe('RSSM on LinearGaussian-v0: ELBO (observation part) vs the exact Kalman log-likelihood', () => {
  const setup = elboVsKalman(32);

  // One test per seed, so each stays well inside the learning tier's 120 s at a high load.
  it.each([1, 2, 3])(
    `seed %i: after ${STEPS} steps the gap is below 35 %, not negative, and a tenth of the untrained one or less`,
    (seed) => {
      const { untrained, elbo } = trainAgainstKalman(setup, { steps: STEPS, every: STEPS, seed });
      const after = elbo.at(-1)!.value;
      const { exact, T } = setup;
      const gap = (exact - after) / Math.abs(exact);
      console.log(
        `seed ${seed}: exact log p(y_0:${T - 1} | a) ${exact.toFixed(2)} nats per sequence; ELBO_obs untrained ${untrained.toFixed(1)}, ` +
          `after ${STEPS} steps ${after.toFixed(2)}: gap ${(exact - after).toFixed(2)} nats (${(100 * gap).toFixed(1)} %, ${((exact - after) / T).toFixed(3)} per step)`,
      );
      // On average no model's likelihood beats the true one (Gibbs), and the ELBO is below the model's.
      expect(after).toBeLessThan(exact);
      expect(gap).toBeLessThan(0.35);
      expect(exact - untrained).toBeGreaterThan(10 * (exact - after));
    },
  );
});
