/**
 * KL-PPO benchmark: environment steps per second of a full iteration (vectorized rollout, batched
 * log-probs/KL/values, GAE, all minibatch epochs, β update), median over a few iterations after a
 * warm-up, for a continuous task (Pendulum-v1 vs the swing-up reference, 64×64 MLPs, 10 epochs × 8
 * minibatches, the CLI experiment's settings) and a discrete one (TokenSeq-v0, tabular policy).
 */
import { RngStreams } from '../src/core/rng.js';
import { make } from '../src/envs/registry.js';
import { TokenSeq } from '../src/envs/tokens.js';
import { initNodeBackend } from '../src/node/backend.js';
import { makeObjective } from '../src/priors/index.js';
import { createLearner, type KlPpoLearnerConfig, type Learner } from '../src/agents/learner.js';
import { pendulumSwingUp } from '../src/envs/controllers.js';
import { controllerReference } from '../src/priors/controller.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median ms of one learner step (one PPO iteration) after a warm-up step (kernel compilation, optimizer slots). */
function stepsPerSecond(
  agent: Learner<KlPpoLearnerConfig>,
  iterations: number,
): { sps: number; msPerIteration: number } {
  agent.step();
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    agent.step();
    times.push(performance.now() - t0);
  }
  const ms = median(times);
  const steps = agent.config.numEnvs * agent.config.numSteps;
  agent.dispose();
  return { sps: (1000 * steps) / ms, msPerIteration: ms };
}

export async function bench(): Promise<void> {
  const backend = await initNodeBackend();
  const pendulum = createLearner('klppo', {
    makeEnv: () => make('Pendulum-v1'),
    objective: makeObjective({ prior: 'reference', alpha: 'auto_0.5', targetKl: 0.2 }, make('Pendulum-v1'), {
      reference: controllerReference(pendulumSwingUp()),
    }),
    config: {
      numEnvs: 8,
      numSteps: 200,
      hidden: [64, 64],
      numMinibatches: 8,
      updateEpochs: 10,
      klHorizon: 4000,
      evalEvery: 0,
      totalSteps: 1e9,
    },
    streams: new RngStreams(0),
  });
  const p = stepsPerSecond(pendulum, 5);
  const tokenEnv = new TokenSeq();
  const tokens = createLearner('klppo', {
    makeEnv: () => new TokenSeq(),
    objective: makeObjective({ prior: 'reference', alpha: 0.1 }, tokenEnv, {
      reference: { table: tokenEnv.referenceTable },
    }),
    config: { numEnvs: 32, numSteps: 8, hidden: [], gamma: 1, gaeLambda: 1, evalEvery: 0, totalSteps: 1e9 },
    streams: new RngStreams(0),
  });
  const t = stepsPerSecond(tokens, 10);
  console.log(`klppo (${backend}): env steps/s of a full PPO iteration (rollout + GAE + update epochs)`);
  console.log(
    `  Pendulum-v1  8×200 steps, 64×64, 10 epochs × 8 minibatches: ${p.sps.toFixed(0)} steps/s (${p.msPerIteration.toFixed(0)} ms/iteration)`,
  );
  console.log(
    `  TokenSeq-v0  32×8 steps, tabular, 4 epochs × 4 minibatches:  ${t.sps.toFixed(0)} steps/s (${t.msPerIteration.toFixed(0)} ms/iteration)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await bench();
