import { createLearner } from '../src/agents/learner.js';
import { RngStreams } from '../src/core/rng.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { makeObjective } from '../src/priors/objective.js';
await initNodeBackend();
const env = process.argv[2] ?? 'Pendulum-v1';
const steps = Number(process.argv[3] ?? 6000);
const makeEnv = () => make(env);
const objective = makeObjective({ prior: 'uniform', alpha: Number(process.argv[4] ?? 0.05) }, makeEnv());
const extra = JSON.parse(process.argv[5] ?? '{}');
const l = createLearner('dreamer', {
  makeEnv,
  objective,
  config: { totalSteps: steps, evalEvery: 2000, evalEpisodes: 3, ...extra },
  streams: new RngStreams(Number(process.argv[6] ?? 1)),
});
const t0 = performance.now();
await l.run({
  log: (step, s) => {
    if (s['charts/eval_return'] !== undefined || step % 1000 < 200)
      console.log(
        step,
        ((performance.now() - t0) / 1000).toFixed(0) + 's',
        Object.entries(s)
          .filter(([k]) => /return|elbo\/total|kl_prior|critic|scale|alpha/.test(k))
          .map(([k, v]) => `${k.split('/')[1]}=${v.toFixed(2)}`)
          .join(' '),
      );
  },
});
