import { createLearner } from '../src/agents/learner.js';
import { runEpisodes } from '../src/agents/episodes.js';
import { Rng, RngStreams } from '../src/core/rng.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { buildObjective } from '../src/node/train/setup.js';
await initNodeBackend();
const [envId, stepsS, specS, extraS, seedS] = process.argv.slice(2);
const makeEnv = () => make(envId);
const objective = buildObjective(JSON.parse(specS), makeEnv());
const l = createLearner('dreamer', {
  makeEnv,
  objective,
  config: { totalSteps: Number(stepsS), evalEvery: 2000, evalEpisodes: 5, ...JSON.parse(extraS) },
  streams: new RngStreams(Number(seedS ?? 1)),
});
const t0 = performance.now();
await l.run({
  log: (step, s) => {
    if (s['charts/eval_return'] !== undefined)
      console.log(
        step,
        ((performance.now() - t0) / 1000).toFixed(0) + 's',
        Object.entries(s)
          .filter(([k]) => /return|kl_prior|scale/.test(k))
          .map(([k, v]) => `${k.split('/')[1]}=${v.toFixed(1)}`)
          .join(' '),
      );
  },
});
const seeds = Array.from({ length: 10 }, (_, i) => 1000 + i);
const det = runEpisodes(l, makeEnv, 10, seeds).map((e) => e.return);
const sto = runEpisodes(l, makeEnv, 10, seeds, { act: { deterministic: false, rng: new Rng(5) } }).map((e) => e.return);
const m = (x: number[]) => (x.reduce((a, b) => a + b, 0) / x.length).toFixed(1);
console.log(
  `final det ${m(det)} [${det.map((x) => x.toFixed(0)).join(' ')}]  stoch ${m(sto)} [${sto.map((x) => x.toFixed(0)).join(' ')}]  ${((performance.now() - t0) / 1000).toFixed(0)}s`,
);
