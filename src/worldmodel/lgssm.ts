/**
 * The exact reference for the world model: a linear-Gaussian state-space model (LGSSM), in float64.
 *
 *     z_0 ~ N(μ₀, P₀)
 *     z_t = A z_{t−1} + B u_t + w_t,   w_t ~ N(0, Q)        (t ≥ 1)
 *     x_t = C z_t + v_t,               v_t ~ N(0, R)        (t ≥ 0)
 *
 * Time convention (shared with the RSSM): step t holds the observation x_t and the action u_t that LED
 * to it (taken at t−1); `actions[0]` is ignored. Everything is exact:
 * - `kalmanFilter`: filtered moments and the exact log-marginal log p(x_{0:T−1} | u) (prediction-error
 *   decomposition: Σ_t log N(x_t; C m_{t|t−1}, C P_{t|t−1} Cᵀ + R)).
 * - `rtsSmoother`: the exact smoothing marginals p(z_t | x_{0:T−1}) and lag-one cross-covariances.
 * - `jointPosterior`: the same posterior as ONE Gaussian over the stacked z_{0:T−1} (information form,
 *   block-tridiagonal precision Λ), plus the prior N(m_p, Λ_p⁻¹) over the stacked z.
 * - `gaussianElbo` / `gaussianKl`: for any Gaussian q(z_{0:T−1}) = N(m, S) both the ELBO and the KL to
 *   the exact posterior are closed form, so log p(x) − ELBO = KL(q ‖ p(z|x)) can be checked to ~1e-9.
 *
 * Matrices are row-major `number[][]`; products and inverses use mathjs; the Cholesky factor (for log
 * determinants and correlated noise; mathjs has none) is in `core/linear-gaussian.ts` with the parameter types.
 */
import {
  cholesky,
  dot,
  eye,
  madd,
  minv,
  mm,
  msub,
  mv,
  sym,
  tr,
  traceProduct,
  vadd,
  vsub,
  zeros,
  type LgssmParams,
  type Mat,
  type Vec,
} from '../core/linear-gaussian.js';
import type { Rng } from '../core/rng.js';

export { cholesky, eye, zeros };
export type { LgssmParams, Mat, Vec };

const ROT = 0.3;
/**
 * The example model of the tests and `lgssm-vi`: a damped rotation (by 0.3 rad, gain 0.95) driven by a scalar
 * action, observed through a mixing matrix with correlated noise.
 */
export const DAMPED_ROTATION: LgssmParams = {
  A: [
    [0.95 * Math.cos(ROT), -0.95 * Math.sin(ROT)],
    [0.95 * Math.sin(ROT), 0.95 * Math.cos(ROT)],
  ],
  B: [[0], [0.5]],
  C: [
    [1, 0],
    [0.5, 1],
  ],
  Q: [
    [0.2, 0],
    [0, 0.2],
  ],
  R: [
    [0.5, 0.1],
    [0.1, 0.5],
  ],
  mu0: [0, 0],
  P0: [
    [1, 0],
    [0, 1],
  ],
};

/** One sequence: `obs[t]` (length dx) and `actions[t]` (length du, the action that led to x_t; `actions[0]` unused). */
export interface LgssmSequence {
  obs: Vec[];
  actions: Vec[];
}

const LOG_2PI = Math.log(2 * Math.PI);

/** log det S of a symmetric positive-definite S, via its Cholesky factor. */
export function logDet(S: Mat, field = 'matrix'): number {
  const L = cholesky(S, field);
  let s = 0;
  for (let i = 0; i < L.length; i++) s += 2 * Math.log(L[i][i]);
  return s;
}

/** x, μ ↦ log N(x; μ, Σ) for a full covariance Σ, with Σ's inverse and log determinant computed once (for many points). */
export function gaussianLogDensity(cov: Mat, field = 'mvnLogPdf: cov'): (x: Vec, mean: Vec) => number {
  const norm = cov.length * LOG_2PI + logDet(cov, field);
  const prec = minv(cov);
  return (x, mean) => {
    const d = vsub(x, mean);
    return -0.5 * (norm + dot(d, mv(prec, d)));
  };
}

/** log N(x; μ, Σ) for a full covariance Σ. */
export function mvnLogPdf(x: Vec, mean: Vec, cov: Mat): number {
  return gaussianLogDensity(cov)(x, mean);
}

/** The dimensions of `p`, after checking every matrix's shape (errors name the field and both shapes). */
export function lgssmDims(p: LgssmParams): { dz: number; dx: number; du: number } {
  const dz = p.A.length;
  const dx = p.C.length;
  const du = p.B[0]?.length ?? 0;
  const expect = (field: string, m: Mat, r: number, c: number) => {
    if (m.length !== r || m.some((row) => row.length !== c)) {
      throw new RangeError(`LgssmParams.${field}: expected ${r}×${c}, got ${m.length}×${m[0]?.length ?? 0}`);
    }
  };
  expect('A', p.A, dz, dz);
  expect('B', p.B, dz, du);
  expect('C', p.C, dx, dz);
  expect('Q', p.Q, dz, dz);
  expect('R', p.R, dx, dx);
  expect('P0', p.P0, dz, dz);
  if (p.mu0.length !== dz) throw new RangeError(`LgssmParams.mu0: expected length ${dz}, got ${p.mu0.length}`);
  return { dz, dx, du };
}

/** Checks a sequence against the model's dimensions; errors name the step, the field and the sizes. */
export function checkSequence(p: LgssmParams, seq: LgssmSequence): number {
  const { dx, du } = lgssmDims(p);
  const T = seq.obs.length;
  if (T === 0) throw new RangeError('LgssmSequence.obs: empty sequence (need at least 1 step)');
  if (seq.actions.length !== T) {
    throw new RangeError(`LgssmSequence.actions: length ${seq.actions.length} does not match obs length ${T}`);
  }
  for (let t = 0; t < T; t++) {
    if (seq.obs[t].length !== dx)
      throw new RangeError(`LgssmSequence.obs[${t}]: length ${seq.obs[t].length}, expected dx=${dx}`);
    if (seq.actions[t].length !== du) {
      throw new RangeError(`LgssmSequence.actions[${t}]: length ${seq.actions[t].length}, expected du=${du}`);
    }
  }
  return T;
}

/** Draws z_{0:T−1} and x_{0:T−1} for the given actions (actions[0] unused). */
export function sampleLgssm(p: LgssmParams, actions: Vec[], rng: Rng): { z: Vec[]; seq: LgssmSequence } {
  const { dx } = lgssmDims(p);
  const draw = (mean: Vec, L: Mat): Vec =>
    vadd(
      mean,
      mv(
        L,
        mean.map(() => rng.normal()),
      ),
    );
  const LQ = cholesky(p.Q, 'LgssmParams.Q');
  const LR = cholesky(p.R, 'LgssmParams.R');
  const z: Vec[] = [draw(p.mu0, cholesky(p.P0, 'LgssmParams.P0'))];
  for (let t = 1; t < actions.length; t++) z.push(draw(vadd(mv(p.A, z[t - 1]), mv(p.B, actions[t])), LQ));
  const obs = z.map((zt) => (dx > 0 ? draw(mv(p.C, zt), LR) : []));
  return { z, seq: { obs, actions } };
}

export interface KalmanResult {
  /** Exact log p(x_{0:T−1} | u_{1:T−1}). */
  logLik: number;
  /** Filtered means m_{t|t} and covariances P_{t|t}. */
  means: Vec[];
  covs: Mat[];
  /** One-step predictions m_{t|t−1}, P_{t|t−1} (for t = 0: the prior μ₀, P₀). */
  predMeans: Vec[];
  predCovs: Mat[];
  /** Kalman gains L_t = P_{t|t−1} Cᵀ S_t⁻¹ (m_{t|t} = m_{t|t−1} + L_t (x_t − C m_{t|t−1})). Like the covariances they do not depend on the data. */
  gains: Mat[];
}

/** The Kalman filter, with the exact log-likelihood by the prediction-error decomposition. */
export function kalmanFilter(p: LgssmParams, seq: LgssmSequence): KalmanResult {
  const T = checkSequence(p, seq);
  const Ct = tr(p.C);
  const res: KalmanResult = { logLik: 0, means: [], covs: [], predMeans: [], predCovs: [], gains: [] };
  let m = p.mu0;
  let P = p.P0;
  for (let t = 0; t < T; t++) {
    if (t > 0) {
      m = vadd(mv(p.A, m), mv(p.B, seq.actions[t]));
      P = sym(madd(mm(mm(p.A, P), tr(p.A)), p.Q));
    }
    res.predMeans.push(m);
    res.predCovs.push(P);
    // Innovation e = x − C m, S = C P Cᵀ + R; log p(x_t | x_{<t}) = log N(e; 0, S).
    const S = sym(madd(mm(mm(p.C, P), Ct), p.R));
    const xPred = mv(p.C, m);
    res.logLik += mvnLogPdf(seq.obs[t], xPred, S);
    const K = mm(mm(P, Ct), minv(S));
    res.gains.push(K);
    m = vadd(m, mv(K, vsub(seq.obs[t], xPred)));
    P = sym(mm(msub(eye(m.length), mm(K, p.C)), P));
    res.means.push(m);
    res.covs.push(P);
  }
  return res;
}

export interface SmootherResult {
  /** Smoothed means m_{t|T} and covariances P_{t|T}. */
  means: Vec[];
  covs: Mat[];
  /** Cross-covariances Cov(z_t, z_{t+1} | x) for t = 0..T−2. */
  crossCovs: Mat[];
}

/** Rauch–Tung–Striebel smoother on top of a Kalman filter pass. */
export function rtsSmoother(p: LgssmParams, seq: LgssmSequence, filtered = kalmanFilter(p, seq)): SmootherResult {
  const T = filtered.means.length;
  const means: Vec[] = new Array(T);
  const covs: Mat[] = new Array(T);
  const crossCovs: Mat[] = new Array(Math.max(0, T - 1));
  means[T - 1] = filtered.means[T - 1];
  covs[T - 1] = filtered.covs[T - 1];
  for (let t = T - 2; t >= 0; t--) {
    // J_t = P_{t|t} Aᵀ P_{t+1|t}⁻¹;  m_{t|T} = m_{t|t} + J (m_{t+1|T} − m_{t+1|t});  P_{t|T} = P_{t|t} + J (P_{t+1|T} − P_{t+1|t}) Jᵀ
    const J = mm(mm(filtered.covs[t], tr(p.A)), minv(filtered.predCovs[t + 1]));
    means[t] = vadd(filtered.means[t], mv(J, vsub(means[t + 1], filtered.predMeans[t + 1])));
    covs[t] = sym(madd(filtered.covs[t], mm(mm(J, msub(covs[t + 1], filtered.predCovs[t + 1])), tr(J))));
    crossCovs[t] = mm(J, covs[t + 1]);
  }
  return { means, covs, crossCovs };
}

export interface JointGaussian {
  /** Mean of the stacked z_{0:T−1} (length T·dz). */
  mean: Vec;
  /** Covariance (T·dz square). */
  cov: Mat;
  /** Precision Λ = cov⁻¹. */
  precision: Mat;
}

/**
 * The linear map e = D z − d whose components e_0 = z_0 − μ₀, e_t = z_t − A z_{t−1} − B u_t are
 * independent N(0, blkdiag(P₀, Q, …, Q)): the prior p(z_{0:T−1}) = N(e; 0, Σ_e).
 */
function priorInnovations(p: LgssmParams, seq: LgssmSequence): { D: Mat; d: Vec; SeInv: Mat } {
  const T = checkSequence(p, seq);
  const { dz } = lgssmDims(p);
  const n = T * dz;
  const D = eye(n);
  const d: Vec = new Array(n).fill(0);
  const SeInv = zeros(n, n);
  const P0inv = minv(p.P0);
  const Qinv = minv(p.Q);
  for (let t = 0; t < T; t++) {
    const off = mv(p.B, seq.actions[t]);
    for (let i = 0; i < dz; i++) {
      d[t * dz + i] = t === 0 ? p.mu0[i] : off[i];
      for (let j = 0; j < dz; j++) {
        if (t > 0) D[t * dz + i][(t - 1) * dz + j] = -p.A[i][j];
        SeInv[t * dz + i][t * dz + j] = (t === 0 ? P0inv : Qinv)[i][j];
      }
    }
  }
  return { D, d, SeInv };
}

/** blkdiag(C, …, C) (T·dx × T·dz) and blkdiag(R⁻¹, …) for the stacked observation model x = H z + v. */
function stackedEmission(p: LgssmParams, T: number): { H: Mat; RinvBar: Mat } {
  const { dz, dx } = lgssmDims(p);
  const H = zeros(T * dx, T * dz);
  const RinvBar = zeros(T * dx, T * dx);
  const Rinv = minv(p.R);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < dx; i++) {
      for (let j = 0; j < dz; j++) H[t * dx + i][t * dz + j] = p.C[i][j];
      for (let j = 0; j < dx; j++) RinvBar[t * dx + i][t * dx + j] = Rinv[i][j];
    }
  }
  return { H, RinvBar };
}

/** The prior p(z_{0:T−1} | u) as one Gaussian over the stacked latents. */
export function jointPrior(p: LgssmParams, seq: LgssmSequence): JointGaussian {
  const { D, d, SeInv } = priorInnovations(p, seq);
  const precision = sym(mm(mm(tr(D), SeInv), D));
  const cov = sym(minv(precision));
  return { mean: mv(cov, mv(mm(tr(D), SeInv), d)), cov, precision };
}

/**
 * The exact posterior p(z_{0:T−1} | x, u) as one Gaussian, in information form:
 * Λ = Dᵀ Σ_e⁻¹ D + Hᵀ R̄⁻¹ H,  Λ m = Dᵀ Σ_e⁻¹ d + Hᵀ R̄⁻¹ x.
 */
export function jointPosterior(p: LgssmParams, seq: LgssmSequence): JointGaussian {
  const { D, d, SeInv } = priorInnovations(p, seq);
  const { H, RinvBar } = stackedEmission(p, seq.obs.length);
  const x = seq.obs.flat();
  const precision = sym(madd(mm(mm(tr(D), SeInv), D), mm(mm(tr(H), RinvBar), H)));
  const cov = sym(minv(precision));
  const eta = vadd(mv(mm(tr(D), SeInv), d), mv(mm(tr(H), RinvBar), x));
  return { mean: mv(cov, eta), cov, precision };
}

/** The stacked prior mean m_p = (μ₀, A μ₀ + B u_1, …) by propagating the mean (no matrix inverse). */
export function priorMean(p: LgssmParams, seq: LgssmSequence): Vec {
  const T = checkSequence(p, seq);
  const out: Vec = [];
  let m = p.mu0;
  for (let t = 0; t < T; t++) {
    if (t > 0) m = vadd(mv(p.A, m), mv(p.B, seq.actions[t]));
    out.push(...m);
  }
  return out;
}

/** log p(x, z) for stacked latents z (length T·dz). */
export function logJoint(p: LgssmParams, seq: LgssmSequence, z: Vec): number {
  const { dz } = lgssmDims(p);
  let s = 0;
  for (let t = 0; t < seq.obs.length; t++) {
    const zt = z.slice(t * dz, (t + 1) * dz);
    s +=
      t === 0
        ? mvnLogPdf(zt, p.mu0, p.P0)
        : mvnLogPdf(zt, vadd(mv(p.A, z.slice((t - 1) * dz, t * dz)), mv(p.B, seq.actions[t])), p.Q);
    s += mvnLogPdf(seq.obs[t], mv(p.C, zt), p.R);
  }
  return s;
}

/**
 * The ELBO of a Gaussian q(z_{0:T−1}) = N(m, S), in closed form. log p(x, z) is quadratic in z with
 * Hessian −Λ (the posterior precision), so E_q[log p(x, z)] = log p(x, m) − ½ tr(Λ S), and
 *     ELBO = E_q[log p(x, z)] + H[q],   H[q] = ½ (n log 2πe + log det S).
 */
export function gaussianElbo(
  p: LgssmParams,
  seq: LgssmSequence,
  q: { mean: Vec; cov: Mat },
  post = jointPosterior(p, seq),
): number {
  const n = q.mean.length;
  const trace = traceProduct(post.precision, q.cov);
  return logJoint(p, seq, q.mean) - 0.5 * trace + 0.5 * (n * (LOG_2PI + 1) + logDet(q.cov, 'q.cov'));
}

/** KL(N(m₁, S₁) ‖ N(m₂, Λ₂⁻¹)) = ½ [tr(Λ₂ S₁) + (m₂−m₁)ᵀ Λ₂ (m₂−m₁) − n − log det S₁ − log det Λ₂]. */
export function gaussianKl(q: { mean: Vec; cov: Mat }, target: JointGaussian): number {
  const n = q.mean.length;
  const d = vsub(target.mean, q.mean);
  return (
    0.5 *
    (traceProduct(target.precision, q.cov) +
      dot(d, mv(target.precision, d)) -
      n -
      logDet(q.cov, 'q.cov') -
      logDet(target.precision, 'target.precision'))
  );
}
