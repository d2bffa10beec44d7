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
import { Tape } from '../src/nn/tape.js';
import { buildObjective } from '../src/node/train/setup.js';
import { gaussianLogDensity, kalmanFilter } from '../src/worldmodel/lgssm.js';
import { applyReadout, fitLinearReadout, rSquared } from '../src/worldmodel/probe.js';
import { meanAndStdErr } from '../src/vi/linearGaussian.js';
import { windowsToBatch, type Episode } from '../src/worldmodel/sequences.js';
import {
  episodeRows,
  episodeSequence,
  evaluateLinearPolicy,
  kalmanMeans,
  regressGain,
  softLqr,
  stationaryValue,
  type SoftLqgOptions,
} from '../src/worldmodel/soft-lqg.js';
import { mv, vadd, type LinearGaussianPolicy, type Mat, type Vec } from '../src/core/linear-gaussian.js';

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
      // The decoder std learned from a small start (the sensor's is 0.1) and near-deterministic latents narrow
      // the ELBO gap the way the innovations form predicts; whole episodes from their reset, with h = 0 there
      // only, train the filter the way it runs when acting and when the ELBO is measured (windows starting
      // mid-episode from h = 0 taught a start transient everywhere). docs/dreamer.md has the runs of each.
      obsStd: 0.02,
      learnObsStd: true,
      minStd: 0.001,
      seqLen: TASK.horizon + 1,
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
  const { mean: meanReturn, stdErr: se } = meanAndStdErr(sampled.map((e) => e.return));
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
  const replay = replayActor(agent, sampled, new Rng(`${ctx.seed}/moments`));
  const actionStd = replay.std;
  // The soft objective J = Σ_t γ^t (r_t − α log π(a_t|s_t)/p(a_t)) of each sampled episode (an unbiased
  // sample of the exact evaluation's J): what both controllers maximize, beside the return they trade for it.
  const logRef = gaussianLogDensity(reference.cov);
  const softReturns = sampled.map((e, b) =>
    e.trajectory!.rewards.reduce(
      (s, r, t) =>
        s + gamma ** t * (r - opts.alpha * (replay.logProbs[b][t] - logRef(e.trajectory!.actions[t], reference.k))),
      0,
    ),
  );
  const { mean: meanSoft, stdErr: softSe } = meanAndStdErr(softReturns);

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
  const { terms } = agent.model.lossAndGradient(batch, agent.model.noise(batch, new Rng(`${ctx.seed}/elbo`)));
  const obsElbo = terms.recon - terms.kl;
  const logLik =
    sampled.reduce(
      (s, e) => s + kalmanFilter(TASK.model, episodeSequence(TASK, e.trajectory!.obs, e.trajectory!.actions)).logLik,
      0,
    ) / sampled.length;

  const learnedPolicy = { K: gain.K, k: gain.k, cov: [[actionStd ** 2]] };
  const probes = probeAgent(agent, eps, replay.states, soft, learnedPolicy, new Rng(`${ctx.seed}/open-loop`));

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
  ctx.print(
    `| soft objective J per episode | ${exactEval.softObjective.toFixed(3)} | ${meanSoft.toFixed(3)} ± ${softSe.toFixed(3)} | ${pct(meanSoft, exactEval.softObjective)} |`,
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
  const f3 = (xs: readonly number[], d = 3) => xs.map((x) => x.toFixed(d)).join(', ');
  const quad = (P: Mat) => [P[0][0], P[0][1], P[1][1]];
  ctx.print(
    `| reward head's Q (pp, pv, vv) and R | ${f3([...quad(TASK.cost.Q), TASK.cost.R[0][0]])} | ${f3([...quad(probes.reward.Q), probes.reward.R])} | |`,
  );
  ctx.print(`| soft-LQG gain under the reward head's Q, R | ${f3(K)} | ${f3(probes.reward.K)} | |`);
  ctx.print(
    `| critic's P (pp, pv, vv); exact: its policy's | ${probes.critic.exact ? f3(quad(probes.critic.exact), 2) : 'unbounded'} | ${f3(quad(probes.critic.P), 2)} | |`,
  );
  ctx.print(`| latent's linear read-out of x̂ (p, v): R² | 1, 1 | ${f3(probes.readoutR2, 4)} | |`);
  for (const { k, learned, exact } of probes.actionResponse)
    ctx.print(
      `| imagined position k = ${k} steps on per unit of the first action | ${exact.toFixed(4)} | ${learned.toFixed(4)} | ${pct(learned, exact)} |`,
    );
  for (const { k, slope, rms } of probes.openLoop)
    ctx.print(
      `| imagined position k = ${k} steps on, on the exact prediction: slope (RMS) | 1 (0) | ${slope.toFixed(3)} (${rms.toFixed(3)}) | |`,
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
      softObjective: exactEval.softObjective,
      actionCost: exactActionCost,
    },
    learned: {
      K: gain.K,
      k: gain.k,
      std: actionStd,
      return: meanReturn,
      returnSe: se,
      softObjective: meanSoft,
      softObjectiveSe: softSe,
      actionCost: learnedActionCost,
    },
    elbo: { logLik, obsElbo, recon: terms.recon, kl: terms.kl },
    probes,
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
  exact: PolicySummary & { softObjective: number };
  learned: PolicySummary & { returnSe: number; softObjective: number; softObjectiveSe: number };
  elbo: { logLik: number; obsElbo: number; recon: number; kl: number };
  probes: AgentProbes;
}

/** Where the agent's parts stand against their exact counterparts (`probeAgent`). */
export interface AgentProbes {
  /** The reward head's quadratic form by least squares, and the soft-LQG gain it implies on the true dynamics. */
  reward: { Q: Mat; R: number; K: number[] };
  /** The critic's quadratic form P by least squares, beside the exact P of the learned policy's linear fit. */
  critic: { P: Mat; exact: Mat | null };
  /** R² of the best linear read-out of x̂ (position, velocity) from the latent [h, z]. */
  readoutR2: number[];
  /** Open-loop imagination k steps ahead: slope and RMS of the imagined position on the exact prediction. */
  openLoop: { k: number; slope: number; rms: number }[];
  /** ∂(imagined position k steps on)/∂(the first action), mean over the starts, against the exact C A^{k−1} B. */
  actionResponse: { k: number; learned: number; exact: number }[];
}

const OPEN_LOOP_STARTS = [10, 30, 50];
const OPEN_LOOP_HORIZONS = [1, 5, 10, 15];
const OPEN_LOOP_DRAWS = 8;

/**
 * Probes the agent at the filtered states `states` of the sampled episodes (time-major, t = 0 … length), each
 * against an exact answer by least squares over those states:
 * - reward head: r̂ at s_{t+1} on (x̂_t, a_t), whose exact regression is E[r_t | y_{0:t}] = −(x̂ᵀQx̂ + aᵀRa) − tr(QΣ_t)
 *   (the head also sees y_{t+1}, which is orthogonal to every function of y_{0:t}); then softLqr on (Q̂, R̂);
 * - critic: v(s_t) on x̂_t, against the exact soft value −(x̂ᵀPx̂ + 2sᵀx̂ + c) of `policy`;
 * - latent: the linear read-out of x̂_t from [h, z];
 * - imagination: from s_t (t in OPEN_LOOP_STARTS), the prior's samples under the episode's own actions, decoded k
 *   steps on, against the exact prediction C(Aᵏx̂_t + Σ_j A^{k−1−j}B a_{t+j}) (slope 1 and RMS 0 if the model's
 *   dynamics were the env's; a slope below 1 is a model whose imagined state forgets faster than the real one).
 */
function probeAgent(
  agent: DreamerAgent,
  eps: Episode[],
  states: { deter: Float32Array; stoch: Float32Array },
  soft: SoftLqgOptions,
  policy: LinearGaussianPolicy,
  rng: Rng,
): AgentProbes {
  const nb = eps.length;
  const T = eps[0].length + 1;
  const n = T * nb;
  const { deterDim: D, stochDim: S } = agent.cfg;
  const means = eps.map((e) => {
    const { obs, actions } = episodeRows(e);
    return kalmanMeans(TASK, obs, actions);
  });
  const rHat = agent.predictedReward(states.deter, states.stoch, n);
  const vHat = agent.value(states.deter, states.stoch, n);
  const valueRows: number[][] = [];
  const values: number[][] = [];
  const latent = new Float64Array(n * (D + S));
  for (let b = 0; b < nb; b++)
    for (let t = 0; t < T; t++) {
      const x = means[b][t];
      const i = t * nb + b;
      valueRows.push([...quadFeatures(x), ...x]);
      values.push([vHat[i]]);
      const row = (b * T + t) * (D + S);
      latent.set(states.deter.subarray(i * D, (i + 1) * D), row);
      latent.set(states.stoch.subarray(i * S, (i + 1) * S), row + D);
    }
  const { Q, R } = fitRewardForm(eps, means, rHat);
  let K = [NaN, NaN];
  try {
    K = softLqr({ ...TASK, cost: { Q, R: [[R]] } }, soft).policy.K[0];
  } catch {
    // The fitted cost is not positive definite: no soft-LQG gain (NaN).
  }
  const P = sym(regressGain(valueRows, values).K[0].map((c) => -c));

  // Rows b·T + t, as means.flat(); no ridge: the plain least-squares read-out.
  const targets = means.flat();
  const readoutR2 = [0, 1].map((j) => {
    const y = targets.map((x) => x[j]);
    return rSquared(y, applyReadout(fitLinearReadout(latent, y, D + S, 0), latent, D + S));
  });

  const { A, B } = TASK.model;
  const pairs = new Map<number, [number, number][]>(OPEN_LOOP_HORIZONS.map((k) => [k, []]));
  for (const t0 of OPEN_LOOP_STARTS)
    for (let draw = 0; draw < OPEN_LOOP_DRAWS; draw++) {
      let xs = means.map((m) => m[t0]);
      imagineOpenLoop(agent, eps, states, t0, 0, rng).forEach((y, j) => {
        xs = xs.map((x, b) => vadd(mv(A, x), mv(B, [eps[b].actions[t0 + j]])));
        pairs.get(j + 1)?.push(...xs.map((x, b): [number, number] => [y[b], x[0]]));
      });
    }
  const openLoop = OPEN_LOOP_HORIZONS.map((k) => ({ k, ...slopeAndRms(pairs.get(k)!) }));
  const actionResponse = actionResponseProbe(agent, eps, states);
  let exact: Mat | null = null;
  try {
    exact = stationaryValue(TASK, soft, policy).P;
  } catch {
    // The learned policy's linear fit does not stabilize the system: its value is unbounded (null).
  }
  return { reward: { Q, R, K }, critic: { P, exact }, readoutR2, openLoop, actionResponse };
}

/** The size of the first action's change in `actionResponseProbe` (central differences). */
const ACTION_STEP = 0.5;

/**
 * How the model's imagination answers one action: from s_t (t in OPEN_LOOP_STARTS) along the prior's mean under
 * the episode's own actions, the first action moved by ±ACTION_STEP; the central difference of the decoded position
 * k steps on, averaged over episodes and starts, against the exact C A^{k−1} B (the dynamics are linear, so the
 * exact response does not depend on the state). A model that under-states it asks the actor for larger forces.
 */
function actionResponseProbe(
  agent: DreamerAgent,
  eps: Episode[],
  states: { deter: Float32Array; stoch: Float32Array },
): { k: number; learned: number; exact: number }[] {
  const nb = eps.length;
  const sums = new Map<number, number>(OPEN_LOOP_HORIZONS.map((k) => [k, 0]));
  for (const t0 of OPEN_LOOP_STARTS) {
    const decoded = [ACTION_STEP, -ACTION_STEP].map((shift) => imagineOpenLoop(agent, eps, states, t0, shift, null));
    for (const k of OPEN_LOOP_HORIZONS) {
      const [up, down] = decoded.map((ys) => ys[k - 1]);
      let d = 0;
      for (let b = 0; b < nb; b++) d += (up[b] - down[b]) / (2 * ACTION_STEP);
      sums.set(k, sums.get(k)! + d / nb);
    }
  }
  const { A, B, C } = TASK.model;
  return OPEN_LOOP_HORIZONS.map((k) => {
    let x = B.map((row) => row[0]);
    for (let j = 1; j < k; j++) x = mv(A, x);
    return { k, learned: sums.get(k)! / OPEN_LOOP_STARTS.length, exact: mv(C, x)[0] };
  });
}

const quadFeatures = (x: Vec) => [x[0] * x[0], 2 * x[0] * x[1], x[1] * x[1]];
const sym = (c: number[]): Mat => [
  [c[0], c[1]],
  [c[1], c[2]],
];

/** Steps the probes skip at an episode's start: there tr(QΣ_t) still moves with the filter's Σ_t (from P₀). */
const FILTER_TRANSIENT = 10;

/**
 * The quadratic reward form (Q, R) by least squares of `atNext` (time-major, row (t+1)·nb + b: a prediction of
 * r_t made at step t + 1) on x̂_t (the Kalman means `means[b][t]`) and a_t, with linear terms and a constant, from step FILTER_TRANSIENT on.
 * Exact for E[r_t | y_{0:t+1}], since r − E[r | y_{0:t}] is orthogonal to every function of y_{0:t}.
 */
export function fitRewardForm(eps: Episode[], means: Vec[][], atNext: ArrayLike<number>): { Q: Mat; R: number } {
  const nb = eps.length;
  const rows: number[][] = [];
  const ys: number[][] = [];
  eps.forEach((e, b) => {
    for (let t = FILTER_TRANSIENT; t < e.length; t++) {
      const x = means[b][t];
      const a = e.actions[t];
      rows.push([...quadFeatures(x), a * a, ...x, a]);
      ys.push([atNext[(t + 1) * nb + b]]);
    }
  });
  const c = regressGain(rows, ys).K[0].map((v) => -v);
  return { Q: sym(c), R: c[3] };
}

/**
 * The model's imagination from the filtered states s_{t0} of every episode under the episode's own actions (the
 * first moved by `shift`), max(OPEN_LOOP_HORIZONS) steps: the decoded position of each step `[episodes]`, with
 * z from the prior's samples (`rng`) or its mean (null).
 */
function imagineOpenLoop(
  agent: DreamerAgent,
  eps: Episode[],
  states: { deter: Float32Array; stoch: Float32Array },
  t0: number,
  shift: number,
  rng: Rng | null,
): Float32Array[] {
  const nb = eps.length;
  const { deterDim: D, stochDim: S } = agent.cfg;
  const nets = agent.model.nets;
  const tape = new Tape();
  let h = tape.constant(states.deter.slice(t0 * nb * D, (t0 + 1) * nb * D), nb, D);
  let z = tape.constant(states.stoch.slice(t0 * nb * S, (t0 + 1) * nb * S), nb, S);
  const ys: Float32Array[] = [];
  const steps = Math.max(...OPEN_LOOP_HORIZONS);
  for (let k = 1; k <= steps; k++) {
    const a = Float32Array.from(eps, (e) => e.actions[t0 + k - 1] + (k === 1 ? shift : 0));
    h = agent.model.transition(tape, nets, h, z, tape.constant(a, nb, 1));
    const pz = agent.model.prior(tape, nets, h);
    z = rng
      ? tape.rsample(
          pz.mean,
          pz.std,
          Float32Array.from({ length: nb * S }, () => rng.normal()),
        )
      : pz.mean;
    ys.push(tape.mlp(agent.model.features(tape, h, z), nets.decoder).value);
  }
  return ys;
}

/** The slope of y on x (least squares with intercept) and the RMS of y − x, over (y, x) pairs. */
function slopeAndRms(pairs: [number, number][]): { slope: number; rms: number } {
  const mx = pairs.reduce((s, [, x]) => s + x, 0) / pairs.length;
  const my = pairs.reduce((s, [y]) => s + y, 0) / pairs.length;
  let sxy = 0;
  let sxx = 0;
  let se = 0;
  for (const [y, x] of pairs) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
    se += (y - x) ** 2;
  }
  return { slope: sxy / sxx, rms: Math.sqrt(se / pairs.length) };
}

/**
 * The actor at the states its world model filters from each episode's real observations and actions, as
 * when it acted: the RMS over the steps of its action std (Monte Carlo, 32 draws a state) and log π of the
 * actions it took (per episode, per step).
 */
function replayActor(
  agent: DreamerAgent,
  episodes: EpisodeResult[],
  rng: Rng,
): { std: number; logProbs: number[][]; states: { deter: Float32Array; stoch: Float32Array } } {
  const n = episodes.length;
  const { deterDim: D, stochDim: S } = agent.cfg;
  let h: Float32Array = new Float32Array(n * D);
  let z: Float32Array = new Float32Array(n * S);
  let prev = new Float32Array(n);
  let sq = 0;
  let count = 0;
  const T = episodes[0].trajectory!.actions.length;
  const logProbs = episodes.map(() => new Array<number>(T));
  const deter = new Float32Array((T + 1) * n * D);
  const stoch = new Float32Array((T + 1) * n * S);
  for (let t = 0; t <= T; t++) {
    const obs = Float32Array.from(episodes, (e) => e.trajectory!.obs[t][0]);
    ({ h, z } = agent.model.filterStep(h, z, prev, obs, n, null));
    deter.set(h, t * n * D);
    stoch.set(z, t * n * S);
    if (t === T) break;
    for (const s of agent.actionMoments(h, z, n, rng, 32).std) sq += s * s;
    count += n;
    prev = Float32Array.from(episodes, (e) => e.trajectory!.actions[t][0]);
    agent.logProb(h, z, n, prev).forEach((lp, b) => (logProbs[b][t] = lp));
  }
  return { std: Math.sqrt(sq / count), logProbs, states: { deter, stoch } };
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
