/**
 * The list of experiments the CLI knows. Each entry is imported lazily, so `priorlab list` is fast
 * and an experiment that fails to load breaks only itself.
 *
 * To add yours: write `experiments/<name>.ts` with `export default { name, summary, options, kind, run }`
 * satisfying `Experiment` (see `src/node/run/experiment.ts`), then append ONE line below, keeping `name` and
 * `summary` equal to the module's own (a test checks they match):
 *
 *   entry('my-exp', 'one-line summary shown by `priorlab list`', () => import('./my-exp.js')),
 */
import type { Experiment } from '../src/node/run/experiment.js';

export interface ExperimentEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<{ default: Experiment }>;
}

function entry(name: string, summary: string, load: () => Promise<{ default: Experiment<any> }>): ExperimentEntry {
  return { name, summary, load: load as () => Promise<{ default: Experiment }> };
}

export const EXPERIMENTS: readonly ExperimentEntry[] = [
  entry(
    'tabular-q',
    'soft Q-learning on a small gridworld, prior-pluggable (the CLI demo: checkpoints, exact resume)',
    () => import('./tabular-q.js'),
  ),
  entry(
    'gridworld-priors',
    'two-route gridworld under the uniform, reference and no prior: exact optimum vs discrete SAC and KL-PPO; routes, entropy, KL, return',
    () => import('./gridworld-priors.js'),
  ),
  entry(
    'lesson',
    "the VI lesson's worked example and practice reproduced two ways (ELBO gap vs KL to the posterior), with Monte Carlo",
    () => import('./lesson.js'),
  ),
  entry(
    'sac-pendulum',
    'continuous SAC (auto temperature; uniform, swing-up reference or no prior) on Pendulum-v1, learning curve vs the SB3 benchmark',
    () => import('./sac-pendulum.js'),
  ),
  entry(
    'tokens-rlhf',
    'tiny RLHF: KL-PPO on TokenSeq-v0 vs the closed-form optimum; β = 0 reward-hacks, larger β stays near the reference',
    () => import('./tokens-rlhf.js'),
  ),
  entry(
    'rssm-pendulum',
    'RSSM world model trained by the ELBO on velocity-hidden Pendulum: imagination vs repeat-last, θ̇ read-out',
    () => import('./rssm-pendulum.js'),
  ),
  entry(
    'dreamer-pendulum',
    'world-model agent on velocity-hidden Pendulum: ELBO world model, actor-critic in imagination under the prior; imagined vs real',
    () => import('./dreamer-pendulum.js'),
  ),
  entry(
    'dreamer-lqg',
    'world-model agent on LinearGaussian-v0 against exact answers: observation ELBO vs Kalman log p, return and gain vs soft LQG',
    () => import('./dreamer-lqg.js'),
  ),
  entry(
    'lqg-exact',
    "LinearGaussian-v0's exact soft-LQG answers, each two ways: textbook Riccati, fixed point vs recursion, exact evaluation vs Monte Carlo on the real env",
    () => import('./lqg-exact.js'),
  ),
  entry(
    'lqg-elbo',
    "the RSSM's observation ELBO on LinearGaussian-v0 against the exact Kalman log-likelihood of the same held-out sequences",
    () => import('./lqg-elbo.js'),
  ),
  entry(
    'lgssm-vi',
    'variational posterior of a linear-Gaussian SSM trained by the reparameterized ELBO, scored against the exact Kalman likelihood',
    () => import('./lgssm-vi.js'),
  ),
  entry(
    'klppo-pendulum',
    'KL-PPO on Pendulum-v1 vs a noisy swing-up controller: beats its return with KL held near the adaptive target',
    () => import('./klppo-pendulum.js'),
  ),
  entry(
    'pointmass-priors',
    'continuous SAC on PointMass-v0 under the uniform, reference and no prior: goal and side shares, entropy, KL, return',
    () => import('./pointmass-priors.js'),
  ),
  entry(
    'irl-gridworld',
    'maximum-entropy IRL with the exact solver: true vs recovered reward and KL to the demonstrator as demonstrations grow (10 … 10,000)',
    () => import('./irl-gridworld.js'),
  ),
  entry(
    'irl-gradient',
    "MaxEnt IRL's exact gradient against central finite differences where the textbook form is off (truncated TwoRoute demonstrations, slippery CliffWalking)",
    () => import('./irl-gradient.js'),
  ),
  entry(
    'custom-priors',
    'user-defined priors (mixture, tempered, masked) on TwoRoute: discrete SAC vs the exact soft optimum of the same prior; lava moves sampled and exact',
    () => import('./custom-priors.js'),
  ),
  entry(
    'rlhf-estimators',
    'RLHF gradient estimators (k1/k2/k3, RLOO, GRPO, PPO-clip) against the exact gradient on TokenSeq-v0; RLOO, DPO, GRPO vs π*',
    () => import('./rlhf-estimators.js'),
  ),
  entry(
    'train',
    'any learner (sac, sac-discrete, klppo, rloo, grpo, dpo, dreamer) on any fitting env under any prior, tuned defaults from hyperparams/; saves the agent',
    () => import('./train.js'),
  ),
];
