/**
 * lgssm-vi: the world model's exact reference. A Gaussian variational posterior over the latent sequence of a
 * linear-Gaussian state-space model (`DAMPED_ROTATION`, `src/worldmodel/lgssm.ts`) is trained on the
 * reparameterized Monte Carlo ELBO, then scored exactly on held-out sequences: the Kalman filter's log p(x), the
 * closed-form ELBO, and the closed-form KL(q ‖ p(z|x)) to the exact joint posterior. Two paths to one number:
 * log p(x) − ELBO (by definition) against that KL; and the gap left after training, in nats and as a share of
 * |log p(x)|.
 *
 * Training and held-out sequences come from the `train` and `heldout` streams of the run seed. Writes
 * `results.json` (before and after: mean log p(x), mean ELBO, the relative gap, the smallest per-sequence gap,
 * the identity's worst error; the first and last batch's Monte Carlo ELBO).
 */
import { z } from 'zod';
import { DAMPED_ROTATION } from '../src/worldmodel/lgssm.js';
import {
  DEFAULT_LGSSM_VI_CONFIG,
  fitLgssmVi,
  heldOutGap,
  LgssmGaussianVI,
  sampleSequences,
  type HeldOutGap,
} from '../src/worldmodel/lgssm-vi.js';
import { stepsOption, type Experiment, type RunContext } from '../src/node/run/experiment.js';

const options = z.object({
  steps: stepsOption(DEFAULT_LGSSM_VI_CONFIG.steps).describe('gradient steps on the Monte Carlo ELBO'),
  heldOut: z.number().int().positive().max(10_000).default(32).describe('held-out sequences scored exactly'),
});
type Options = z.infer<typeof options>;

async function run(opts: Options, ctx: RunContext): Promise<void> {
  const vi = new LgssmGaussianVI(DAMPED_ROTATION, { steps: opts.steps });
  try {
    const held = sampleSequences(DAMPED_ROTATION, opts.heldOut, vi.cfg.seqLen, ctx.streams.get('heldout'));
    const line = (when: string, g: HeldOutGap) =>
      ctx.print(
        `${when}: log p(x) ${g.logLik.toFixed(4)}, ELBO ${g.elbo.toFixed(4)}, gap ${(g.logLik - g.elbo).toFixed(4)} nats ` +
          `(${(100 * g.relGap).toFixed(3)}%); min gap ${g.minGap.toExponential(2)}; max |log p − ELBO − KL(q ‖ p(z|x))| ${g.identityError.toExponential(1)}`,
      );
    ctx.print(
      `LGSSM (damped rotation, dz 2, dx 2, du 1), q over T = ${vi.cfg.seqLen} steps; ${opts.heldOut} held-out sequences, exact (Kalman) scores:`,
    );
    const before = heldOutGap(vi, held);
    line('before', before);
    const rng = ctx.streams.get('train');
    const fit = fitLgssmVi(vi, rng, (i) => ctx.progress(i + 1, vi.cfg.steps));
    const after = heldOutGap(vi, held);
    line(`after ${vi.cfg.steps} steps`, after);
    ctx.print(`Monte Carlo ELBO of the training batch: ${fit.firstElbo.toFixed(3)} → ${fit.lastElbo.toFixed(3)}`);
    ctx.writeFile('results.json', JSON.stringify({ seqLen: vi.cfg.seqLen, before, after, ...fit }, null, 2));
  } finally {
    vi.dispose();
  }
}

const experiment: Experiment<typeof options> = {
  name: 'lgssm-vi',
  summary:
    'variational posterior of a linear-Gaussian SSM trained by the reparameterized ELBO, scored against the exact Kalman likelihood',
  options,
  kind: 'train',
  run,
};
export default experiment;
