/**
 * SAC-continuous benchmark: environment steps per second of the whole training loop on Pendulum-v1
 * (acting, stepping, storing, updating) on the default path, the WebAssembly engine. Milliseconds per
 * update, engine against tfjs, are `bench/engine.ts`'s.
 */
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { RngStreams } from '../src/core/rng.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { makeObjective } from '../src/priors/index.js';
import { createLearner } from '../src/agents/learner.js';
import { SAC_DEFAULTS, SAC_OBJECTIVE, type SacConfig } from '../src/agents/sac/continuous.js';

export async function bench(): Promise<void> {
  const backend = tf.getBackend() ? tf.getBackend() : await initNodeBackend();
  const env = make('Pendulum-v1');
  const cfg: SacConfig = {
    ...SAC_DEFAULTS,
    totalSteps: 3000,
    learningStarts: 1000,
    evalEvery: 0,
    evalEpisodes: 1,
    checkpointEvery: 0,
  };
  const objective = makeObjective(SAC_OBJECTIVE, env);
  const learner = createLearner('sac', {
    makeEnv: () => make('Pendulum-v1'),
    objective,
    config: cfg,
    streams: new RngStreams(0),
  });
  const t0 = performance.now();
  await learner.run();
  const stepsPerSecond = cfg.totalSteps / ((performance.now() - t0) / 1000);
  learner.dispose();
  objective.dispose();
  console.log(
    `sac-continuous (backend ${backend}, impl ${cfg.impl}): training loop on Pendulum-v1 (hidden 64×64, batch ${cfg.batchSize}, ` +
      `1000 random + 2000 learning steps, 1 final eval episode): ${stepsPerSecond.toFixed(0)} env steps/s; load ${loadavg()[0].toFixed(2)}`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await initNodeBackend();
  await bench();
}
