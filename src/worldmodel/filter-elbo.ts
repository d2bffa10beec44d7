/**
 * The structural limit of a filtering posterior, exactly (float64, no training): the ELBO a linear-Gaussian
 * RSSM-shaped model reaches with q(z_t | h_t, y_t), against the exact Kalman log p(y | u) (`lgssm.ts`).
 *
 * The model ("linear RSSM"), per step t, with h_t a deterministic function of z_{<t} and the actions:
 *
 *     h_0 = h0,   h_t = F_t h_{t−1} + G_t z_{t−1} + E_t u_t                      (t ≥ 1)
 *     prior       p(z_t | h_t)      = N(P_t h_t + p_t, Σ_t)
 *     decoder     p(y_t | h_t, z_t) = N(H_t h_t + D_t z_t, R_d)
 *     posterior   q(z_t | h_t, y_t) = p(z_t | h_t, y_t)  (the step's own posterior: prior × decoder, no future)
 *
 * With that q, recon_t − KL_t at a given h_t is the step's marginal, log N(y_t; b_t h_t + D_t p_t, V_t) with
 * b_t = H_t + D_t P_t and V_t = D_t Σ_t D_tᵀ + R_d; z_t ~ q is linear in h_t, so under q the state h_t stays
 * Gaussian N(m_t, Π_t), propagated exactly, and E_q[log N(y; b h + D p, V)] = log N(y; b m + D p, V) − ½ tr(V⁻¹ b Π bᵀ).
 * The ELBO is the sum of these terms: the closed form. `filterElboMonteCarlo` samples z_{0:T−1} ~ q and averages
 * Σ_t log p(y_t | h_t, z_t) + log p(z_t | h_t) − log q(z_t | h_t, y_t), the definition.
 *
 * Two instances on any LGSSM (A, B, C, Q, R, μ₀, P₀):
 * - `stateForm`: z_t is the state, h_t = A z_{t−1} + B u_t its prediction, the decoder the true C and R: the
 *   true model with a one-step filtering q. Its gap to log p is KL(q ‖ p(z | y)): the posterior of z_t depends on
 *   y_{>t}, which q never sees.
 * - `innovationsForm(σ_d)`: h_t = x̂_{t|t−1} (the Kalman prediction), z_t the innovation with prior N(0, S_t − σ_d² I),
 *   decoder y_t = C h_t + z_t with noise σ_d² I, and the gain G_{t+1} = A L_t S_t (S_t − σ_d² I)⁻¹, so that
 *   E_q[h_{t+1}] = A(x̂_{t|t−1} + L_t e_t) + B u_{t+1} = x̂_{t+1|t} (L_t the Kalman gain, S_t the innovation
 *   covariance). The sampled z_t carries q's variance Ω_t ≈ σ_d² into h_{t+1}; the ELBO pays ½ tr(S⁻¹ C Π Cᵀ) per
 *   step for it, so it tends to log p as σ_d → 0 (roughly like σ_d², through Π). It needs σ_d² I < S_t at every t.
 */
import {
  cholesky,
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
import { gaussianLogDensity, kalmanFilter, lgssmDims, type LgssmSequence } from './lgssm.js';

/** One step of a linear RSSM (see the header); `F`, `G`, `E` are unused at t = 0. */
export interface LinearRssmStep {
  F: Mat;
  G: Mat;
  E: Mat;
  /** Prior mean map P_t and offset p_t, covariance Σ_t. */
  P: Mat;
  p: Vec;
  Sigma: Mat;
  /** Decoder maps H_t (from h) and D_t (from z). */
  H: Mat;
  D: Mat;
}

/** A linear RSSM over T steps: its per-step maps, the start state h0 and the decoder covariance R_d. */
export interface LinearRssm {
  h0: Vec;
  steps: LinearRssmStep[];
  Rd: Mat;
}

/** q(z_t | h_t, y_t) = N(W h + c, Ω) and the step's marginal N(y; b h + D p, V). */
function localPosterior(s: LinearRssmStep, Rd: Mat, y: Vec) {
  const b = madd(s.H, mm(s.D, s.P));
  const V = sym(madd(mm(mm(s.D, s.Sigma), tr(s.D)), Rd));
  const Kz = mm(mm(s.Sigma, tr(s.D)), minv(V)); // Σ Dᵀ V⁻¹
  const W = msub(s.P, mm(Kz, b));
  const c = vadd(s.p, mv(Kz, vsub(y, mv(s.D, s.p))));
  const Omega = sym(msub(s.Sigma, mm(mm(Kz, s.D), s.Sigma)));
  return { b, V, W, c, Omega };
}

function checkModel(model: LinearRssm, seq: LgssmSequence): number {
  const T = seq.obs.length;
  if (model.steps.length !== T)
    throw new RangeError(`LinearRssm.steps: got ${model.steps.length} steps, allowed: the sequence length ${T}`);
  return T;
}

/** The closed-form ELBO of the linear RSSM with its filtering q on one sequence (nats). */
export function filterElbo(model: LinearRssm, seq: LgssmSequence): number {
  const T = checkModel(model, seq);
  let m = model.h0;
  let Pi = zeros(m.length, m.length);
  let elbo = 0;
  let prev: ReturnType<typeof localPosterior> | null = null;
  for (let t = 0; t < T; t++) {
    const s = model.steps[t];
    if (prev) {
      // h_t = F h + G z + E u with z = W h + c + ξ, ξ ~ N(0, Ω) (the previous step's q).
      const M = madd(s.F, mm(s.G, prev.W));
      m = vadd(vadd(mv(M, m), mv(s.G, prev.c)), mv(s.E, seq.actions[t]));
      Pi = sym(madd(mm(mm(M, Pi), tr(M)), mm(mm(s.G, prev.Omega), tr(s.G))));
    }
    prev = localPosterior(s, model.Rd, seq.obs[t]);
    const { b, V } = prev;
    const mean = vadd(mv(b, m), mv(s.D, s.p));
    const spread = mm(mm(b, Pi), tr(b));
    elbo += gaussianLogDensity(V)(seq.obs[t], mean) - 0.5 * traceProduct(minv(V), spread);
  }
  return elbo;
}

/** The same ELBO by its definition, averaged over `samples` draws of z_{0:T−1} ~ q: the mean and its standard error. */
export function filterElboMonteCarlo(
  model: LinearRssm,
  seq: LgssmSequence,
  samples: number,
  rng: Rng,
): { mean: number; stdErr: number } {
  const T = checkModel(model, seq);
  const steps = model.steps.map((s, t) => {
    const post = localPosterior(s, model.Rd, seq.obs[t]);
    return {
      ...post,
      LOmega: cholesky(post.Omega, `filterElboMonteCarlo: Ω_${t}`),
      logQ: gaussianLogDensity(post.Omega),
      logPrior: gaussianLogDensity(s.Sigma),
      logDec: gaussianLogDensity(model.Rd),
    };
  });
  let sum = 0;
  let sumSq = 0;
  for (let n = 0; n < samples; n++) {
    let h = model.h0;
    let z: Vec = [];
    let total = 0;
    for (let t = 0; t < T; t++) {
      const s = model.steps[t];
      if (t > 0) h = vadd(vadd(mv(s.F, h), mv(s.G, z)), mv(s.E, seq.actions[t]));
      const q = steps[t];
      const mu = vadd(mv(q.W, h), q.c);
      z = vadd(
        mu,
        mv(
          q.LOmega,
          mu.map(() => rng.normal()),
        ),
      );
      total +=
        q.logDec(seq.obs[t], vadd(mv(s.H, h), mv(s.D, z))) + q.logPrior(z, vadd(mv(s.P, h), s.p)) - q.logQ(z, mu);
    }
    sum += total;
    sumSq += total * total;
  }
  const mean = sum / samples;
  return { mean, stdErr: Math.sqrt(Math.max(0, sumSq / samples - mean * mean) / samples) };
}

/** The true LGSSM as a linear RSSM: z_t the state, h_t = A z_{t−1} + B u_t, q the one-step filtering posterior. */
export function stateForm(p: LgssmParams, T: number): LinearRssm {
  const { dz, dx } = lgssmDims(p);
  const step = (t: number): LinearRssmStep => ({
    F: zeros(dz, dz),
    G: p.A,
    E: p.B,
    P: eye(dz),
    p: new Array(dz).fill(0),
    Sigma: t === 0 ? p.P0 : p.Q,
    H: zeros(dx, dz),
    D: p.C,
  });
  return { h0: p.mu0, steps: Array.from({ length: T }, (_, t) => step(t)), Rd: p.R };
}

/**
 * The innovations form at decoder std `obsStd` (see the header) for sequences of length T. The Kalman gains and
 * innovation covariances do not depend on the data, so one model serves every sequence of the same length.
 */
export function innovationsForm(p: LgssmParams, T: number, obsStd: number): LinearRssm {
  const { dz, dx, du } = lgssmDims(p);
  if (!(Number.isFinite(obsStd) && obsStd >= 0))
    throw new RangeError(`innovationsForm.obsStd: got ${obsStd}, allowed: a finite number ≥ 0`);
  const zerosSeq: LgssmSequence = {
    obs: Array.from({ length: T }, () => new Array(dx).fill(0)),
    actions: Array.from({ length: T }, () => new Array(du).fill(0)),
  };
  const kf = kalmanFilter(p, zerosSeq);
  const Rd = eye(dx).map((row) => row.map((v) => v * obsStd * obsStd));
  const S = kf.predCovs.map((P) => sym(madd(mm(mm(p.C, P), tr(p.C)), p.R)));
  const Sigma = S.map((St, t) => {
    const s = sym(msub(St, Rd));
    cholesky(s, `innovationsForm.obsStd: got ${obsStd}, allowed: σ_d² I below the innovation covariance S_${t}`);
    return s;
  });
  const steps = Array.from({ length: T }, (_, t): LinearRssmStep => ({
    F: p.A,
    // G_t = A L_{t−1} S_{t−1} Σ_{t−1}⁻¹: the mean of z under q is Σ S⁻¹ e, so E_q[h_t] = x̂_{t|t−1}.
    G: t === 0 ? zeros(dz, dx) : mm(mm(mm(p.A, kf.gains[t - 1]), S[t - 1]), minv(Sigma[t - 1])),
    E: p.B,
    P: zeros(dx, dz),
    p: new Array(dx).fill(0),
    Sigma: Sigma[t],
    H: p.C,
    D: eye(dx),
  }));
  return { h0: p.mu0, steps, Rd };
}
