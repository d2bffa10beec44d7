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
import { observationElbo, observationElboDraws } from './evaluate.js';
import { filterElbo, innovationsForm } from './filter-elbo.js';
import { kalmanFilter, type LgssmSequence } from './lgssm.js';
import { Rssm, type RssmConfig } from './rssm.js';
import { TapeRssm } from './tape-rssm.js';
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

/**
 * `trainEpisodes` training (default 200) and 100 held-out episodes (env seeds 1 and 2), sequences of the first
 * `T` observations.
 */
export function elboVsKalman(T = 32, trainEpisodes = 200): ElboVsKalman {
  if (!Number.isInteger(T) || T < 1 || T > TASK.horizon + 1)
    throw new RangeError(`elboVsKalman.T: got ${T}, allowed: an integer in [1, ${TASK.horizon + 1}]`);
  if (!Number.isInteger(trainEpisodes) || trainEpisodes < 1)
    throw new RangeError(`elboVsKalman.trainEpisodes: got ${trainEpisodes}, allowed: a positive integer`);
  const train = controllerEpisodes(trainEpisodes, 1);
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

/** How `trainAgainstKalman` trains and scores; the defaults are the README's `lqg-elbo` runs. */
export interface KalmanRunOptions {
  steps: number;
  /** Score the held-out ELBO every this many steps (and at the last). */
  every: number;
  seed: number;
  config?: Partial<RssmConfig>;
  /** 'tfjs' (the autodiff `Rssm`) or 'tape' (`TapeRssm`, the agent's fast path): the same model. */
  model?: 'tfjs' | 'tape';
  /** Sequences per step (default 16). */
  batchSize?: number;
  /** The learning rate decays geometrically from `config.lr` to `lrDecay`·lr at the last step (default 1: constant). */
  lrDecay?: number;
  /** Posterior draws per score (default 4). */
  draws?: number;
}

/**
 * Trains a fresh RSSM and returns the held-out observation ELBO after each `every` steps, with its standard
 * error over the draws, and the decoder std σ_d there (learned with `learnObsStd`).
 */
export function trainAgainstKalman(
  setup: ElboVsKalman,
  opts: KalmanRunOptions,
): { untrained: number; elbo: { step: number; value: number; stdErr: number; obsStd: number }[] } {
  const { batchSize = 16, lrDecay = 1, draws = 4 } = opts;
  const config = { ...LQG_RSSM_CONFIG, ...opts.config };
  const init = new Rng(`lqg-rssm/init/${opts.seed}`);
  const dims = { obsDim: 1, actDim: 1 };
  const model = opts.model === 'tape' ? new TapeRssm(dims, config, init) : new Rssm(dims, config, init);
  try {
    const evalRng = new Rng(`lqg-rssm/eval/${opts.seed}`);
    const untrained = observationElbo(model, setup.heldOutBatch, evalRng);
    const rng = new Rng(`lqg-rssm/train/${opts.seed}`);
    const lr = model.cfg.lr;
    const elbo: { step: number; value: number; stdErr: number; obsStd: number }[] = [];
    for (let step = 1; step <= opts.steps; step++) {
      if (lrDecay !== 1) model.setLearningRate(lr * lrDecay ** ((step - 1) / Math.max(1, opts.steps - 1)));
      const batch = setup.trainBatch(rng, batchSize);
      if (model instanceof TapeRssm) model.trainStep(batch, rng);
      else {
        const t = model.trainStep(batch, rng);
        [t.elbo, t.recon, t.reward, t.kl].forEach((x) => x.dispose());
      }
      if (step % opts.every === 0 || step === opts.steps) {
        const { mean, stdErr } = observationElboDraws(model, setup.heldOutBatch, evalRng, draws);
        elbo.push({ step, value: mean, stdErr, obsStd: model.decoderStd() });
      }
    }
    return { untrained, elbo };
  } finally {
    if (model instanceof Rssm) model.dispose();
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
