/**
 * lqg-elbo: the RSSM's observation ELBO on LinearGaussian-v0 against the exact Kalman log-likelihood of the
 * same held-out sequences (setup in `src/worldmodel/elbo-vs-kalman.ts`: data of the flat soft-LQG controller,
 * sequences of each episode's first 32 observations, the reward term left out). Trains a fresh RSSM of the
 * run seed for `--steps` steps (batch 16) and scores it every `--every` steps; `--steps 0` gives the exact
 * value and the untrained ELBO only. `tests/worldmodel-lqg.test.ts` runs the same `trainAgainstKalman` at
 * 300 steps and asserts the bounds. First it prints the structural limit (`filter-elbo.ts`): the exact ELBO of the
 * innovations-form linear RSSM with a filtering posterior at several decoder stds. Writes `results.json`.
 */
import { z } from 'zod';
import type { Experiment, RunContext } from '../src/node/run/experiment.js';
import {
  elboVsKalman,
  innovationsLimit,
  LQG_RSSM_CONFIG,
  trainAgainstKalman,
} from '../src/worldmodel/elbo-vs-kalman.js';

/** The decoder stds at which the innovations form's exact ELBO is printed. */
const LIMIT_STDS = [0.1, 0.07, 0.05, 0.03, 0.02, 0.015, 0.01, 0.005];

const options = z.object({
  steps: z.number().int().min(0).default(300).describe('gradient steps of the RSSM (0: the exact value only)'),
  every: z.number().int().positive().default(300).describe('score the held-out ELBO every this many steps'),
  obsStd: z
    .number()
    .positive()
    .default(LQG_RSSM_CONFIG.obsStd!)
    .describe("the decoder's observation std (default: the env's true √V)"),
  lr: z.number().positive().default(LQG_RSSM_CONFIG.lr!).describe('learning rate of the RSSM'),
  learnObsStd: z
    .boolean()
    .default(false)
    .describe('learn the decoder std by the ELBO, started at --obsStd (default: fixed)'),
  minStd: z
    .number()
    .positive()
    .default(LQG_RSSM_CONFIG.minStd!)
    .describe('lower bound of the prior and posterior stds'),
  model: z.enum(['tfjs', 'tape']).default('tfjs').describe("'tfjs' (autodiff Rssm) or 'tape' (TapeRssm, the agent's)"),
  batch: z.number().int().positive().default(16).describe('sequences per gradient step'),
  lrDecay: z
    .number()
    .positive()
    .max(1)
    .default(1)
    .describe('the learning rate decays geometrically to lrDecay·lr at the last step (1: constant)'),
  draws: z.number().int().min(2).default(4).describe('posterior draws per held-out score'),
  episodes: z.number().int().positive().default(200).describe('training episodes of the soft-LQG controller'),
});
type Options = z.infer<typeof options>;

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const setup = elboVsKalman(32, opts.episodes);
  const { exact, T } = setup;
  ctx.print(
    `exact log p(y_0:${T - 1} | a) of ${setup.heldOut.length} held-out sequences: ${exact.toFixed(2)} nats per sequence (${(exact / T).toFixed(3)} per step)`,
  );
  const pct = (gap: number) => (100 * gap) / Math.abs(exact);
  const limits = LIMIT_STDS.map((obsStd) => ({ obsStd, gap: exact - innovationsLimit(setup, obsStd) }));
  ctx.print(
    `innovations-form linear RSSM with its filtering q (exact, no training), gap to log p: ${limits.map((l) => `σ_d ${l.obsStd}: ${l.gap.toFixed(3)} (${pct(l.gap).toFixed(2)} %)`).join(', ')}`,
  );
  const { untrained, elbo } = trainAgainstKalman(setup, {
    steps: opts.steps,
    every: opts.every,
    seed: ctx.seed,
    config: { obsStd: opts.obsStd, lr: opts.lr, learnObsStd: opts.learnObsStd, minStd: opts.minStd },
    model: opts.model,
    batchSize: opts.batch,
    lrDecay: opts.lrDecay,
    draws: opts.draws,
  });
  const rows = elbo.map(({ step, value, stdErr, obsStd }) => ({
    step,
    elbo: value,
    gap: exact - value,
    stdErr,
    obsStd,
  }));
  ctx.print(`obsStd ${opts.obsStd}, lr ${opts.lr}, seed ${ctx.seed}: ELBO_obs untrained ${untrained.toFixed(2)}`);
  for (const r of rows)
    ctx.print(
      `step ${r.step}: ELBO_obs ${r.elbo.toFixed(2)} ± ${r.stdErr.toFixed(2)}, gap ${r.gap.toFixed(2)} nats (${pct(r.gap).toFixed(1)} ± ${pct(r.stdErr).toFixed(1)} %, ${(r.gap / T).toFixed(3)} per step), σ_d ${r.obsStd.toPrecision(3)}`,
    );
  ctx.writeFile('results.json', `${JSON.stringify({ ...opts, T, exact, untrained, limits, rows }, null, 2)}\n`);
  ctx.print('wrote results.json');
}

const experiment: Experiment<typeof options> = {
  name: 'lqg-elbo',
  summary:
    "the RSSM's observation ELBO on LinearGaussian-v0 against the exact Kalman log-likelihood of the same held-out sequences",
  options,
  kind: 'train',
  run,
};
export default experiment;
