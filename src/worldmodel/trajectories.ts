/**
 * The trajectory file the visualizer reads (`rssm-trajectories.json` in a run folder), and its builder.
 *
 * Format `priorlab.rssm-trajectories/1`:
 *
 *     {
 *       "format": "priorlab.rssm-trajectories/1",
 *       "env": "PendulumNoVel-v1",
 *       "dt": 0.05,                          // seconds per step (for the time axis)
 *       "obsLabels": ["cos θ", "sin θ"],     // one per observation component
 *       "truthLabels": ["cos θ", "sin θ", "θ̇"], // optional: the env's full state (never seen by the model)
 *       "context": 5,                        // steps filtered with the posterior before imagining
 *       "horizon": 15,                       // open-loop steps imagined with the prior
 *       "readout": { "label": "θ̇", "truthIndex": 2, "r2": 0.93, "burnIn": 4 }, // optional: a linear read-out of
 *                                            // truth[truthIndex] from the latent [h_t, μ_q,t] (R² on held-out
 *                                            // windows, steps t ≥ burnIn)
 *       "trajectories": [{
 *         "observed":      [[...obsDim], ...],   // T = context + horizon rows: the real observations o_0..o_{T−1}
 *         "reconstructed": [[...], ...],         // T rows: decoder means under the posterior (sees every o_t)
 *         "imagined":      [[...], ...],         // horizon rows: decoder means for steps context..T−1, prior only
 *         "actions":       [[...actDim], ...],   // T rows: the action that LED to o_t (zeros at an episode start)
 *         "rewards":       [...],                // T values: the reward that came with o_t
 *         "truth":         [[...], ...],         // optional, T rows: the full state (e.g. with the hidden θ̇)
 *         "readout":       [...]                 // with the file's readout, T values: the read-out at each step
 *       }, ...]
 *     }
 *
 * Row t of `imagined` is the prediction for `observed[context + t]`.
 */
import type { SequenceBatch } from './sequences.js';

export const TRAJECTORY_FORMAT = 'priorlab.rssm-trajectories/1';

export interface RssmTrajectory {
  observed: number[][];
  reconstructed: number[][];
  imagined: number[][];
  actions: number[][];
  rewards: number[];
  truth?: number[][];
  readout?: number[];
}

/** A linear read-out of a hidden state component from the model's latent, and how well it holds out. */
export interface TrajectoryReadout {
  label: string;
  /** The column of `truth` it reads. */
  truthIndex: number;
  /** R² on held-out windows (steps t ≥ burnIn, while the filter settles before). */
  r2: number;
  burnIn: number;
}

export interface RssmTrajectoryFile {
  format: typeof TRAJECTORY_FORMAT;
  env: string;
  dt: number;
  obsLabels: string[];
  truthLabels?: string[];
  context: number;
  horizon: number;
  readout?: TrajectoryReadout;
  trajectories: RssmTrajectory[];
}

/** Rows `b` of a time-major `[T, B, dim]` array. */
function rows(data: ArrayLike<number>, T: number, B: number, dim: number, b: number): number[][] {
  return Array.from({ length: T }, (_, t) => Array.from({ length: dim }, (_, i) => data[(t * B + b) * dim + i]));
}

/**
 * Builds the file from a batch, its posterior reconstructions (`[T, B, obsDim]`), the imagined
 * observations (`[horizon, B, obsDim]`, from `Rssm.imagine(batch, context, horizon)`) and optionally a
 * read-out's values at every step (`[T, B]`).
 */
export function buildTrajectoryFile(
  meta: { env: string; dt: number; obsLabels: string[]; truthLabels?: string[]; context: number; horizon: number },
  batch: SequenceBatch,
  reconstructed: ArrayLike<number>,
  imagined: ArrayLike<number>,
  readout?: TrajectoryReadout & { values: ArrayLike<number> },
): RssmTrajectoryFile {
  const { T, B, obsDim, actDim } = batch;
  if (meta.context + meta.horizon !== T)
    throw new RangeError(
      `buildTrajectoryFile: context + horizon = ${meta.context + meta.horizon} must equal the batch length T = ${T}`,
    );
  if (meta.obsLabels.length !== obsDim)
    throw new RangeError(`buildTrajectoryFile: obsLabels has ${meta.obsLabels.length} labels, obsDim = ${obsDim}`);
  if (reconstructed.length !== T * B * obsDim)
    throw new RangeError(
      `buildTrajectoryFile: reconstructed has ${reconstructed.length} values, expected ${T * B * obsDim}`,
    );
  if (imagined.length !== meta.horizon * B * obsDim)
    throw new RangeError(
      `buildTrajectoryFile: imagined has ${imagined.length} values, expected ${meta.horizon * B * obsDim}`,
    );
  if (readout && readout.values.length !== T * B)
    throw new RangeError(`buildTrajectoryFile: readout has ${readout.values.length} values, expected ${T * B}`);
  const trajectories = Array.from({ length: B }, (_, b) => ({
    observed: rows(batch.obs, T, B, obsDim, b),
    reconstructed: rows(reconstructed, T, B, obsDim, b),
    imagined: rows(imagined, meta.horizon, B, obsDim, b),
    actions: rows(batch.prevActions, T, B, actDim, b),
    rewards: rows(batch.rewards, T, B, 1, b).map((r) => r[0]),
    ...(batch.truth && batch.truthDim ? { truth: rows(batch.truth, T, B, batch.truthDim, b) } : {}),
    ...(readout ? { readout: rows(readout.values, T, B, 1, b).map((r) => r[0]) } : {}),
  }));
  if (!readout) return { format: TRAJECTORY_FORMAT, ...meta, trajectories };
  const { values, ...about } = readout;
  return { format: TRAJECTORY_FORMAT, ...meta, readout: about, trajectories };
}
