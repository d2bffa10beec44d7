import { Rng } from '../src/core/rng.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { makeObjective } from '../src/priors/objective.js';
import { DreamerAgent, DREAMER_SCHEMA } from '../src/agents/dreamer/dreamer.js';
import { collectEpisodes, randomPolicy, SequenceReplayBuffer } from '../src/worldmodel/sequences.js';
await initNodeBackend();
const env = make('Pendulum-v1');
const objective = makeObjective({ prior: 'uniform', alpha: 0.05 }, env);
const cfg = { ...DREAMER_SCHEMA.defaults };
const agent = new DreamerAgent({ obsDim: 3, actDim: 1 }, env.actionSpace as any, cfg, objective, new Rng(1));
const buf = new SequenceReplayBuffer(1e6);
for (const ep of collectEpisodes(env, randomPolicy(env), { episodes: 5, maxSteps: 200, seed: 1, rng: new Rng(2) }))
  buf.add(ep);
const r = { noise: new Rng(3), imagine: new Rng(4) };
const b = new Rng(5);
const h0 = new Float32Array(64 * 64),
  z0 = new Float32Array(64 * 8);
for (let i = 0; i < 40; i++) (agent as any).imagine(h0, z0, 64, r.imagine);
