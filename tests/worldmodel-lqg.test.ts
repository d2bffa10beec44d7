/**
 * The RSSM (src/worldmodel/rssm.ts) trained by its ELBO on LinearGaussian-v0, against the exact answer:
 * the observation part of its ELBO (recon − KL) on held-out sequences vs the exact Kalman log-likelihood
 * log p(y_{0:T−1} | a) of the same sequences. The reward term is left out: r = −(xᵀQx + aᵀRa) is quadratic
 * in the state, not linear-Gaussian, so it has no Kalman counterpart. The data are the exact soft-LQG
 * controller's (flat reference, α = 0.1: action noise σ_π = 0.63), sequences of the first 32 observations.
 * The decoder std is the env's true observation std √V = 0.1. docs: README, "Linear-Gaussian control".
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/core/rng.js';
import { LINEAR_GAUSSIAN_TASK as TASK } from '../src/envs/lineargaussian.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { observationElbo } from '../src/worldmodel/evaluate.js';
import { kalmanFilter } from '../src/worldmodel/lgssm.js';
import { Rssm } from '../src/worldmodel/rssm.js';
import { windowsToBatch, type Episode } from '../src/worldmodel/sequences.js';
import { episodeRows, episodeSequence, lqgRollouts, softLqr, type SoftLqgOptions } from '../src/worldmodel/soft-lqg.js';

const T = 32;
const STEPS = 300;
const OPTS: SoftLqgOptions = { alpha: 0.1, gamma: 0.99, reference: { K: [[0, 0]], k: [0], cov: [[100]] } };

function controllerEpisodes(episodes: number, seed: number): Episode[] {
  const { policy } = softLqr(TASK, OPTS);
  return lqgRollouts(make('LinearGaussian-v0'), TASK, policy, OPTS, {
    episodes,
    seed,
    rng: new Rng(`lqg-data/${seed}`),
  }).episodes;
}

/** The first T observations of each episode as one batch (the RSSM starts every sequence at the episode's start). */
const firstSteps = (eps: Episode[], rng?: Rng, B = eps.length) =>
  windowsToBatch(
    eps,
    Array.from({ length: B }, (_, i) => ({ episode: rng ? rng.integer(eps.length) : i, start: 0 })),
    T,
  );

/** Mean exact log p(y_{0:T−1} | a) of the episodes' first T observations (Kalman filter, float64). */
function exactLogLik(eps: Episode[]): number {
  const lls = eps.map((ep) => {
    const { obs, actions } = episodeRows(ep);
    return kalmanFilter(TASK.model, episodeSequence(TASK, obs.slice(0, T), actions.slice(0, T - 1))).logLik;
  });
  return lls.reduce((a, b) => a + b, 0) / lls.length;
}

beforeAll(async () => {
  await initNodeBackend();
});

describe('RSSM on LinearGaussian-v0: ELBO (observation part) vs the exact Kalman log-likelihood', () => {
  const train = controllerEpisodes(200, 1);
  const heldOut = controllerEpisodes(100, 2);
  const exact = exactLogLik(heldOut);
  const evalBatch = firstSteps(heldOut);

  // One test per seed, so each stays well inside the learning tier's 120 s at a high load.
  it.each([1, 2, 3])(
    `seed %i: after ${STEPS} steps the gap is below 35 %, not negative, and a tenth of the untrained one or less`,
    (seed) => {
      const model = new Rssm(
        { obsDim: 1, actDim: 1 },
        { deterDim: 32, stochDim: 4, hiddenDim: 32, obsStd: Math.sqrt(TASK.model.R[0][0]), minStd: 0.01, lr: 3e-3 },
        new Rng(`lqg-rssm/init/${seed}`),
      );
      const evalRng = new Rng(`lqg-rssm/eval/${seed}`);
      const before = observationElbo(model, evalBatch, evalRng);
      const rng = new Rng(`lqg-rssm/train/${seed}`);
      for (let i = 0; i < STEPS; i++) {
        const t = model.trainStep(firstSteps(train, rng, 16), rng);
        [t.elbo, t.recon, t.reward, t.kl].forEach((x) => x.dispose());
      }
      const after = observationElbo(model, evalBatch, evalRng, 4);
      model.dispose();
      const gap = (exact - after) / Math.abs(exact);
      console.log(
        `seed ${seed}: exact log p(y_0:${T - 1} | a) ${exact.toFixed(2)} nats per sequence; ELBO_obs untrained ${before.toFixed(1)}, ` +
          `after ${STEPS} steps ${after.toFixed(2)}: gap ${(exact - after).toFixed(2)} nats (${(100 * gap).toFixed(1)} %, ${((exact - after) / T).toFixed(3)} per step)`,
      );
      // On average no model's likelihood beats the true one (Gibbs), and the ELBO is below the model's.
      expect(after).toBeLessThan(exact);
      expect(gap).toBeLessThan(0.35);
      expect(exact - before).toBeGreaterThan(10 * (exact - after));
    },
  );
});
