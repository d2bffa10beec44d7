/**
 * rssm-pendulum: an RSSM world model trained by the ELBO on velocity-hidden Pendulum (`PendulumNoVel-v1`,
 * observation [cos θ, sin θ]) from random-policy episodes.
 *
 * Report: the ELBO and its terms (logged every `logEvery` steps as `elbo/total`, `elbo/recon`,
 * `elbo/reward`, `elbo/kl`); open-loop imagination on held-out episodes (after `context` observed steps,
 * roll the prior forward `horizon` steps under the recorded actions, decode, and compare the mean squared
 * error per horizon with the naive predictor that repeats the last observation); and how well a linear
 * read-out of the latent state recovers the hidden θ̇ (R² on held-out windows).
 *
 * Files: `imagination.svg` (error per horizon, model vs naive), `elbo.svg` (ELBO terms over this process's
 * steps), `imagination.json` (the numbers), `rssm-trajectories.json` (observed / reconstructed / imagined
 * trajectories, format in `src/worldmodel/trajectories.ts`), checkpoints `rssm-state-{0,1}.json` (model,
 * optimizer, RNG streams). `--resume` continues exactly. Episodes and evaluation windows come from
 * `partStreams` of the run seed (not the checkpointed streams), so a resumed run trains on the same data.
 */
import { kebab } from '../src/node/run/options.js';
import { z } from 'zod';
import { make } from '../src/envs/registry.js';
import { SlotCheckpoints, slotStateSchema } from '../src/node/run/slots.js';
import { linePlot } from '../src/node/run/svgplot.js';
import { errorPerHorizon, repeatLast, stateFeatures } from '../src/worldmodel/evaluate.js';
import { applyReadout, fitLinearReadout, rSquared, type LinearReadout } from '../src/worldmodel/probe.js';
import { DEFAULT_RSSM_CONFIG, Rssm, type RssmConfig } from '../src/worldmodel/rssm.js';
import {
  collectEpisodes,
  randomPolicy,
  SequenceReplayBuffer,
  type SequenceBatch,
} from '../src/worldmodel/sequences.js';
import { trainLoopProblem, trainRssm, type RssmCheckpoint } from '../src/worldmodel/train.js';
import { buildTrajectoryFile } from '../src/worldmodel/trajectories.js';
import { partStreams, stepsOption, type Experiment, type RunContext } from '../src/node/run/experiment.js';

const ENVS = {
  'PendulumNoVel-v1': { obsLabels: ['cos θ', 'sin θ'], truthLabels: ['cos θ', 'sin θ', 'θ̇'] },
  'Pendulum-v1': { obsLabels: ['cos θ', 'sin θ', 'θ̇'], truthLabels: undefined },
} as const;

const options = z
  .object({
    env: z
      .enum(['PendulumNoVel-v1', 'Pendulum-v1'])
      .default('PendulumNoVel-v1')
      .describe('environment (PendulumNoVel-v1 hides θ̇)'),
    steps: stepsOption(1500).describe('gradient steps'),
    episodes: z.number().int().positive().default(50).describe('random-policy training episodes (200 steps each)'),
    heldOutEpisodes: z.number().int().positive().default(10).describe('held-out episodes for evaluation'),
    batchSize: z.number().int().positive().default(16).describe('sequences per batch'),
    seqLen: z.number().int().min(2).default(32).describe('length T of each training sequence'),
    deterDim: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_RSSM_CONFIG.deterDim)
      .describe('size of the deterministic state h_t'),
    stochDim: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_RSSM_CONFIG.stochDim)
      .describe('size of the stochastic latent z_t'),
    hiddenDim: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_RSSM_CONFIG.hiddenDim)
      .describe('hidden width of the MLP heads'),
    lr: z.number().gt(0).default(DEFAULT_RSSM_CONFIG.lr).describe('Adam learning rate'),
    freeNats: z.number().min(0).default(DEFAULT_RSSM_CONFIG.freeNats).describe('free nats per step (0: off)'),
    klBalance: z
      .number()
      .min(0)
      .lt(1)
      .default(0)
      .describe('KL balancing: the share of the KL gradient training the prior (0: off)'),
    context: z.number().int().positive().default(5).describe('observed steps before imagining'),
    horizon: z.number().int().positive().default(15).describe('open-loop imagination steps'),
    evalWindows: z
      .number()
      .int()
      .positive()
      .default(128)
      .describe('held-out windows for the imagination and read-out evaluation'),
    logEvery: z.number().int().positive().default(25).describe('log the ELBO terms every this many steps'),
    checkpointEvery: z
      .number()
      .int()
      .min(0)
      .default(250)
      .describe('checkpoint every this many steps (a multiple of logEvery; 0: never)'),
  })
  .superRefine((o, issues) => {
    const bad = trainLoopProblem(o);
    // The loop's rule names its config fields; on the command line they are options.
    if (bad)
      issues.addIssue({
        code: 'custom',
        path: [bad.field],
        message: bad.allowed.replace(/\b(logEvery|checkpointEvery|steps)\b/g, (k) => `--${kebab(k)}`),
      });
    // Windows are cut from 200-step episodes; the θ̇ read-out fits deterDim + stochDim weights on steps t ≥ 4.
    const window = o.context + o.horizon;
    if (o.seqLen > EPISODE_STEPS)
      issues.addIssue({ code: 'custom', path: ['seqLen'], message: `at most the episode length (${EPISODE_STEPS})` });
    if (o.context >= EPISODE_STEPS)
      issues.addIssue({
        code: 'custom',
        path: ['context'],
        message: `less than the episode length (${EPISODE_STEPS})`,
      });
    else if (window > EPISODE_STEPS)
      issues.addIssue({
        code: 'custom',
        path: ['horizon'],
        message: `at most ${EPISODE_STEPS} − context (${EPISODE_STEPS - o.context}): context + horizon fit in one episode`,
      });
    else if (o.env === 'PendulumNoVel-v1') {
      const dim = o.deterDim + o.stochDim;
      const rows = o.evalWindows * (window - READOUT_BURN_IN);
      if (window <= READOUT_BURN_IN)
        issues.addIssue({
          code: 'custom',
          path: ['horizon'],
          message: `more than ${READOUT_BURN_IN} − context: the θ̇ read-out skips the first ${READOUT_BURN_IN} steps`,
        });
      else if (rows <= dim)
        issues.addIssue({
          code: 'custom',
          path: ['evalWindows'],
          message: `at least ${Math.floor(dim / (window - READOUT_BURN_IN)) + 1}: the θ̇ read-out needs more rows than its --deter-dim + --stoch-dim = ${dim} features`,
        });
    }
  });
type Options = z.infer<typeof options>;

/** Length of the collected episodes, and the steps the θ̇ read-out skips while the filter settles. */
const EPISODE_STEPS = 200;
const READOUT_BURN_IN = 4;

/** Checkpoint blobs go to rssm-state-0.json / rssm-state-1.json. */
const SLOT_PREFIX = 'rssm-state';

/** A least-squares read-out of θ̇ (truth[2]) from [h_t, μ_q,t], fit on the steps t ≥ burnIn of `fit`. */
function velocityReadout(model: Rssm, fit: SequenceBatch, burnIn: number): LinearReadout {
  const a = stateFeatures(model, fit, 2, burnIn);
  return fitLinearReadout(a.X, a.y, a.dim, 1e-4);
}

/** The read-out's θ̇ at steps t ≥ burnIn of `batch` (time-major, `[T − burnIn, B]`), and the true θ̇ there. */
function readVelocity(model: Rssm, readout: LinearReadout, batch: SequenceBatch, burnIn: number) {
  const f = stateFeatures(model, batch, 2, burnIn);
  return { y: f.y, yHat: applyReadout(readout, f.X, f.dim) };
}

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const cfg: RssmConfig = {
    ...DEFAULT_RSSM_CONFIG,
    deterDim: opts.deterDim,
    stochDim: opts.stochDim,
    hiddenDim: opts.hiddenDim,
    lr: opts.lr,
    freeNats: opts.freeNats,
    klBalance: opts.klBalance > 0 ? opts.klBalance : null,
  };
  const window = opts.context + opts.horizon;
  ctx.print(`rssm-pendulum: ${opts.env}, backend ${ctx.backend}`);
  ctx.print(
    '| field | value |\n|---|---|\n' +
      Object.entries({ ...opts, ...cfg })
        .map(([k, v]) => `| ${k} | ${JSON.stringify(v)} |`)
        .join('\n'),
  );

  const env = make(opts.env);
  const collect = (episodes: number, tag: string) => {
    const data = partStreams(ctx, tag);
    return collectEpisodes(env, randomPolicy(env), {
      episodes,
      maxSteps: EPISODE_STEPS,
      seed: data.get('env').uint32(),
      rng: data.get('policy'),
    });
  };
  const train = new SequenceReplayBuffer(1_000_000);
  collect(opts.episodes, 'train').forEach((e) => train.add(e));
  const heldOut = new SequenceReplayBuffer(1_000_000);
  collect(opts.heldOutEpisodes, 'heldout').forEach((e) => heldOut.add(e));
  ctx.print(`collected ${train.size} training and ${heldOut.size} held-out steps (random policy)`);

  const { observationSpace: os, actionSpace: as } = env;
  if (os.kind !== 'box' || as.kind !== 'box') throw new Error(`rssm-pendulum: ${opts.env} must have Box spaces`);
  const dims = { obsDim: os.dim, actDim: as.dim };
  let model = new Rssm(dims, cfg, ctx.streams.get('model'));
  const batchRng = ctx.streams.get('batch');
  const noiseRng = ctx.streams.get('noise');
  let startStep = 0;
  const slots = new SlotCheckpoints(ctx, SLOT_PREFIX);
  const blob = slots.load();
  if (blob !== null) {
    const ck = JSON.parse(blob) as RssmCheckpoint;
    model.dispose();
    model = Rssm.fromState(ck.model, ctx.streams.get('model'));
    batchRng.setState(ck.rng.batch);
    noiseRng.setState(ck.rng.noise);
    startStep = ck.step;
    ctx.print(`resumed from step ${startStep}`);
  }

  const curve: { step: number; scalars: Record<string, number> }[] = [];
  const t0 = Date.now();
  await trainRssm(model, {
    steps: opts.steps,
    startStep,
    logEvery: opts.logEvery,
    checkpointEvery: opts.checkpointEvery,
    sampleBatch: (rng) => train.sample(opts.batchSize, opts.seqLen, rng),
    batchRng,
    noiseRng,
    onLog: (step, scalars) => {
      ctx.log(step, scalars);
      curve.push({ step, scalars });
      ctx.progress(step, opts.steps, { elbo: scalars['elbo/total'], kl: scalars['elbo/kl'] });
    },
    onCheckpoint: (ck) => slots.save(ck.step, JSON.stringify(ck)),
    signal: ctx.signal,
  });
  const seconds = (Date.now() - t0) / 1000;
  const last = curve.at(-1)?.scalars;
  if (last) {
    ctx.print(
      `trained steps ${startStep + 1}–${curve.at(-1)!.step} in ${seconds.toFixed(0)} s; last ELBO per sequence ${last['elbo/total'].toFixed(2)} ` +
        `(recon ${last['elbo/recon'].toFixed(2)}, reward ${last['elbo/reward'].toFixed(2)}, KL ${last['elbo/kl'].toFixed(2)})`,
    );
  }
  if (ctx.signal.aborted) {
    model.dispose();
    return;
  }

  // Imagination on held-out windows vs repeating the last observation.
  const evalRng = partStreams(ctx, 'eval').get('windows');
  const evalBatch = heldOut.sample(opts.evalWindows, window, evalRng);
  const imagined = model.imagine(evalBatch, opts.context, opts.horizon);
  const modelErr = errorPerHorizon(evalBatch, imagined, opts.context, opts.horizon);
  const naiveErr = errorPerHorizon(
    evalBatch,
    repeatLast(evalBatch, opts.context, opts.horizon),
    opts.context,
    opts.horizon,
  );
  ctx.print(
    `\nopen-loop prediction error (MSE per observation component) on ${opts.evalWindows} held-out windows, after ${opts.context} context steps:`,
  );
  ctx.print('| horizon | RSSM imagination | repeat last obs | ratio |\n|---|---|---|---|');
  modelErr.forEach((e, k) =>
    ctx.print(`| ${k + 1} | ${e.toFixed(4)} | ${naiveErr[k].toFixed(4)} | ${(e / naiveErr[k]).toFixed(2)} |`),
  );
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const wins = modelErr.filter((e, k) => e < naiveErr[k]).length;
  ctx.print(
    `mean over horizons: RSSM ${mean(modelErr).toFixed(4)} vs naive ${mean(naiveErr).toFixed(4)}; RSSM better at ${wins}/${opts.horizon} horizons`,
  );

  const horizons = modelErr.map((_, k) => k + 1);
  ctx.writeFile(
    'imagination.svg',
    linePlot(
      {
        title: `Open-loop prediction error on ${opts.env} (${opts.context} context steps)`,
        xLabel: 'horizon (steps)',
        yLabel: 'MSE',
      },
      [
        { label: 'RSSM imagination', x: horizons, y: modelErr },
        { label: 'repeat last observation', x: horizons, y: naiveErr },
      ],
    ),
  );
  if (curve.length > 0) {
    const xs = curve.map((c) => c.step);
    ctx.writeFile(
      'elbo.svg',
      linePlot({ title: 'ELBO per sequence and its terms', xLabel: 'gradient step', yLabel: 'nats' }, [
        { label: 'ELBO', x: xs, y: curve.map((c) => c.scalars['elbo/total']) },
        { label: 'reconstruction', x: xs, y: curve.map((c) => c.scalars['elbo/recon']) },
        { label: 'reward', x: xs, y: curve.map((c) => c.scalars['elbo/reward']) },
        { label: '−KL', x: xs, y: curve.map((c) => -c.scalars['elbo/kl']) },
      ]),
    );
  }

  let r2: number | null = null;
  let readout: LinearReadout | null = null;
  if (evalBatch.truth && evalBatch.truthDim === 3) {
    // R² on held-out windows of the read-out fit on training windows.
    readout = velocityReadout(model, train.sample(opts.evalWindows, window, evalRng), READOUT_BURN_IN);
    const held = readVelocity(model, readout, evalBatch, READOUT_BURN_IN);
    r2 = rSquared(held.y, held.yHat);
    ctx.print(
      `linear read-out of θ̇ from [h_t, μ_q] (fit on training windows, scored on held-out, t ≥ 4): R² = ${r2.toFixed(3)}`,
    );
  }
  ctx.writeFile(
    'imagination.json',
    JSON.stringify(
      { context: opts.context, horizon: opts.horizon, rssmMse: modelErr, naiveMse: naiveErr, velocityR2: r2 },
      null,
      2,
    ),
  );

  const shown = Math.min(8, evalBatch.B);
  const few = heldOut.sample(shown, window, partStreams(ctx, 'trajectories').get('windows'));
  const meta = ENVS[opts.env];
  ctx.writeFile(
    'rssm-trajectories.json',
    JSON.stringify(
      buildTrajectoryFile(
        {
          env: opts.env,
          dt: 0.05,
          obsLabels: [...meta.obsLabels],
          ...(meta.truthLabels ? { truthLabels: [...meta.truthLabels] } : {}),
          context: opts.context,
          horizon: opts.horizon,
        },
        few,
        model.observe(few).recon,
        model.imagine(few, opts.context, opts.horizon),
        readout && r2 !== null
          ? {
              label: 'θ̇',
              truthIndex: 2,
              r2,
              burnIn: READOUT_BURN_IN,
              values: readVelocity(model, readout, few, 0).yHat,
            }
          : undefined,
      ),
    ),
  );
  model.dispose();
}

const experiment: Experiment<typeof options> = {
  name: 'rssm-pendulum',
  summary: 'RSSM world model trained by the ELBO on velocity-hidden Pendulum: imagination vs repeat-last, θ̇ read-out',
  options,
  kind: 'train',
  resumable: true,
  checkpointState: () => slotStateSchema(SLOT_PREFIX),
  run,
};

export default experiment;
