/**
 * lqg-elbo: the RSSM's observation ELBO on LinearGaussian-v0 against the exact Kalman log-likelihood of the
 * same held-out sequences (setup in `src/worldmodel/elbo-vs-kalman.ts`: data of the flat soft-LQG controller,
 * sequences of each episode's first 32 observations, the reward term left out). Trains a fresh RSSM of the
 * run seed for `--steps` steps (batch 16) and scores it every `--every` steps; `--steps 0` gives the exact
 * value and the untrained ELBO only. `tests/worldmodel-lqg.test.ts` runs the same `trainAgainstKalman` at
 * 300 steps and asserts the bounds. Writes `results.json`.
 */
import { z } from 'zod';
import type { Experiment, RunContext } from '../src/node/run/experiment.js';
import { elboVsKalman, LQG_RSSM_CONFIG, trainAgainstKalman } from '../src/worldmodel/elbo-vs-kalman.js';

const options = z.object({
  steps: z.number().int().min(0).default(300).describe('gradient steps of the RSSM (0: the exact value only)'),
  every: z.number().int().positive().default(300).describe('score the held-out ELBO every this many steps'),
  obsStd: z
    .number()
    .positive()
    .default(LQG_RSSM_CONFIG.obsStd!)
    .describe("the decoder's observation std (default: the env's true √V)"),
  lr: z.number().positive().default(LQG_RSSM_CONFIG.lr!).describe('learning rate of the RSSM'),
});
type Options = z.infer<typeof options>;

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const setup = elboVsKalman(32);
  const { exact, T } = setup;
  ctx.print(
    `exact log p(y_0:${T - 1} | a) of ${setup.heldOut.length} held-out sequences: ${exact.toFixed(2)} nats per sequence (${(exact / T).toFixed(3)} per step)`,
  );
  const { untrained, elbo } = trainAgainstKalman(setup, {
    steps: opts.steps,
    every: opts.every,
    seed: ctx.seed,
    config: { obsStd: opts.obsStd, lr: opts.lr },
  });
  const rows = elbo.map(({ step, value }) => ({ step, elbo: value, gap: exact - value }));
  ctx.print(`obsStd ${opts.obsStd}, lr ${opts.lr}, seed ${ctx.seed}: ELBO_obs untrained ${untrained.toFixed(2)}`);
  for (const r of rows)
    ctx.print(
      `step ${r.step}: ELBO_obs ${r.elbo.toFixed(2)}, gap ${r.gap.toFixed(2)} nats (${((100 * r.gap) / Math.abs(exact)).toFixed(1)} %, ${(r.gap / T).toFixed(3)} per step)`,
    );
  ctx.writeFile('results.json', `${JSON.stringify({ ...opts, T, exact, untrained, rows }, null, 2)}\n`);
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
