/**
 * dreamer-lqg: the world-model agent against exact answers on LinearGaussian-v0 (linear dynamics, Gaussian
 * noise, position-only observation, quadratic reward), where both halves are closed form:
 * - the world model's observation ELBO (recon − KL, a bound on log p(y_{0:T} | a)) against the exact Kalman
 *   log-likelihood of the same held-out episodes (`src/worldmodel/lgssm.ts`);
 * - the learned policy against the soft-LQG controller for the same objective (`src/worldmodel/soft-lqg.ts`:
 *   α, γ and the Gaussian reference p(a) = N(mean, std²) of `--reference`): its return (Monte Carlo over
 *   `--episodes` sampled episodes) against the exact policy's expected return, and its mean-action gain
 *   (least squares of the deterministic action on the Kalman mean x̂ over those episodes) against the
 *   exact gain K.
 * `--reference flat` (N(0, 10²)) stands in for the uniform prior; `tight` (N(0, 0.3²)) pulls the gain down.
 */
import { z } from 'zod';
import { createLearner, dreamerAgentOf } from '../src/agents/learner.js';
import type { DreamerAgent } from '../src/agents/dreamer/dreamer.js';
import { runEpisodes, type EpisodeResult } from '../src/agents/episodes.js';
import { Rng } from '../src/core/rng.js';
import {
  clipAction,
  LINEAR_GAUSSIAN_REFERENCES,
  LINEAR_GAUSSIAN_TASK as TASK,
  quadraticReward,
} from '../src/envs/lineargaussian.js';
import { make } from '../src/envs/registry.js';
import { stepsOption, type Experiment, type RunContext } from '../src/node/run/experiment.js';
import { parseSet } from '../src/node/train/hyperparams.js';
import { buildObjective } from '../src/node/train/setup.js';
import { kalmanFilter } from '../src/worldmodel/lgssm.js';
import { windowsToBatch, type Episode } from '../src/worldmodel/sequences.js';
import {
  episodeSequence,
  evaluateLinearPolicy,
  kalmanMeans,
  regressGain,
  softLqr,
} from '../src/worldmodel/soft-lqg.js';

const ENV_ID = 'LinearGaussian-v0';
const REFERENCES = Object.keys(LINEAR_GAUSSIAN_REFERENCES) as (keyof typeof LINEAR_GAUSSIAN_REFERENCES)[];

const options = z.object({
  reference: z
    .enum(REFERENCES as [string, ...string[]])
    .default('flat')
    .describe('the Gaussian reference p(a): flat or tight'),
  alpha: z.number().finite().gt(0).default(0.1).describe('temperature α on KL(π‖p), fixed'),
  steps: stepsOption(20000),
  episodes: z.number().int().positive().default(200).describe('evaluation episodes (return, gain, ELBO)'),
  set: z.string().optional().describe('dreamer hyperparameters: key=value,key=value (as train --set)'),
});
type Options = z.infer<typeof options>;

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const makeEnv = () => make(ENV_ID);
  const objective = buildObjective({ prior: 'reference', alpha: opts.alpha, reference: opts.reference }, makeEnv());
  const learner = createLearner('dreamer', {
    makeEnv,
    objective,
    config: {
      totalSteps: opts.steps,
      evalEvery: 1000,
      // Uniform random forces of up to ±10 throw the prefill's states far out (returns −10³ … −10⁴): the
      // model fits them first, before the actor learns from it (docs/dreamer.md has the runs without).
      prefill: 2000,
      modelWarmup: 1000,
      // Then the prefill leaves the replay (its far-out rewards biased the reward head near the origin), and
      // noise on the collected actions keeps the force's effect identified in the agent's own data.
      bufferSize: 5000,
      actionNoise: 1,
      actorLr: 3e-4,
      ...(opts.set === undefined ? {} : parseSet('dreamer', opts.set)),
    },
    streams: ctx.streams,
  });
  ctx.print(`dreamer-lqg: ${ENV_ID}, objective ${objective.label}, ${opts.steps} steps, backend ${ctx.backend}`);
  try {
    await learner.run({
      log: (step, scalars) => ctx.log(step, scalars),
      progress: (step, total, fields) => ctx.progress(step, total, fields),
      signal: ctx.signal,
    });
    if (!ctx.signal.aborted) report(opts, ctx, learner);
  } finally {
    learner.dispose();
    objective.dispose();
  }
}

function report(opts: Options, ctx: RunContext, learner: ReturnType<typeof createLearner<'dreamer'>>): void {
  const makeEnv = () => make(ENV_ID);
  const { gamma } = learner.config;
  const reference = LINEAR_GAUSSIAN_REFERENCES[opts.reference as keyof typeof LINEAR_GAUSSIAN_REFERENCES];
  const soft = { alpha: opts.alpha, gamma, reference };
  const exact = softLqr(TASK, soft);
  const exactEval = evaluateLinearPolicy(TASK, exact.policy, soft);

  const seeds = Array.from({ length: opts.episodes }, () => ctx.streams.get('final').uint32());
  const sampled = runEpisodes(learner, makeEnv, opts.episodes, seeds, {
    act: { deterministic: false, rng: new Rng(`${ctx.seed}/final-actions`) },
    record: true,
  });
  const meanReturn = sampled.reduce((s, e) => s + e.return, 0) / sampled.length;
  const se =
    Math.sqrt(sampled.reduce((s, e) => s + (e.return - meanReturn) ** 2, 0) / (sampled.length - 1)) /
    Math.sqrt(sampled.length);
  // The mean-action gain: the deterministic policy's actions regressed on the Kalman means along its episodes.
  const modes = runEpisodes(learner, makeEnv, opts.episodes, seeds, { record: true });
  const xs = modes.flatMap((e) => {
    const t = e.trajectory!;
    return kalmanMeans(TASK, t.obs, t.actions).slice(0, t.actions.length);
  });
  const gain = regressGain(
    xs,
    modes.flatMap((e) => e.trajectory!.actions),
  );

  const agent = dreamerAgentOf(learner);
  // Where the return goes: r = −(xᵀQx + aᵀRa), so the action cost is read off the actions and the state cost
  // is the rest; the exact split evaluates the same policy with Q = 0. The actor's action std at the states
  // the sampled episodes visit (its model filtering their observations and actions) against the exact σ_π.
  const actionOnly = { ...TASK, cost: { ...TASK.cost, Q: TASK.cost.Q.map((row) => row.map(() => 0)) } };
  const actionCost = (actions: number[][]) =>
    -actions.reduce((s, a) => s + quadraticReward(actionOnly, [0, 0], clipAction(TASK, a)), 0);
  const exactActionCost = -evaluateLinearPolicy(actionOnly, exact.policy, soft).return;
  const learnedActionCost = sampled.reduce((s, e) => s + actionCost(e.trajectory!.actions), 0) / sampled.length;
  const actionStd = actorStd(agent, sampled, new Rng(`${ctx.seed}/moments`));

  // The world model's observation ELBO on the sampled episodes (whole, as one batch) against Kalman's log p.
  const eps: Episode[] = sampled.map((e) => {
    const t = e.trajectory!;
    return {
      obsDim: 1,
      actDim: 1,
      length: t.actions.length,
      obs: Float32Array.from(t.obs.flat()),
      actions: Float32Array.from(t.actions.flat()),
      rewards: Float32Array.from(t.rewards),
    };
  });
  const T = eps[0].length + 1;
  const batch = windowsToBatch(
    eps,
    eps.map((_, i) => ({ episode: i, start: 0 })),
    T,
  );
  const terms = agent.model.lossAndGradient(batch, agent.model.noise(batch, new Rng(`${ctx.seed}/elbo`))).terms;
  const obsElbo = terms.recon - terms.kl;
  const logLik =
    sampled.reduce(
      (s, e) => s + kalmanFilter(TASK.model, episodeSequence(TASK, e.trajectory!.obs, e.trajectory!.actions)).logLik,
      0,
    ) / sampled.length;

  const pct = (a: number, b: number) => `${((100 * (a - b)) / Math.abs(b)).toFixed(1)} %`;
  const K = exact.policy.K[0];
  const exactStd = Math.sqrt(exact.policy.cov[0][0]);
  ctx.print(
    `\nexact soft LQG (α = ${opts.alpha}, γ = ${gamma}, p = N(${reference.k[0]}, ${Math.sqrt(reference.cov[0][0])}²)) vs the learned agent:`,
  );
  ctx.print('| quantity | exact | learned | difference |\n|---|---|---|---|');
  ctx.print(
    `| return per episode | ${exactEval.return.toFixed(3)} | ${meanReturn.toFixed(3)} ± ${se.toFixed(3)} | ${pct(meanReturn, exactEval.return)} |`,
  );
  ctx.print(`| gain on x̂ position | ${K[0].toFixed(3)} | ${gain.K[0][0].toFixed(3)} | ${pct(gain.K[0][0], K[0])} |`);
  ctx.print(`| gain on x̂ velocity | ${K[1].toFixed(3)} | ${gain.K[0][1].toFixed(3)} | ${pct(gain.K[0][1], K[1])} |`);
  ctx.print(
    `| offset k of the mean action | ${exact.policy.k[0].toFixed(3)} | ${gain.k[0].toFixed(3)} | ${(gain.k[0] - exact.policy.k[0]).toFixed(3)} |`,
  );
  ctx.print(
    `| action std at the visited states (RMS) | ${exactStd.toFixed(3)} | ${actionStd.toFixed(3)} | ${pct(actionStd, exactStd)} |`,
  );
  ctx.print(
    `| action cost Σ aᵀRa per episode | ${exactActionCost.toFixed(3)} | ${learnedActionCost.toFixed(3)} | ${pct(learnedActionCost, exactActionCost)} |`,
  );
  ctx.print(
    `| state cost Σ xᵀQx per episode | ${(-exactEval.return - exactActionCost).toFixed(3)} | ${(-meanReturn - learnedActionCost).toFixed(3)} | ${pct(-meanReturn - learnedActionCost, -exactEval.return - exactActionCost)} |`,
  );
  ctx.print(
    `| log p(y) per episode vs observation ELBO | ${logLik.toFixed(2)} | ${obsElbo.toFixed(2)} | ${pct(obsElbo, logLik)} |`,
  );
  const results: DreamerLqgResults = {
    env: ENV_ID,
    reference: opts.reference,
    alpha: opts.alpha,
    gamma,
    steps: learner.loop.stepCount,
    exact: {
      K: exact.policy.K,
      k: exact.policy.k,
      std: exactStd,
      return: exactEval.return,
      actionCost: exactActionCost,
    },
    learned: {
      K: gain.K,
      k: gain.k,
      std: actionStd,
      return: meanReturn,
      returnSe: se,
      actionCost: learnedActionCost,
    },
    elbo: { logLik, obsElbo, recon: terms.recon, kl: terms.kl },
  };
  ctx.writeFile('results.json', JSON.stringify(results, null, 2));
  ctx.print('wrote results.json');
}

/** A policy as `results.json` reports it: gain K and offset k of the mean action, its std, return, action cost. */
interface PolicySummary {
  K: number[][];
  k: number[];
  std: number;
  return: number;
  actionCost: number;
}

/** `results.json`: the exact soft-LQG controller beside the learned agent, and the ELBO beside Kalman's log p. */
export interface DreamerLqgResults {
  env: string;
  reference: string;
  alpha: number;
  gamma: number;
  steps: number;
  exact: PolicySummary;
  learned: PolicySummary & { returnSe: number };
  elbo: { logLik: number; obsElbo: number; recon: number; kl: number };
}

/**
 * RMS over the episodes' steps of the actor's action std (Monte Carlo, 32 draws a state), at the states its
 * world model filters from each episode's real observations and actions, as when it acted.
 */
function actorStd(agent: DreamerAgent, episodes: EpisodeResult[], rng: Rng): number {
  const n = episodes.length;
  const { deterDim: D, stochDim: S } = agent.cfg;
  let h: Float32Array = new Float32Array(n * D);
  let z: Float32Array = new Float32Array(n * S);
  let prev = new Float32Array(n);
  let sq = 0;
  let count = 0;
  const T = episodes[0].trajectory!.actions.length;
  for (let t = 0; t < T; t++) {
    const obs = Float32Array.from(episodes, (e) => e.trajectory!.obs[t][0]);
    ({ h, z } = agent.model.filterStep(h, z, prev, obs, n, null));
    for (const s of agent.actionMoments(h, z, n, rng, 32).std) sq += s * s;
    count += n;
    prev = Float32Array.from(episodes, (e) => e.trajectory!.actions[t][0]);
  }
  return Math.sqrt(sq / count);
}

const experiment: Experiment<typeof options> = {
  name: 'dreamer-lqg',
  summary:
    'world-model agent on LinearGaussian-v0 against exact answers: observation ELBO vs Kalman log p, return and gain vs soft LQG',
  options,
  kind: 'train',
  run,
};

export default experiment;
