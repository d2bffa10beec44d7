/**
 * The RSSM's observation ELBO on LinearGaussian-v0 against the exact Kalman log-likelihood, at a larger
 * budget than tests/worldmodel-lqg.test.ts (same setup: src/worldmodel/elbo-vs-kalman.ts):
 *
 *     npx tsx scripts/lqg-elbo.ts [steps=3000] [obsStd=0.1] [lr=0.003] [seed=1]
 *
 * prints the held-out gap every 300 steps. obsStd 0.1 is the env's true observation std.
 */
import { initNodeBackend } from '../src/node/backend.js';
import { elboVsKalman, trainAgainstKalman } from '../src/worldmodel/elbo-vs-kalman.js';

const [steps = 3000, obsStd = 0.1, lr = 3e-3, seed = 1] = process.argv.slice(2).map(Number);
await initNodeBackend();
const setup = elboVsKalman(32);
const started = performance.now();
const { elbo } = trainAgainstKalman(setup, { steps, every: 300, seed, config: { obsStd, lr } });
for (const { step, value } of elbo) {
  const gap = setup.exact - value;
  console.log(
    `step ${step}: ELBO_obs ${value.toFixed(2)}, exact ${setup.exact.toFixed(2)}: gap ${gap.toFixed(2)} nats (${((100 * gap) / Math.abs(setup.exact)).toFixed(1)} %)`,
  );
}
console.log(`obsStd ${obsStd}, lr ${lr}, seed ${seed}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
