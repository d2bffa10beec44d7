import { Rng, RngStreams } from '../src/core/rng.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { makeObjective } from '../src/priors/objective.js';
import { DreamerAgent, DREAMER_SCHEMA } from '../src/agents/dreamer/dreamer.js';
import { collectEpisodes, randomPolicy, SequenceReplayBuffer } from '../src/worldmodel/sequences.js';
await initNodeBackend();
const env = make('Pendulum-v1');
const objective = makeObjective({ prior: 'uniform', alpha: 0.05 }, env);
const cfg = { ...DREAMER_SCHEMA.defaults, ...JSON.parse(process.argv[2] ?? '{}') };
const agent = new DreamerAgent({ obsDim: 3, actDim: 1 }, env.actionSpace as any, cfg, objective, new Rng(1));
const buf = new SequenceReplayBuffer(1e6);
for (const ep of collectEpisodes(env, randomPolicy(env), { episodes: 5, maxSteps: 200, seed: 1, rng: new Rng(2) }))
  buf.add(ep);
const r = { noise: new Rng(3), imagine: new Rng(4) };
const b = new Rng(5);
for (let i = 0; i < 3; i++) agent.train(buf.sample(cfg.batchSize, cfg.seqLen, b), r);
let t0 = performance.now();
for (let i = 0; i < 10; i++) agent.model.trainStep(buf.sample(cfg.batchSize, cfg.seqLen, b), r.noise);
const wm = (performance.now() - t0) / 10;
t0 = performance.now();
for (let i = 0; i < 10; i++) agent.train(buf.sample(cfg.batchSize, cfg.seqLen, b), r);
const all = (performance.now() - t0) / 10;
console.log(
  `world model ${wm.toFixed(1)} ms, whole train step ${all.toFixed(1)} ms, imagination ≈ ${(all - wm).toFixed(1)} ms`,
);
