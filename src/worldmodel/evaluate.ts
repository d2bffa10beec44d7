/**
 * Evaluation helpers shared by the tests and the experiment: open-loop prediction error per horizon (and
 * the naive repeat-the-last-observation baseline), the model-state features for linear probes, and the
 * observation part of the ELBO (against an exact log-likelihood).
 */
import type { Rng } from '../core/rng.js';
import * as tf from '@tensorflow/tfjs';
import type { Rssm } from './rssm.js';
import { meanAndStdErr } from '../vi/linearGaussian.js';
import { TapeRssm } from './tape-rssm.js';
import type { SequenceBatch } from './sequences.js';

/** Mean squared error per horizon step between predictions `[H, B, O]` and the batch's observations from `context` on. */
export function errorPerHorizon(
  batch: SequenceBatch,
  pred: ArrayLike<number>,
  context: number,
  horizon: number,
): number[] {
  const { B, obsDim: O } = batch;
  if (pred.length !== horizon * B * O)
    throw new RangeError(
      `errorPerHorizon: pred has ${pred.length} values, expected horizon·B·obsDim = ${horizon * B * O}`,
    );
  return Array.from({ length: horizon }, (_, k) => {
    let s = 0;
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < O; i++) s += (pred[(k * B + b) * O + i] - batch.obs[((context + k) * B + b) * O + i]) ** 2;
    }
    return s / (B * O);
  });
}

/** The naive predictor: the last observed observation o_{context−1}, repeated for `horizon` steps (`[H, B, O]`). */
export function repeatLast(batch: SequenceBatch, context: number, horizon: number): Float32Array {
  const { B, obsDim: O } = batch;
  const out = new Float32Array(horizon * B * O);
  for (let k = 0; k < horizon; k++) out.set(batch.obs.subarray((context - 1) * B * O, context * B * O), k * B * O);
  return out;
}

/**
 * Rows [h_t, μ_q,t] (filtering with posterior means) for steps t ≥ `burnIn`, with the target column `col`
 * of the batch's `truth` (e.g. 2 = θ̇ for PendulumNoVel-v1).
 */
export function stateFeatures(
  model: Rssm,
  batch: SequenceBatch,
  col: number,
  burnIn: number,
): { X: number[]; y: number[]; dim: number } {
  const { truth, truthDim } = batch;
  if (!truth || truthDim === undefined || col >= truthDim)
    throw new RangeError(`stateFeatures: the batch has no truth column ${col} (truthDim=${truthDim})`);
  const o = model.observe(batch);
  const { deterDim: D, stochDim: S } = model.cfg;
  const X: number[] = [];
  const y: number[] = [];
  for (let r = burnIn * batch.B; r < batch.T * batch.B; r++) {
    X.push(...o.deter.subarray(r * D, (r + 1) * D), ...o.postMean.subarray(r * S, (r + 1) * S));
    y.push(truth[r * truthDim + col]);
  }
  return { X, y, dim: D + S };
}

/**
 * The observation part of the RSSM's ELBO, recon − KL = Σ_t E_q[log p(o_t | h_t, z_t)] − Σ_t KL(q ‖ p), per
 * sequence (batch mean), averaged over `draws` reparameterized samples. It is a lower bound on the model's
 * log p(o_{0:T−1} | a) (the reward head is left out: it is another likelihood), so on data from a
 * linear-Gaussian env it can be set against the exact Kalman log-likelihood of the same sequences.
 */
export function observationElbo(model: Rssm | TapeRssm, batch: SequenceBatch, rng: Rng, draws = 1): number {
  return observationElboDraws(model, batch, rng, draws).mean;
}

/** `observationElbo` with the standard error of its mean over the draws (0 for one draw). */
export function observationElboDraws(
  model: Rssm | TapeRssm,
  batch: SequenceBatch,
  rng: Rng,
  draws: number,
): { mean: number; stdErr: number } {
  if (!Number.isInteger(draws) || draws < 1)
    throw new RangeError(`observationElbo.draws: got ${draws}, allowed: a positive integer`);
  const values: number[] = [];
  for (let i = 0; i < draws; i++) {
    if (model instanceof TapeRssm) {
      const t = model.evaluate(batch, rng);
      values.push(t.recon - t.kl);
    } else {
      const t = model.evaluate(batch, rng);
      values.push(t.recon.dataSync()[0] - t.kl.dataSync()[0]);
      tf.dispose([t.elbo, t.recon, t.reward, t.kl]);
    }
  }
  return draws > 1 ? meanAndStdErr(values) : { mean: values[0], stdErr: 0 };
}
