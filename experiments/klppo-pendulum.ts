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
import { KlPpo, type KlPpoCheckpoint } from '../src/agents/klppo/ppo.js';
import { pendulumSwingUp } from '../src/envs/controllers.js';
import { controllerReference } from '../src/priors/controller.js';
import { make } from '../src/envs/registry.js';
import { linePlot } from '../src/node/run/svgplot.js';
import {
  makeObjective,
  objectiveOptions,
  objectiveSpecOf,
  type Objective,
  type ReferenceSource,
} from '../src/priors/index.js';
import { yieldToEventLoop } from '../src/core/yield.js';
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
  agent: KlPpoCheckpoint;
  history: { iteration: number; ret: number; kl: number; beta: number }[];
}

interface Recorded {
  obs: number[][];
  actions: number[][];
  rewards: number[];
}

/**
 * Mean and std of the return of a Gaussian policy (sampled actions) over seeded episodes; the first `keep`
 * recorded. Action noise from a fresh `eval` part of the run seed, so every policy evaluated sees the same.
 */
function evaluate(
  source: ReferenceSource,
  episodes: number,
  ctx: RunContext,
  keep: number,
): { mean: number; std: number; kept: Recorded[] } {
  if (!('gaussian' in source)) throw new RangeError('evaluate: needs a Gaussian policy');
  const rng = partStreams(ctx, 'eval').get('noise');
  const returns: number[] = [];
  const kept: Recorded[] = [];
  for (let ep = 0; ep < episodes; ep++) {
    const env = make('Pendulum-v1');
    let obs = env.reset({ seed: 10_000 + ep }).obs as Float32Array;
    const rec: Recorded = { obs: [Array.from(obs)], actions: [], rewards: [] };
    let ret = 0;
    for (;;) {
      const [mean, std] = tf.tidy(() => {
        const g = source.gaussian(tf.tensor2d(obs, [1, 3]));
        return [g.mean.dataSync()[0], Math.exp(g.logStd.dataSync()[0])];
      });
      const action = mean + std * rng.normal();
      const step = env.step([action]);
      ret += step.reward;
      obs = step.obs as Float32Array;
      rec.obs.push(Array.from(obs));
      rec.actions.push([action]);
      rec.rewards.push(step.reward);
      if (step.terminated || step.truncated) break;
    }
    returns.push(ret);
    if (ep < keep) kept.push(rec);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  return { mean, std: Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / episodes), kept };
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
  const agent = new KlPpo(
    () => make('Pendulum-v1'),
    objective,
    {
      numEnvs: opts.numEnvs,
      numSteps: 200,
      hidden: [64, 64],
      learningRate: opts.lr,
      numMinibatches: 8,
      updateEpochs: 10,
      klMode: 'reward',
      klHorizon: opts.horizon,
    },
    ctx.streams,
  );
  const saved = ctx.resume ? ctx.loadCheckpoint<State>() : null;
  const history: State['history'] = saved?.state.history ?? [];
  if (saved) agent.loadCheckpoint(saved.state.agent);
  else if (opts.prior === 'reference' && opts.distill > 0) {
    const m = agent.distill(opts.distill);
    ctx.print(
      `distilled onto the reference (${opts.distill} iterations): KL ${m['charts/kl_prior'].toFixed(3)} per step, return ${m['charts/episodic_return']?.toFixed(1)}`,
    );
  }
  const total = opts.iterations;
  while (agent.iteration < total && !ctx.signal.aborted) {
    const m = agent.iterate();
    const kl = m['charts/kl_prior'];
    history.push({ iteration: agent.iteration, ret: m['charts/episodic_return'], kl, beta: m['charts/alpha'] });
    ctx.log(agent.iteration, m);
    ctx.progress(agent.iteration, total, { return: m['charts/episodic_return'], kl, beta: m['charts/alpha'] });
    if (agent.iteration % opts.checkpointEvery === 0 || agent.iteration === total || ctx.signal.aborted) {
      ctx.checkpoint(agent.iteration, { agent: agent.getCheckpoint(), history } satisfies State);
    }
    await yieldToEventLoop();
  }
  if (agent.iteration < total) {
    agent.dispose();
    return;
  }

  const { kept: refEpisodes, ...refEval } = evaluate(reference, opts.evalEpisodes, ctx, opts.replays);
  const { kept: trainedEpisodes, ...trainedEval } = evaluate(agent.frozen(), opts.evalEpisodes, ctx, opts.replays);
  const last = history.slice(Math.floor((3 * history.length) / 4));
  const meanKl = last.reduce((a, h) => a + h.kl, 0) / last.length;
  ctx.print(
    `prior ${opts.prior}, reference noise std ${opts.noiseStd}, ${opts.evalEpisodes} evaluation episodes (same seeds):`,
  );
  ctx.print(`  reference controller   return ${refEval.mean.toFixed(1)} ± ${refEval.std.toFixed(1)}`);
  ctx.print(`  KL-PPO (stochastic)    return ${trainedEval.mean.toFixed(1)} ± ${trainedEval.std.toFixed(1)}`);
  const target = objective.targetKl;
  ctx.print(
    `  KL per step over the last ${last.length} iterations: ${meanKl.toFixed(3)}${target !== null ? ` (target ${target})` : ''}; final β ${agent.beta.toFixed(3)}`,
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
    JSON.stringify({ reference: refEval, trained: trainedEval, meanKl, finalBeta: agent.beta }, null, 2),
  );
  agent.dispose();
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
