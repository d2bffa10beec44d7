/**
 * klppo-pendulum: KL-PPO on Pendulum-v1 against a noisy hand-written reference controller
 * (energy-pumping swing-up + PD catch, Gaussian torque noise; `src/envs/controllers.ts`).
 *
 * β is the Objective's α. With `--prior reference` the policy is first distilled onto the controller
 * (the RLHF recipe starts at the reference), then trained with the per-step penalty
 * r − β·(log π − log π_ref) while the adaptive controller (Ziegler et al. 2019; `--alpha auto_<β₀>`)
 * steers β so the KL per step stays near `--target-kl`; a number (`--alpha 0.5`) keeps β fixed.
 * The expected outcome: a higher return than the reference (mostly by acting with less noise) at a
 * KL close to the target. `--prior uniform` turns the same penalty into an entropy bonus
 * (no distillation); `--prior none` is plain PPO (β ≡ 0).
 *
 * Reports the reference's and the trained policy's (stochastic) returns on the same evaluation
 * seeds and the mean KL over the last quarter of training; writes `return.svg`, `kl.svg` and `episodes.json`
 * (the first `--replays` evaluation episodes of each, for the viewer's Runs panel).
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { rollouts, type BatchPolicy } from '../src/agents/episodes.js';
import { createLearner, type Learner } from '../src/agents/learner.js';
import { decodeF32Json, encodeF32Json } from '../src/core/f32json.js';
import { pendulumSwingUp } from '../src/envs/controllers.js';
import { controllerReference } from '../src/priors/controller.js';
import { make } from '../src/envs/registry.js';
import { linePlot } from '../src/node/run/svgplot.js';
import {
  makeObjective,
  objectiveOptions,
  objectiveSpecOf,
  encodeObservations,
  type Objective,
  type ReferenceSource,
} from '../src/priors/index.js';
import { partStreams, type Experiment, type RunContext } from '../src/node/run/experiment.js';

const options = z.object({
  ...objectiveOptions({ prior: 'reference', alpha: 'auto_0.5', targetKl: 0.2 }),
  iterations: z.number().int().positive().default(80).describe('KL-PPO iterations (each: numEnvs × 200 steps)'),
  distill: z
    .number()
    .int()
    .min(0)
    .default(30)
    .describe('iterations of distillation onto the reference first (reference prior only)'),
  noiseStd: z.number().gt(0).default(1.5).describe('std of the reference controller’s torque noise'),
  horizon: z.number().gt(0).default(4000).describe('horizon of the adaptive β controller (env steps)'),
  lr: z.number().gt(0).default(1e-3).describe('Adam learning rate'),
  numEnvs: z.number().int().positive().default(8).describe('parallel envs (one 200-step episode each per iteration)'),
  evalEpisodes: z
    .number()
    .int()
    .positive()
    .default(50)
    .describe('evaluation episodes for the reference and the trained policy'),
  checkpointEvery: z.number().int().positive().default(10).describe('write a checkpoint every this many iterations'),
  replays: z.number().int().min(0).default(3).describe('evaluation episodes of each policy written to episodes.json'),
});
type Options = z.infer<typeof options>;

interface State {
  /** The learner's checkpoint (`encodeF32Json`). */
  agent: string;
  history: { iteration: number; ret: number; kl: number; beta: number }[];
}

/** A Gaussian reference source acting as a policy: mean + std·ε, ε ~ N(0, 1) from the given rng. */
function sourcePolicy(source: ReferenceSource): BatchPolicy {
  if (!('gaussian' in source)) throw new RangeError('sourcePolicy: needs a Gaussian policy');
  return {
    actionWidth: 1,
    act: (obs, opts) =>
      tf.tidy(() => {
        const g = source.gaussian(tf.tensor2d(encodeObservations(PENDULUM_OBS, obs), [obs.length, 3]));
        const mean = g.mean.dataSync();
        const std = Math.exp(g.logStd.dataSync()[0]);
        return Float32Array.from(mean, (m) => (opts.deterministic ? m : m + std * opts.rng.normal()));
      }),
  };
}
const PENDULUM_OBS = make('Pendulum-v1').observationSpace;

/**
 * Mean and std of the return of a policy with sampled actions over seeded episodes (seeds 10000…); the first
 * `keep` recorded. Action noise from a fresh `eval` part of the run seed, so every policy evaluated sees the same.
 */
function evaluate(policy: BatchPolicy, episodes: number, ctx: RunContext, keep: number) {
  const rng = partStreams(ctx, 'eval').get('noise');
  const seeds = Array.from({ length: episodes }, (_, ep) => 10_000 + ep);
  const eps = rollouts(policy, () => make('Pendulum-v1'), episodes, seeds, { deterministic: false, rng });
  const returns = eps.map((e) => e.return);
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const std = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / episodes);
  return { mean, std, kept: eps.slice(0, keep).map(({ obs, actions, rewards }) => ({ obs, actions, rewards })) };
}

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const controller = () => controllerReference(pendulumSwingUp({ noiseStd: opts.noiseStd }));
  const objective = makeObjective(objectiveSpecOf(opts), make('Pendulum-v1'), { reference: controller });
  const reference = controller(); // a second copy, to evaluate the controller itself
  try {
    await train(opts, ctx, objective, reference);
  } finally {
    objective.dispose();
    (reference as { dispose?: () => void }).dispose?.();
  }
}

async function train(opts: Options, ctx: RunContext, objective: Objective, reference: ReferenceSource): Promise<void> {
  const batch = opts.numEnvs * 200;
  const distill = opts.prior === 'reference' ? opts.distill : 0;
  const agent = createLearner('klppo', {
    makeEnv: () => make('Pendulum-v1'),
    objective,
    config: {
      numEnvs: opts.numEnvs,
      numSteps: 200,
      hidden: [64, 64],
      learningRate: opts.lr,
      numMinibatches: 8,
      updateEpochs: 10,
      klMode: 'reward',
      klHorizon: opts.horizon,
      distill,
      totalSteps: (distill + opts.iterations) * batch, // the warm start's rollouts count as steps
      evalEvery: 0,
      checkpointEvery: opts.checkpointEvery * batch,
    },
    streams: ctx.streams,
  });
  try {
    const saved = ctx.resume ? ctx.loadCheckpoint<State>() : null;
    const history: State['history'] = saved?.state.history ?? [];
    if (saved) agent.load(decodeF32Json(saved.state.agent));
    await agent.run({
      signal: ctx.signal,
      log: (_, m) => {
        if (m['charts/learning_rate'] === undefined) {
          ctx.print(
            `distilled onto the reference (${distill} iterations): KL ${m['charts/kl_prior'].toFixed(3)} per step`,
          );
          return;
        }
        const kl = m['charts/kl_prior'];
        history.push({ iteration: history.length + 1, ret: m['charts/episodic_return'], kl, beta: m['charts/alpha'] });
        ctx.log(history.length, m);
        ctx.progress(history.length, opts.iterations, {
          return: m['charts/episodic_return'],
          kl,
          beta: m['charts/alpha'],
        });
      },
      checkpoint: (_, state) =>
        ctx.checkpoint(history.length, { agent: encodeF32Json(state), history } satisfies State),
    });
    if (history.length < opts.iterations) return;
    report(opts, ctx, objective, reference, agent, history);
  } finally {
    agent.dispose();
  }
}

function report(
  opts: Options,
  ctx: RunContext,
  objective: Objective,
  reference: ReferenceSource,
  agent: Learner,
  history: State['history'],
): void {
  const { kept: refEpisodes, ...refEval } = evaluate(sourcePolicy(reference), opts.evalEpisodes, ctx, opts.replays);
  const { kept: trainedEpisodes, ...trainedEval } = evaluate(agent, opts.evalEpisodes, ctx, opts.replays);
  const finalBeta = history.at(-1)!.beta;
  const last = history.slice(Math.floor((3 * history.length) / 4));
  const meanKl = last.reduce((a, h) => a + h.kl, 0) / last.length;
  ctx.print(
    `prior ${opts.prior}, reference noise std ${opts.noiseStd}, ${opts.evalEpisodes} evaluation episodes (same seeds):`,
  );
  ctx.print(`  reference controller   return ${refEval.mean.toFixed(1)} ± ${refEval.std.toFixed(1)}`);
  ctx.print(`  KL-PPO (stochastic)    return ${trainedEval.mean.toFixed(1)} ± ${trainedEval.std.toFixed(1)}`);
  const target = objective.targetKl;
  ctx.print(
    `  KL per step over the last ${last.length} iterations: ${meanKl.toFixed(3)}${target !== null ? ` (target ${target})` : ''}; final β ${finalBeta.toFixed(3)}`,
  );
  const x = history.map((h) => h.iteration);
  ctx.writeFile(
    'return.svg',
    linePlot({ title: 'KL-PPO on Pendulum-v1', xLabel: 'iteration', yLabel: 'episodic return' }, [
      { label: 'KL-PPO (training episodes)', x, y: history.map((h) => h.ret) },
      { label: 'reference controller (eval)', x, y: x.map(() => refEval.mean) },
    ]),
  );
  ctx.writeFile(
    'kl.svg',
    linePlot({ title: 'KL(π ‖ π_ref) per step and β', xLabel: 'iteration', yLabel: 'nats / β' }, [
      { label: 'KL per step', x, y: history.map((h) => h.kl) },
      { label: 'β', x, y: history.map((h) => h.beta) },
      ...(target !== null ? [{ label: 'KL target', x, y: x.map(() => target) }] : []),
    ]),
  );
  if (opts.replays > 0) {
    const episodes = [
      ...refEpisodes.map((e, i) => ({ label: `reference controller #${i + 1}`, ...e })),
      ...trainedEpisodes.map((e, i) => ({ label: `KL-PPO (prior ${opts.prior}) #${i + 1}`, ...e })),
    ];
    ctx.writeFile('episodes.json', JSON.stringify({ env: 'Pendulum-v1', episodes }));
  }
  ctx.writeFile(
    'results.json',
    JSON.stringify({ reference: refEval, trained: trainedEval, meanKl, finalBeta }, null, 2),
  );
}

const experiment: Experiment<typeof options> = {
  name: 'klppo-pendulum',
  summary:
    'KL-PPO on Pendulum-v1 vs a noisy swing-up controller: beats its return with KL held near the adaptive target',
  options,
  kind: 'train',
  resumable: true,
  run,
};
export default experiment;
