/**
 * dreamer-pendulum: the world-model agent (src/agents/dreamer) on Pendulum, by default velocity-hidden
 * (`PendulumNoVel-v1`, observation [cos θ, sin θ]: the latent state must carry θ̇), under the objective's
 * prior (`--prior uniform` the entropy-regularized agent, `reference` a KL to the swing-up controller on
 * Pendulum-v1, `none` α = 0). It trains in the one learner shape (checkpoints at episode ends, `--resume`
 * continues exactly) and reports:
 * - the learning curve of the deterministic policy (`learning-curve.svg`, the table), and the final return
 *   over `--episodes` deterministic episodes;
 * - imagined against real: from the filtered state at the start of each final episode, the critic's value
 *   v(s₀) against the real discounted return Σ_t γ^t r_t of the same (deterministic) policy from there, and
 *   the imagined rollout (decoded observations) against what really happened and against the posterior's
 *   reconstruction (`rssm-trajectories.json`, the viewer's World model tab draws it).
 * Compare seeds and priors with `--seeds 1-3` and `priorlab compare`.
 */
import { z } from 'zod';
import { dreamerAgentOf, createLearner, learnerSchema } from '../src/agents/learner.js';
import { runEpisodes } from '../src/agents/episodes.js';
import { UsageError } from '../src/core/errors.js';
import { decodeF32Json, encodeF32Json } from '../src/core/f32json.js';
import { make } from '../src/envs/registry.js';
import { stepsOption, type Experiment, type RunContext } from '../src/node/run/experiment.js';
import { SlotCheckpoints } from '../src/node/run/slots.js';
import { linePlot } from '../src/node/run/svgplot.js';
import { buildObjective } from '../src/node/train/setup.js';
import { objectiveOptions, objectiveSpecOf } from '../src/priors/index.js';
import { referenceNames } from '../src/priors/named.js';
import { TRAJECTORY_FORMAT, type RssmTrajectoryFile } from '../src/worldmodel/trajectories.js';

const DEFAULTS = learnerSchema('dreamer').defaults;
const OBS_LABELS = { 'PendulumNoVel-v1': ['cos θ', 'sin θ'], 'Pendulum-v1': ['cos θ', 'sin θ', 'θ̇'] };
/** The file the viewer's World model tab reads from a run folder. */
const TRAJECTORY_FILE_NAME = 'rssm-trajectories.json';
/** The anchor for partial observability: rl-baselines3-zoo's recurrent PPO on PendulumNoVel-v1 (100k steps). */
const ZOO_RECURRENT_PPO = { steps: 100_000, mean: -218, std: 140 };

const options = z.object({
  env: z
    .enum(['PendulumNoVel-v1', 'Pendulum-v1'])
    .default('PendulumNoVel-v1')
    .describe('environment (PendulumNoVel-v1 hides θ̇)'),
  ...objectiveOptions({ prior: 'uniform', alpha: 0.05 }),
  reference: z
    .string()
    .optional()
    .describe('reference prior: a named reference (Pendulum-v1: swing-up, the default) or a run folder'),
  steps: stepsOption(DEFAULTS.totalSteps),
  evalEvery: z.number().int().positive().default(DEFAULTS.evalEvery).describe('environment steps between evaluations'),
  episodes: z.number().int().positive().default(10).describe('final deterministic episodes (return, imagined vs real)'),
  dreamSteps: z.number().int().positive().default(DEFAULTS.horizon).describe('imagined steps drawn per final episode'),
});
type Options = z.infer<typeof options>;

/** The objective's spec, the reference defaulting to the env's first named one. */
function specOf(opts: Options) {
  const reference = opts.prior === 'reference' ? (opts.reference ?? referenceNames(opts.env)[0]) : opts.reference;
  if (opts.prior === 'reference' && reference === undefined)
    throw new UsageError(
      `--reference: ${opts.env} has no named reference; allowed: a run folder of a trained agent, or --env Pendulum-v1 (swing-up)`,
    );
  return objectiveSpecOf({ ...opts, reference });
}

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const makeEnv = () => make(opts.env);
  const objective = buildObjective(specOf(opts), makeEnv());
  const config = { totalSteps: opts.steps, evalEvery: opts.evalEvery };
  const learner = createLearner('dreamer', { makeEnv, objective, config, streams: ctx.streams });
  ctx.print(`dreamer-pendulum: ${opts.env}, objective ${objective.label}, ${opts.steps} steps, backend ${ctx.backend}`);
  const slots = new SlotCheckpoints(ctx, 'dreamer-state');
  const blob = slots.load();
  try {
    if (blob !== null) {
      learner.load(decodeF32Json(blob));
      ctx.print(`resumed from step ${learner.loop.stepCount}`);
    }
    const t0 = performance.now();
    const start = learner.loop.stepCount;
    await learner.run({
      log: (step, scalars) => ctx.log(step, scalars),
      progress: (step, total, fields) => ctx.progress(step, total, fields),
      checkpoint: (step, state) => slots.save(step, encodeF32Json(state)),
      signal: ctx.signal,
    });
    if (ctx.signal.aborted) return;
    const seconds = (performance.now() - t0) / 1000;
    report(opts, ctx, learner, (learner.loop.stepCount - start) / seconds);
  } finally {
    learner.dispose();
    objective.dispose();
  }
}

function report(
  opts: Options,
  ctx: RunContext,
  learner: ReturnType<typeof createLearner<'dreamer'>>,
  sps: number,
): void {
  const makeEnv = () => make(opts.env);
  const evals = learner.loop.metrics
    .filter((m) => m.scalars['charts/eval_return'] !== undefined)
    .map((m) => ({ step: m.step, ret: m.scalars['charts/eval_return'] }));
  ctx.print('\nlearning curve (deterministic evaluation):\n| step | eval return |\n|---|---|');
  for (const e of evals) ctx.print(`| ${e.step} | ${e.ret.toFixed(1)} |`);
  const reached = evals.find((e) => e.ret >= -200);
  ctx.writeFile(
    'learning-curve.svg',
    linePlot({ title: `dreamer on ${opts.env}`, xLabel: 'environment steps', yLabel: 'eval return' }, [
      { label: 'dreamer (deterministic evaluation)', x: evals.map((e) => e.step), y: evals.map((e) => e.ret) },
    ]),
  );

  // Final episodes: the return, and from each start state the critic's value and the imagined rollout.
  const agent = dreamerAgentOf(learner);
  const { gamma } = learner.config;
  const seeds = Array.from({ length: opts.episodes }, () => ctx.streams.get('final').uint32());
  // The filtered state of every episode at every step (lockstep: episode i runs in slot i).
  const latents: { h: Float32Array; z: Float32Array }[][] = seeds.map(() => []);
  const watcher = {
    actionWidth: learner.actionWidth,
    begin: (slot: number) => learner.begin?.(slot),
    act: (obs: Parameters<typeof learner.act>[0], o: Parameters<typeof learner.act>[1], s?: readonly number[]) => {
      const a = learner.act(obs, o, s);
      for (const slot of s ?? []) latents[slot].push(agent.latent(slot));
      return a;
    },
  };
  const episodes = runEpisodes(watcher, makeEnv, opts.episodes, seeds, { record: true });
  const H = opts.dreamSteps;
  const rows = episodes.map((ep, i) => {
    const real = ep.trajectory!;
    const s0 = latents[i][0];
    const dream = agent.dream(s0.h, s0.z, H);
    const mse =
      dream.obs.reduce((s, o, t) => s + o.reduce((q, x, j) => q + (x - real.obs[t + 1][j]) ** 2, 0) / o.length, 0) / H;
    return {
      return: ep.return,
      discounted: real.rewards.reduce((s, r, t) => s + gamma ** t * r, 0),
      value: agent.value(s0.h, s0.z, 1)[0],
      mse,
      // The World model tab's format: context 1 (o_0 filtered), then H imagined steps against the real ones.
      trajectory: {
        observed: real.obs.slice(0, H + 1),
        reconstructed: latents[i].slice(0, H + 1).map((l) => agent.decode(l.h, l.z)),
        imagined: dream.obs,
        actions: [real.actions[0].map(() => 0), ...real.actions.slice(0, H)],
        rewards: [0, ...real.rewards.slice(0, H)],
      },
    };
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const returns = rows.map((r) => r.return);
  const gap = mean(rows.map((r) => Math.abs(r.value - r.discounted)));
  ctx.print(
    `\nfinal: ${opts.episodes} deterministic episodes, return ${mean(returns).toFixed(1)} (min ${Math.min(...returns).toFixed(1)}, max ${Math.max(...returns).toFixed(1)}); ` +
      `${reached ? `−200 first reached at step ${reached.step}` : '−200 not reached'}; ${sps.toFixed(0)} env steps/s`,
  );
  ctx.print(
    `imagined vs real: mean |v(s₀) − Σγ^t r_t| = ${gap.toFixed(1)} (γ = ${gamma}; v is the soft value, episodes truncated at ${episodes[0].length} steps); ` +
      `${opts.dreamSteps}-step imagination MSE ${mean(rows.map((r) => r.mse)).toFixed(4)}`,
  );
  ctx.print(
    `anchor: rl-baselines3-zoo recurrent PPO on PendulumNoVel-v1, ${ZOO_RECURRENT_PPO.mean} ± ${ZOO_RECURRENT_PPO.std} after ${ZOO_RECURRENT_PPO.steps} steps`,
  );
  const file: RssmTrajectoryFile = {
    format: TRAJECTORY_FORMAT,
    env: opts.env,
    dt: 0.05,
    obsLabels: OBS_LABELS[opts.env],
    context: 1,
    horizon: H,
    trajectories: rows.map((r) => r.trajectory),
  };
  ctx.writeFile(TRAJECTORY_FILE_NAME, JSON.stringify(file));
  const results: DreamerPendulumResults = {
    env: opts.env,
    steps: learner.loop.stepCount,
    finalReturn: {
      mean: mean(returns),
      min: Math.min(...returns),
      max: Math.max(...returns),
      episodes: opts.episodes,
    },
    firstStepAtMinus200: reached?.step ?? null,
    evals,
    valueGap: gap,
    imaginationMse: mean(rows.map((r) => r.mse)),
    stepsPerSecond: sps,
  };
  ctx.writeFile('results.json', JSON.stringify(results, null, 2));
  ctx.print(`wrote learning-curve.svg, ${TRAJECTORY_FILE_NAME} (the World model tab draws it), results.json`);
}

/** `results.json` (what the README's figures read). */
export interface DreamerPendulumResults {
  env: string;
  steps: number;
  finalReturn: { mean: number; min: number; max: number; episodes: number };
  /** the first deterministic evaluation ≥ −200, or null */
  firstStepAtMinus200: number | null;
  evals: { step: number; ret: number }[];
  /** mean |v(s₀) − Σγᵗr_t| over the final episodes */
  valueGap: number;
  imaginationMse: number;
  stepsPerSecond: number;
}

const experiment: Experiment<typeof options> = {
  name: 'dreamer-pendulum',
  summary:
    'world-model agent on velocity-hidden Pendulum: ELBO world model, actor-critic in imagination under the prior; imagined vs real',
  options,
  kind: 'train',
  resumable: true,
  prepare: (opts) => void specOf(opts),
  run,
};

export default experiment;
