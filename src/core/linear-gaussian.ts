/**
 * The parameter types of a linear-Gaussian control task, shared by the env that simulates one
 * (`envs/lineargaussian.ts`) and the exact answers that read the same numbers (`worldmodel/lgssm.ts`, the
 * Kalman filter; `worldmodel/soft-lqg.ts`, the KL-regularized controller). They live on the lowest floor
 * because the env (floor 1) and the solvers (floor 3) both need them; the Cholesky factor is here for the
 * same reason (the env draws correlated noise with it, the filter takes log determinants).
 */
import { inv } from 'mathjs';

/** A row-major matrix. */
export type Mat = number[][];
/** A vector. */
export type Vec = number[];

/** The parameters of a linear-Gaussian state-space model (dynamics, observation, noise, initial state). */
export interface LgssmParams {
  /** Transition matrix, dz × dz. */
  A: Mat;
  /** Control matrix, dz × du. */
  B: Mat;
  /** Emission matrix, dx × dz. */
  C: Mat;
  /** Process-noise covariance, dz × dz, symmetric positive definite. */
  Q: Mat;
  /** Observation-noise covariance, dx × dx, symmetric positive definite. */
  R: Mat;
  /** Mean of z_0, length dz. */
  mu0: Vec;
  /** Covariance of z_0, dz × dz, symmetric positive definite. */
  P0: Mat;
}

/**
 * A linear-Gaussian control task: the state-space model in `LgssmParams`' names (z = state, x = observation,
 * u = action, so `model.Q` and `model.R` are the NOISE covariances W and V) and the quadratic reward
 * r_t = −(z_tᵀ cost.Q z_t + a_tᵀ cost.R a_t) of the state before the step and the clipped action.
 */
export interface LinearGaussianTask {
  model: LgssmParams;
  /** State and action weights of the reward, dz × dz and du × du, positive definite. */
  cost: { Q: Mat; R: Mat };
  /** Actions are clipped to [actionLow, actionHigh] per dimension before the dynamics and the reward. */
  actionLow: Vec;
  actionHigh: Vec;
  /** Steps per episode (the registered time limit). */
  horizon: number;
}

/** A linear-Gaussian policy (or reference) on the Kalman mean: a ~ N(K x̂ + k, cov); K is du × dz. */
export interface LinearGaussianPolicy {
  K: Mat;
  k: Vec;
  cov: Mat;
}

export function zeros(rows: number, cols: number): Mat {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}

/** Lower-triangular L with L Lᵀ = S; throws (naming `field`) when S is not symmetric positive definite. */
export function cholesky(S: Mat, field = 'matrix'): Mat {
  const n = S.length;
  const L = zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = S[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) {
        if (!(s > 0)) throw new RangeError(`${field}: not positive definite (pivot ${i} = ${s})`);
        L[i][i] = Math.sqrt(s);
      } else L[i][j] = s / L[j][j];
    }
  }
  return L;
}

// ---- small matrix helpers (one set for the env, the filter and the solver; plain loops: the matrices are tiny) ----
export const mm = (a: Mat, b: Mat): Mat =>
  a.map((row) => b[0].map((_, j) => row.reduce((s, x, k) => s + x * b[k][j], 0)));
export const mv = (a: Mat, v: Vec): Vec => a.map((row) => dot(row, v));
export const tr = (a: Mat): Mat => (a.length === 0 ? [] : a[0].map((_, j) => a.map((row) => row[j])));
export const madd = (a: Mat, b: Mat): Mat => a.map((row, i) => row.map((x, j) => x + b[i][j]));
export const msub = (a: Mat, b: Mat): Mat => a.map((row, i) => row.map((x, j) => x - b[i][j]));
export const minv = (a: Mat): Mat => inv(a) as unknown as Mat;
export const vadd = (a: Vec, b: Vec): Vec => a.map((x, i) => x + b[i]);
export const vsub = (a: Vec, b: Vec): Vec => a.map((x, i) => x - b[i]);
export const dot = (a: Vec, b: Vec): number => a.reduce((s, x, i) => s + x * b[i], 0);
export const sym = (a: Mat): Mat => a.map((row, i) => row.map((x, j) => 0.5 * (x + a[j][i])));

export function eye(n: number): Mat {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

/** tr(AB) for square A, B of the same size, without forming AB. */
export function traceProduct(a: Mat, b: Mat): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a.length; j++) s += a[i][j] * b[j][i];
  return s;
}
