/**
 * Fine-tune from a saved agent with a KL to it (the RLHF recipe on a gridworld): pretrain discrete SAC on
 * TwoRoute-v0 under the uniform prior, save it as a run folder's agent (`saveAgent`: agent.json + agent.bin,
 * with a checksum), then train a new learner on a changed task (slippery floor, `slip: 0.2`) with the saved
 * policy as its reference prior (`buildObjective` resolves a run folder as `--reference <folder>` does).
 *
 *   npx tsx examples/finetune.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createLearner,
  exploringStarts,
  make,
  makeObjective,
  meanReturn,
  Rng,
  RngStreams,
  TABULAR_DISCRETE_SAC,
  TWO_ROUTE_GAMMA,
  type Discrete,
  type ObjectiveSpec,
} from 'priorlab';
import { buildObjective, initNodeBackend, saveAgent, writeFileAtomic } from 'priorlab/node';
import { scale } from './budget.js';

await initNodeBackend();
const dir = mkdtempSync(join(tmpdir(), 'priorlab-finetune-'));
const config = { ...TABULAR_DISCRETE_SAC, totalSteps: scale(6000), gamma: TWO_ROUTE_GAMMA };
const seeds = Array.from({ length: 50 }, (_, i) => i);

// 1. Pretrain on the plain task and save the agent.
const spec: ObjectiveSpec = { prior: 'uniform', alpha: 0.15 };
const plain = () => make('TwoRoute-v0');
const pretrainObjective = makeObjective(spec, plain());
const pretrained = createLearner('sac-discrete', {
  makeEnv: () => exploringStarts(make('TwoRoute-v0') as never),
  objective: pretrainObjective,
  config,
  streams: new RngStreams(1),
});
while (pretrained.step());
saveAgent((name, data) => writeFileAtomic(join(dir, name), data), pretrained, {
  envId: 'TwoRoute-v0',
  envOptions: {},
  objective: spec,
  config: pretrained.config as unknown as Record<string, unknown>,
  packageVersion: '0.1.0',
  step: pretrained.loop.stepCount,
});

// 2. Fine-tune on the slippery task with KL(π ‖ π_saved), α = 0.05.
const slippery = () => make('TwoRoute-v0', { slip: 0.2 });
const objective = buildObjective({ prior: 'reference', alpha: 0.05, reference: dir }, slippery());
const tuned = createLearner('sac-discrete', {
  makeEnv: () => exploringStarts(slippery() as never),
  objective,
  config,
  streams: new RngStreams(2),
});
while (tuned.step());

const nS = (plain().observationSpace as Discrete).n;
const states = Array.from({ length: nS }, (_, s) => s);
const klToSaved = tuned.stats(states, new Rng('stats')).kl;
console.log(`saved agent: ${dir}`);
console.log(
  `return on the slippery task (50 episodes): pretrained ${meanReturn(pretrained, slippery, 50, seeds).toFixed(3)}, fine-tuned ${meanReturn(tuned, slippery, 50, seeds).toFixed(3)}`,
);
console.log(`mean KL(π_tuned ‖ π_saved) over the grid: ${klToSaved.toFixed(3)} nats`);
for (const x of [pretrained, tuned]) x.dispose();
pretrainObjective.dispose();
objective.dispose();
rmSync(dir, { recursive: true });
