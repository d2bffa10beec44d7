/**
 * The RSSM on LinearGaussian-v0 against the exact likelihood, set up once for `tests/worldmodel-lqg.test.ts`
 * (a small budget, three seeds) and the `lqg-elbo` experiment (any budget and decoder std): data from the
 * exact soft-LQG controller (flat reference N(0, 10²), α = 0.1: action noise σ_π = 0.63), sequences of the
 * first T observations of each episode (the RSSM starts every sequence where the episode starts), and the
 * observation part of the ELBO (recon − KL) on held-out sequences beside their exact Kalman log-likelihood
 * log p(y_{0:T−1} | a). The reward term is left out: r = −(xᵀQx + aᵀRa) is quadratic in the state, not
 * linear-Gaussian, so it has no Kalman counterpart.
 */
import { Rng } from '../core/rng.js';
import { LINEAR_GAUSSIAN_REFERENCES, LINEAR_GAUSSIAN_TASK as TASK } from '../envs/lineargaussian.js';
import { make } from '../envs/registry.js';
import { observationElbo } from './evaluate.js';
import { filterElbo, innovationsForm } from './filter-elbo.js';
import { kalmanFilter, type LgssmSequence } from './lgssm.js';
import { Rssm, type RssmConfig } from './rssm.js';
import { windowsToBatch, type Episode, type SequenceBatch } from './sequences.js';
import { episodeRows, episodeSequence, lqgRollouts, softLqr, type SoftLqgOptions } from './soft-lqg.js';

/** The behaviour policy's objective: the soft-optimal controller under the flat reference at α = 0.1. */
export const LQG_DATA_OBJECTIVE: SoftLqgOptions = {
  alpha: 0.1,
  gamma: 0.99,
  reference: LINEAR_GAUSSIAN_REFERENCES.flat,
};

/** The RSSM's size for this task, with the decoder std at the env's true observation std √V. */
export const LQG_RSSM_CONFIG: Partial<RssmConfig> = {
  deterDim: 32,
  stochDim: 4,
  hiddenDim: 32,
  obsStd: Math.sqrt(TASK.model.R[0][0]),
  minStd: 0.01,
  lr: 3e-3,
};

export interface ElboVsKalman {
  T: number;
  train: Episode[];
  heldOut: Episode[];
  /** Mean exact log p(y_{0:T−1} | a) of the held-out sequences, nats per sequence. */
  exact: number;
  /** The held-out sequences in the Kalman filter's form. */
  heldOutSequences: LgssmSequence[];
  /** The held-out sequences as one batch. */
  heldOutBatch: SequenceBatch;
  /** B training sequences drawn uniformly from `rng`. */
  trainBatch(rng: Rng, B: number): SequenceBatch;
}

function controllerEpisodes(episodes: number, seed: number): Episode[] {
  const { policy } = softLqr(TASK, LQG_DATA_OBJECTIVE);
  const env = make('LinearGaussian-v0');
  return lqgRollouts(env, TASK, policy, LQG_DATA_OBJECTIVE, { episodes, seed, rng: new Rng(`lqg-data/${seed}`) })
    .episodes;
}

/** 200 training and 100 held-out episodes (env seeds 1 and 2), sequences of the first `T` observations. */
export function elboVsKalman(T = 32): ElboVsKalman {
  if (!Number.isInteger(T) || T < 1 || T > TASK.horizon + 1)
    throw new RangeError(`elboVsKalman.T: got ${T}, allowed: an integer in [1, ${TASK.horizon + 1}]`);
  const train = controllerEpisodes(200, 1);
  const heldOut = controllerEpisodes(100, 2);
  const heldOutSequences = heldOut.map((ep) => {
    const { obs, actions } = episodeRows(ep);
    return episodeSequence(TASK, obs.slice(0, T), actions.slice(0, T - 1));
  });
  const lls = heldOutSequences.map((seq) => kalmanFilter(TASK.model, seq).logLik);
  const starts = (eps: Episode[], pick: (i: number) => number, B: number) =>
    windowsToBatch(
      eps,
      Array.from({ length: B }, (_, i) => ({ episode: pick(i), start: 0 })),
      T,
    );
  return {
    T,
    train,
    heldOut,
    heldOutSequences,
    exact: lls.reduce((a, b) => a + b, 0) / lls.length,
    heldOutBatch: starts(heldOut, (i) => i, heldOut.length),
    trainBatch: (rng, B) => starts(train, () => rng.integer(train.length), B),
  };
}

/** Trains a fresh RSSM for `steps` steps of batch 16 and returns the held-out observation ELBO after each `every` steps. */
export function trainAgainstKalman(
  setup: ElboVsKalman,
  opts: { steps: number; every: number; seed: number; config?: Partial<RssmConfig> },
): { untrained: number; elbo: { step: number; value: number }[] } {
  const model = new Rssm(
    { obsDim: 1, actDim: 1 },
    { ...LQG_RSSM_CONFIG, ...opts.config },
    new Rng(`lqg-rssm/init/${opts.seed}`),
  );
  try {
    const evalRng = new Rng(`lqg-rssm/eval/${opts.seed}`);
    const untrained = observationElbo(model, setup.heldOutBatch, evalRng);
    const rng = new Rng(`lqg-rssm/train/${opts.seed}`);
    const elbo: { step: number; value: number }[] = [];
    for (let step = 1; step <= opts.steps; step++) {
      const t = model.trainStep(setup.trainBatch(rng, 16), rng);
      [t.elbo, t.recon, t.reward, t.kl].forEach((x) => x.dispose());
      if (step % opts.every === 0 || step === opts.steps)
        elbo.push({ step, value: observationElbo(model, setup.heldOutBatch, evalRng, 4) });
    }
    return { untrained, elbo };
  } finally {
    model.dispose();
  }
}

/**
 * The structural limit at decoder std `obsStd`: the mean held-out ELBO of the innovations-form linear RSSM
 * (`filter-elbo.ts`, exact, no training), the representation in which a filtering posterior is exact as σ_d → 0.
 */
export function innovationsLimit(setup: ElboVsKalman, obsStd: number): number {
  const model = innovationsForm(TASK.model, setup.T, obsStd);
  return setup.heldOutSequences.reduce((a, seq) => a + filterElbo(model, seq), 0) / setup.heldOutSequences.length;
}
