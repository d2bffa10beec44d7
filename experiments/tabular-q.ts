/**
 * tabular-q: soft Q-learning on a small gridworld (CliffWalking-v1 by default, any tabular env of
 * the registry) toward an Objective, the CLI's built-in demo of a real learner with exact checkpoint/resume.
 *
 *   target  y = r + γ (1 − terminated) V(s'),   V(s) = α log Σ_a p(a|s) exp(Q(s,a)/α)   (α > 0)
 *                                               V(s) = max_a Q(s,a)                      (α = 0, e.g. prior none)
 *   update  Q(s,a) ← Q(s,a) + lr (y − Q(s,a))
 *   behave  π(a|s) = p(a|s) exp((Q(s,a) − V(s))/α)   (α > 0)  |  ε-greedy in Q   (α = 0)
 *
 * The soft backup is the exact solver's (`agents/exact/soft.ts`); `--prior reference` uses the env's
 * reference policy (TwoRoute-v0's guide).
 * Transitions are sampled from the env's exact model with the `env` stream (the model is stepped
 * directly, so the time limit of `make(...)` does not apply: `--max-episode-steps` is the only one),
 * and the whole learner state is (Q, current state, time in episode, running statistics, RNG
 * streams): a checkpoint holds exactly that, and a resumed run continues bit for bit.
 */
import { z } from 'zod';
import { isTabular, type Transition } from '../src/envs/env.js';
import { make } from '../src/envs/registry.js';
import type { Rng } from '../src/core/rng.js';
import { yieldToEventLoop } from '../src/core/yield.js';
import { softMaxRow, softPolicyRow } from '../src/agents/exact/soft.js';
import { twoRouteReference } from '../src/envs/tworoute.js';
import { fixedAlphaOption, makeObjective, objectiveSpecOf, PRIOR_NAMES } from '../src/priors/index.js';
import { stepsOption, type Experiment, type RunContext } from '../src/node/run/experiment.js';

const TABULAR_ENVS = ['CliffWalking-v1', 'TwoRoute-v0', 'FrozenLake-v1'] as const;
/** The reference policies of the tabular envs that have one. */
const REFERENCES: Partial<Record<(typeof TABULAR_ENVS)[number], typeof twoRouteReference>> = {
  'TwoRoute-v0': twoRouteReference,
};

const options = z
  .object({
    env: z
      .enum(TABULAR_ENVS)
      .default('CliffWalking-v1')
      .describe('tabular env from the registry (learned from its exact model)'),
    prior: z
      .enum(PRIOR_NAMES)
      .default('uniform')
      .describe(
        'prior p of the soft target: uniform (max-entropy), reference (TwoRoute-v0 only: the guide), none (α = 0: greedy target, ε-greedy behaviour)',
      ),
    alpha: fixedAlphaOption(0.5),
    steps: stepsOption(30_000),
    lr: z.number().gt(0).max(1).default(0.1).describe('learning rate of the Q update'),
    gamma: z.number().min(0).max(1).default(0.99).describe('discount factor γ'),
    epsilon: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('exploration rate ε of the ε-greedy behaviour (α = 0 only)'),
    maxEpisodeSteps: z
      .number()
      .int()
      .positive()
      .default(100)
      .describe('time limit: episodes are truncated after this many steps'),
    logEvery: z.number().int().positive().default(500).describe('log a metrics row every this many steps'),
    checkpointEvery: z.number().int().positive().default(2_000).describe('write a checkpoint every this many steps'),
  })
  .superRefine((o, ctx) => {
    if (o.prior === 'reference' && REFERENCES[o.env] === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['prior'],
        message: `${o.env} has no reference policy; with --prior reference use --env ${Object.keys(REFERENCES).join(' or ')}`,
      });
    }
  });
type Options = z.infer<typeof options>;

function sampleTransition(outcomes: readonly Transition[], rng: Rng): Transition {
  return outcomes.length === 1 ? outcomes[0] : outcomes[rng.categorical(outcomes.map((o) => o.prob))];
}

/** Everything that changes while learning; a checkpoint is exactly this object. */
interface LearnerState {
  q: number[];
  s: number;
  t: number;
  episodeReturn: number;
  episodes: number;
  /** Returns of episodes finished since the last log row, and the TD errors' absolute sum/count. */
  windowReturns: number[];
  tdAbsSum: number;
  tdCount: number;
  lastReturn: number;
}

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const env = make(opts.env);
  if (!isTabular(env)) throw new Error(`--env: '${opts.env}' has no exact model; allowed: ${TABULAR_ENVS.join(', ')}`);
  const model = env.model;
  const reference = REFERENCES[opts.env];
  const objective = makeObjective(objectiveSpecOf(opts), env, { reference: () => ({ table: reference!(model) }) });
  const { alpha, prior } = objective.tabular();
  objective.dispose();
  const startValue = (): number =>
    model.initialDistribution.reduce((acc, mu, s) => acc + (mu > 0 ? mu * value(s) : 0), 0);
  const nA = model.nActions;
  const soft = alpha > 0;
  const envRng = ctx.streams.get('env');
  const agentRng = ctx.streams.get('agent');
  const resetState = (): number => envRng.categorical(model.initialDistribution);

  const saved = ctx.resume ? ctx.loadCheckpoint<LearnerState>() : null;
  let step = saved?.step ?? 0;
  const st: LearnerState = saved?.state ?? {
    q: new Array<number>(model.nStates * nA).fill(0),
    s: resetState(),
    t: 0,
    episodeReturn: 0,
    episodes: 0,
    windowReturns: [],
    tdAbsSum: 0,
    tdCount: 0,
    lastReturn: NaN,
  };
  if (saved) ctx.print(`resumed from step ${saved.step}`);
  const qRow = (s: number): number[] => st.q.slice(s * nA, s * nA + nA);
  const value = (s: number): number => (model.terminalStates.has(s) ? 0 : softMaxRow(st.q, prior, s * nA, nA, alpha));
  const softPolicy = (s: number): number[] => {
    const out = new Array<number>(nA);
    softPolicyRow(st.q, prior, s * nA, nA, alpha, out, 0);
    return out;
  };

  /** The behaviour policy's entropy and KL to the prior, averaged over the non-terminal states. */
  const policyStats = (): { entropy: number; kl: number } => {
    let h = 0;
    let kl = 0;
    let n = 0;
    for (let s = 0; s < model.nStates; s++) {
      if (model.terminalStates.has(s)) continue;
      const pi = soft ? softPolicy(s) : epsGreedy(qRow(s));
      pi.forEach((p, a) => {
        if (p > 0) {
          h -= p * Math.log(p);
          kl += p * (Math.log(p) - Math.log(prior[s * nA + a]));
        }
      });
      n++;
    }
    return { entropy: h / n, kl: kl / n };
  };
  const epsGreedy = (q: number[]): number[] => {
    const best = q.indexOf(Math.max(...q));
    return q.map((_, a) => opts.epsilon / nA + (a === best ? 1 - opts.epsilon : 0));
  };

  while (step < opts.steps && !ctx.signal.aborted) {
    // ALGO LOGIC: one soft Q-learning step.
    const q = qRow(st.s);
    const a = agentRng.categorical(soft ? softPolicy(st.s) : epsGreedy(q));
    const tr = sampleTransition(model.P[st.s][a], envRng);
    const y = tr.reward + (tr.terminated ? 0 : opts.gamma * value(tr.next)); // y = r + γ(1−d)V(s')
    const td = y - st.q[st.s * nA + a];
    st.q[st.s * nA + a] += opts.lr * td;
    st.tdAbsSum += Math.abs(td);
    st.tdCount++;
    st.episodeReturn += tr.reward;
    st.t++;
    st.s = tr.next;
    if (tr.terminated || st.t >= opts.maxEpisodeSteps) {
      st.windowReturns.push(st.episodeReturn);
      st.lastReturn = st.episodeReturn;
      st.episodes++;
      st.s = resetState();
      st.t = 0;
      st.episodeReturn = 0;
    }
    step++;

    if (step % opts.logEvery === 0 || step === opts.steps) {
      const meanReturn = st.windowReturns.length
        ? st.windowReturns.reduce((x, y2) => x + y2, 0) / st.windowReturns.length
        : st.lastReturn;
      const stats = policyStats();
      const row: Record<string, number> = {
        'charts/episodic_return': meanReturn,
        'charts/episodes': st.episodes,
        'charts/entropy': stats.entropy,
        'charts/kl_prior': stats.kl,
        'losses/td_abs': st.tdAbsSum / st.tdCount,
        'charts/v_start': startValue(),
      };
      ctx.log(step, Object.fromEntries(Object.entries(row).filter(([, v]) => Number.isFinite(v))));
      ctx.progress(step, opts.steps, { return: meanReturn, entropy: row['charts/entropy'] });
      st.windowReturns = [];
      st.tdAbsSum = 0;
      st.tdCount = 0;
      await yieldToEventLoop(); // let Ctrl-C in
    }
    if (step % opts.checkpointEvery === 0 || ctx.signal.aborted) ctx.checkpoint(step, st);
  }
  if (step === opts.steps) {
    ctx.checkpoint(step, st);
    ctx.writeFile('q_table.json', JSON.stringify({ nStates: model.nStates, nActions: nA, q: st.q }));
    ctx.print(`done: ${st.episodes} episodes, last return ${st.lastReturn}, V(start) ${startValue().toFixed(3)}`);
  }
}

/** What `LearnerState` must look like for this env and these options (checked before a resume changes anything). */
function checkpointState(opts: Options): z.ZodType {
  const env = make(opts.env);
  if (!isTabular(env)) throw new Error(`--env: '${opts.env}' has no exact model`);
  const { nStates, nActions } = env.model;
  const count = z.number().int().min(0);
  return z.object({
    q: z.array(z.number()).length(nStates * nActions),
    s: count.max(nStates - 1),
    t: count.max(opts.maxEpisodeSteps - 1),
    episodeReturn: z.number(),
    episodes: count,
    windowReturns: z.array(z.number()),
    tdAbsSum: z.number().min(0),
    tdCount: count,
    lastReturn: z.number().nullable(), // NaN before the first episode ends, written as null
  });
}

const experiment: Experiment<typeof options> = {
  name: 'tabular-q',
  summary: 'soft Q-learning on a small gridworld, prior-pluggable (the CLI demo: checkpoints, exact resume)',
  options,
  kind: 'train',
  resumable: true,
  checkpointState,
  run,
};
export default experiment;
