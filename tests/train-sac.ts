/**
 * Tests' shorthand for a continuous SAC run through the learner protocol: build with `createLearner`, resume
 * from a checkpoint if given, `run(hooks)`, and hand back the learner with its SAC agent (the tests read its
 * networks) and this run's evaluations.
 */
import type { Env } from '../src/envs/env.js';
import type { RngStreams } from '../src/core/rng.js';
import type { Objective } from '../src/priors/index.js';
import { createLearner, type Learner, type TrainHooks } from '../src/agents/learner.js';
import type { SacCheckpoint, SacConfig, SacContinuous } from '../src/agents/sac/continuous.js';

export interface SacRun {
  learner: Learner<SacConfig>;
  agent: SacContinuous;
  evals: { step: number; meanReturn: number }[];
  /** The last evaluation's mean return (NaN before the first). */
  finalEvalReturn: number;
}

export async function trainSac(
  cfg: Partial<SacConfig>,
  makeEnv: () => Env,
  objective: Objective,
  streams: RngStreams,
  hooks: TrainHooks = {},
  resume?: SacCheckpoint,
): Promise<SacRun> {
  const learner = createLearner('sac', { makeEnv, objective, config: cfg, streams });
  try {
    if (resume) learner.load(resume);
    await learner.run(hooks);
  } catch (e) {
    learner.dispose();
    throw e;
  }
  const evals = learner.loop.metrics
    .filter((m) => m.scalars['charts/eval_return'] !== undefined)
    .map((m) => ({ step: m.step, meanReturn: m.scalars['charts/eval_return'] }));
  const agent = (learner as unknown as { agent: SacContinuous }).agent;
  return { learner, agent, evals, finalEvalReturn: evals.at(-1)?.meanReturn ?? NaN };
}
