/**
 * sac-pendulum: continuous SAC (auto temperature, twin critics, tiny 64×64 networks) on Pendulum-v1.
 * The entropy bonus is the variational term −α(log π − log p): `--prior uniform` is standard SAC,
 * `--prior reference` is KL-regularized SAC toward the noisy swing-up controller (`pendulumSwingUp`,
 * torque noise `--noise-std`; learned α toward `--target-kl`, or a fixed α with `--alpha 0.2`),
 * `--prior none` is α ≡ 0 (plain off-policy actor-critic). Every `evalEvery` steps the deterministic
 * (mean-action) policy is evaluated on `evalEpisodes` episodes; the report compares the learning curve
 * with Stable-Baselines3's published SAC result on Pendulum (−157 ± 89 at 20,000 steps, 256×256 networks).
 * Checkpoints (networks, optimizers, temperature, replay buffer, RNG streams) are taken at episode ends;
 * `--resume` continues exactly. At the end, `--replays` deterministic episodes go to `episodes.json` (the
 * viewer's Runs panel replays them).
 */
import { z } from 'zod';
import { make } from '../src/envs/registry.js';
import { pendulumSwingUp } from '../src/envs/controllers.js';
import {
  controllerReference,
  makeObjective,
  objectiveOptions,
  objectiveSpecOf,
  type Objective,
} from '../src/priors/index.js';
import { rollouts } from '../src/agents/episodes.js';
import { createLearner, type Learner } from '../src/agents/learner.js';
import { SAC_DEFAULTS, type SacCheckpoint, type SacConfig } from '../src/agents/sac/continuous.js';
import { decodeF32Json, encodeF32Json } from '../src/core/f32json.js';
import { SlotCheckpoints } from '../src/node/run/slots.js';
import { linePlot } from '../src/node/run/svgplot.js';
import { stepsOption, type Experiment, type RunContext } from '../src/node/run/experiment.js';

const ENV_ID = 'Pendulum-v1';
/** Stable-Baselines3 benchmark (rl-baselines3-zoo, SAC on Pendulum-v1, 20k steps, 256×256): mean ± std. */
const SB3_REFERENCE = { steps: 20_000, mean: -157, std: 89 };

const options = z
  .object({
    ...objectiveOptions({ prior: 'uniform', alpha: 'auto_1', targetKl: 1, targetEntropy: 'auto' }),
    noiseStd: z.number().gt(0).default(1).describe('reference prior: std of the swing-up controller’s torque noise'),
    steps: stepsOption(SAC_DEFAULTS.totalSteps),
    hidden: z.number().int().positive().default(64).describe('width of the two hidden layers of actor and critics'),
    batchSize: z.number().int().positive().default(SAC_DEFAULTS.batchSize).describe('minibatch size'),
    lr: z.number().gt(0).default(SAC_DEFAULTS.actorLr).describe('Adam learning rate of actor, critics and α'),
    learningStarts: z
      .number()
      .int()
      .min(0)
      .default(SAC_DEFAULTS.learningStarts)
      .describe('random-action steps before learning'),
    evalEvery: z
      .number()
      .int()
      .min(0)
      .default(SAC_DEFAULTS.evalEvery)
      .describe('evaluate every this many steps (0: only at the end)'),
    evalEpisodes: z.number().int().positive().default(SAC_DEFAULTS.evalEpisodes).describe('episodes per evaluation'),
    checkpointEvery: z
      .number()
      .int()
      .min(0)
      .default(SAC_DEFAULTS.checkpointEvery)
      .describe('checkpoint every this many steps (at an episode end; 0: never)'),
    replays: z.number().int().min(0).default(3).describe('deterministic episodes written to episodes.json at the end'),
    impl: z
      .enum(['engine', 'autodiff'])
      .default(SAC_DEFAULTS.impl)
      .describe('the update: the WebAssembly engine, or tfjs autodiff (the reference)'),
  })
  .superRefine((o, issues) => {
    if (o.batchSize > SAC_DEFAULTS.bufferSize)
      issues.addIssue({
        code: 'custom',
        path: ['batchSize'],
        message: `at most the replay buffer size (${SAC_DEFAULTS.bufferSize})`,
      });
  });
type Options = z.infer<typeof options>;

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const cfg: SacConfig = {
    ...SAC_DEFAULTS,
    totalSteps: opts.steps,
    hidden: [opts.hidden, opts.hidden],
    batchSize: opts.batchSize,
    actorLr: opts.lr,
    criticLr: opts.lr,
    alphaLr: opts.lr,
    learningStarts: opts.learningStarts,
    evalEvery: opts.evalEvery,
    evalEpisodes: opts.evalEpisodes,
    checkpointEvery: opts.checkpointEvery,
    impl: opts.impl,
  };
  const makeEnv = () => make(ENV_ID);
  const reference = () => controllerReference(pendulumSwingUp({ noiseStd: opts.noiseStd }));
  const objective = makeObjective(objectiveSpecOf(opts), makeEnv(), { reference });
  try {
    await train(opts, cfg, objective, ctx);
  } finally {
    objective.dispose();
  }
}

async function train(opts: Options, cfg: SacConfig, objective: Objective, ctx: RunContext): Promise<void> {
  const makeEnv = () => make(ENV_ID);
  ctx.print(`sac-pendulum: ${ENV_ID}, objective ${objective.label}, backend ${ctx.backend}`);
  ctx.print(
    '| field | value |\n|---|---|\n' +
      Object.entries(cfg)
        .map(([k, v]) => `| ${k} | ${JSON.stringify(v)} |`)
        .join('\n'),
  );

  const slots = new SlotCheckpoints(ctx, 'sac-state');
  const blob = slots.load();
  const learner = createLearner('sac', { makeEnv, objective, config: cfg, streams: ctx.streams });
  try {
    await trainAndReport(opts, learner, blob, slots, objective, ctx);
  } finally {
    learner.dispose();
  }
}

async function trainAndReport(
  opts: Options,
  learner: Learner<SacConfig>,
  blob: string | null,
  slots: SlotCheckpoints,
  objective: Objective,
  ctx: RunContext,
): Promise<void> {
  const makeEnv = () => make(ENV_ID);
  if (blob !== null) {
    const resume = decodeF32Json<SacCheckpoint>(blob);
    learner.load(resume);
    ctx.print(`resumed from step ${resume.loop.step}`);
  }
  const t0 = performance.now();
  const startStep = learner.loop.stepCount;
  await learner.run({
    log: (step, scalars) => ctx.log(step, scalars),
    progress: (step, total, fields) => ctx.progress(step, total, fields),
    checkpoint: (step, state) => slots.save(step, encodeF32Json(state)),
    signal: ctx.signal,
  });
  const stepsPerSecond = (learner.loop.stepCount - startStep) / ((performance.now() - t0) / 1000);
  const evals = learner.loop.metrics
    .filter((m) => m.scalars['charts/eval_return'] !== undefined)
    .map((m) => ({ step: m.step, meanReturn: m.scalars['charts/eval_return'] }));
  ctx.print('\nlearning curve (deterministic evaluation, mean over episodes):');
  ctx.print(
    '| step | eval return |\n|---|---|\n' + evals.map((e) => `| ${e.step} | ${e.meanReturn.toFixed(1)} |`).join('\n'),
  );
  const stopped = ctx.signal.aborted;
  const last = evals.at(-1);
  const first = evals.find((e) => e.meanReturn >= -200);
  const lastText = last
    ? `${stopped ? 'last evaluation before stopping' : 'final eval'} ${last.meanReturn.toFixed(1)} (step ${last.step})`
    : `no evaluation yet${stopped ? ' (stopped before the first one)' : ''}`;
  const speed =
    Number.isFinite(stepsPerSecond) && stepsPerSecond > 0 ? `; ${stepsPerSecond.toFixed(0)} env steps/s` : '';
  ctx.print(
    `${lastText}; ${first ? `first eval ≥ −200 at step ${first.step}` : 'no evaluation reached −200 yet'}; ` +
      `SB3 reference ${SB3_REFERENCE.mean} ± ${SB3_REFERENCE.std} at ${SB3_REFERENCE.steps} steps (256×256)${speed}`,
  );
  if (evals.length > 0) {
    // The learning curve with Stable-Baselines3's published result as a reference line (its ±std as a band).
    const x = [0, Math.max(opts.steps, SB3_REFERENCE.steps)];
    ctx.writeFile(
      'learning-curve.svg',
      linePlot(
        {
          title: `SAC on ${ENV_ID}: deterministic evaluation`,
          xLabel: 'environment step',
          yLabel: `eval return (${opts.evalEpisodes} episodes)`,
        },
        [
          {
            label: `SAC ${opts.hidden}×${opts.hidden}, ${objective.label}`,
            x: evals.map((e) => e.step),
            y: evals.map((e) => e.meanReturn),
          },
          {
            label: `SB3 256×256, ${SB3_REFERENCE.steps / 1000}k: ${SB3_REFERENCE.mean} ± ${SB3_REFERENCE.std}`,
            x,
            y: x.map(() => SB3_REFERENCE.mean),
            lower: x.map(() => SB3_REFERENCE.mean - SB3_REFERENCE.std),
            upper: x.map(() => SB3_REFERENCE.mean + SB3_REFERENCE.std),
          },
        ],
      ),
    );
  }
  if (opts.replays > 0 && !ctx.signal.aborted) {
    const eps = rollouts(learner, makeEnv, opts.replays, ctx.streams.get('replay'));
    const episodes = eps.map((ep, i) => ({
      label: `prior ${opts.prior}, deterministic #${i + 1}`,
      obs: ep.obs,
      actions: ep.actions,
      rewards: ep.rewards,
    }));
    ctx.writeFile('episodes.json', JSON.stringify({ env: ENV_ID, episodes }));
    ctx.print(
      `wrote episodes.json (${opts.replays} deterministic episodes, returns ${eps.map((ep) => ep.return.toFixed(0)).join(', ')})`,
    );
  }
}

const experiment: Experiment<typeof options> = {
  name: 'sac-pendulum',
  summary:
    'continuous SAC (auto temperature; uniform, swing-up reference or no prior) on Pendulum-v1, learning curve vs the SB3 benchmark',
  options,
  kind: 'train',
  resumable: true,
  run,
};

export default experiment;
