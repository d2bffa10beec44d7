/**
 * The exact KL-regularized controller of a linear-Gaussian control task (soft LQG), its exact evaluation,
 * and the Kalman means a learned agent's gain is regressed on. Float64, no tfjs.
 *
 * Task (`LinearGaussianTask`; W = model.Q, V = model.R are the noise covariances, Q, R the reward weights):
 *     x_{t+1} = A x_t + B a_t + w_t,  w ~ N(0, W);   y_t = C x_t + v_t,  v ~ N(0, V);   x_0 ~ N(μ₀, P₀)
 *     r_t = −(x_tᵀ Q x_t + a_tᵀ R a_t);     J(π) = E[ Σ_t γ^t ( r_t − α KL(π(·|b_t) ‖ p(·|b_t)) ) ]
 * The agent acts at t after seeing y_{0:t}; its belief b_t = N(x̂_t, Σ_t) is the Kalman filter's
 * (`kalmanFilter`: x̂_t = m_{t|t}, Σ_t = P_{t|t}, P⁻_t = P_{t|t−1}, P⁻_0 = P₀). Σ_t does not depend on the data.
 *
 * Separation. E[xᵀQx | b] = x̂ᵀQx̂ + tr(QΣ), and the mean moves as
 *     x̂_{t+1} = A x̂_t + B a_t + ξ_{t+1},   ξ_{t+1} = L_{t+1} e_{t+1} ~ N(0, N_{t+1}),   N_t = P⁻_t − Σ_t
 * (e the innovation, white, independent of the past; x̂_0 ~ N(μ₀, N_0)). So the problem is a fully
 * observed soft LQR on x̂ driven by ξ, and the filter's covariances only shift the value by constants.
 *
 * Soft Bellman step. With a value V'(x̂) = −(x̂ᵀP'x̂ + 2s'ᵀx̂ + c') one step later and the reference
 * p(a|x̂) = N(K_p x̂ + k_p, Σ_p), Λ_p = Σ_p⁻¹,
 *     Q(x̂, a) = −[x̂ᵀQx̂ + tr(QΣ) + aᵀRa] + γ E V'(A x̂ + B a + ξ)
 *             = −[aᵀ H a + 2aᵀ γBᵀ(P'A x̂ + s')] + (terms free of a),      H = R + γBᵀP'B,
 * and π*(a|x̂) ∝ p(a|x̂) exp(Q(x̂, a)/α) is a product of Gaussians in a:
 *     Σ_π⁻¹ = Λ_p + (2/α) H,     Σ_π⁻¹ μ_π = Λ_p (K_p x̂ + k_p) − (2/α) γBᵀ(P'A x̂ + s').
 * With G = H + (α/2)Λ_p (so Σ_π = (α/2) G⁻¹), the optimal policy is N(K x̂ + k, Σ_π) with
 *     K = G⁻¹((α/2)Λ_p K_p − γBᵀP'A),   k = G⁻¹((α/2)Λ_p k_p − γBᵀs'),   Σ_π = (α/2) G⁻¹,
 * which at α = 0 is the discounted LQR gain K = −(R + γBᵀP'B)⁻¹ γBᵀP'A (deterministic: Σ_π = 0).
 *
 * Evaluation of any linear-Gaussian policy a ~ N(K x̂ + k, Σ) one step back (D = K − K_p, d = k − k_p,
 * F = A + BK, b = Bk): V(x̂) = E_π[r + γV'(x̂')] − α KL, with KL(N(Kx̂+k, Σ) ‖ p) =
 * ½[tr(Λ_pΣ) − du + log det Σ_p − log det Σ + (Dx̂ + d)ᵀΛ_p(Dx̂ + d)], is quadratic again:
 *     P = Q + KᵀRK + (α/2)DᵀΛ_pD + γFᵀP'F
 *     s = KᵀRk + (α/2)DᵀΛ_p d + γFᵀ(P'b + s')
 *     c = tr(QΣ_b) + kᵀRk + tr(RΣ) + α·½[tr(Λ_pΣ) − du + log det Σ_p − log det Σ + dᵀΛ_p d]
 *         + γ[bᵀP'b + 2s'ᵀb + tr(P'(BΣBᵀ + N')) + c']
 * Plugging in the optimal policy gives the soft Riccati recursion (the optimal V equals the evaluation of
 * π*). Its discounted stationary solution is found by soft policy iteration (Newton on the Riccati
 * equation): evaluate the policy exactly (P = M + γFᵀPF, a discrete Lyapunov equation solved as one
 * linear system; s and c follow), take the soft-greedy policy, repeat. `softLqrBackward` runs the
 * recursion itself backward from V = 0, so the two meet only at the fixed point. The policy does not
 * depend on W, V, P₀ (certainty equivalence); only c does.
 *
 * Forward evaluation (`evaluateLinearPolicy`) over one finite episode propagates the moments of x̂ exactly:
 *     m_{t+1} = F m_t + b,   S_{t+1} = F S_t Fᵀ + BΣBᵀ + N_{t+1}   (m_0 = μ₀, S_0 = N_0)
 * with E r_t = −[tr(Q(S_t + m_tm_tᵀ)) + tr(QΣ_t) + tr(R E[a aᵀ])] and E KL_t from the same moments.
 *
 * Assumes actions never clip: the env clips at its bounds, which the exact policies' actions stay far from.
 */
import { lusolve } from 'mathjs';
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
  vadd,
  vsub,
  zeros,
  type LinearGaussianPolicy,
  type LinearGaussianTask,
  type Mat,
  type Vec,
} from '../core/linear-gaussian.js';
import type { Rng } from '../core/rng.js';
import type { Env } from '../envs/env.js';
import { clipAction } from '../envs/lineargaussian.js';
import { gaussianLogDensity, kalmanFilter, lgssmDims, logDet, type LgssmSequence } from './lgssm.js';
import type { Episode } from './sequences.js';

export type { LinearGaussianPolicy };

/** The objective's knobs: temperature α ≥ 0, discount γ, and the reference p(a|x̂). */
export interface SoftLqgOptions {
  alpha: number;
  gamma: number;
  reference: LinearGaussianPolicy;
}

/** A value V(x̂) = −(x̂ᵀ P x̂ + 2 sᵀ x̂ + c) (a cost-to-go with the sign of a return). */
export interface QuadraticValue {
  P: Mat;
  s: Vec;
  c: number;
}

/** The belief's covariances: Σ_t (filtered) and N_t = P⁻_t − Σ_t (the spread of x̂_t), t = 0 … steps − 1. */
export interface FilterCovariances {
  Sigma: Mat[];
  N: Mat[];
}

export interface SoftLqrSolution {
  /** The soft-optimal stationary policy N(K x̂ + k, Σ_π). */
  policy: LinearGaussianPolicy;
  /** Its value under the stationary filter (c uses Σ∞ and N∞). */
  value: QuadraticValue;
  /** Policy-iteration steps taken. */
  iterations: number;
}

const scale = (a: Mat, f: number): Mat => a.map((row) => row.map((x) => f * x));
const trace = (a: Mat): number => a.reduce((s, row, i) => s + row[i], 0);
const outer = (u: Vec, v: Vec): Mat => u.map((x) => v.map((y) => x * y));
const solve = (M: Mat, b: Vec): Vec => (lusolve(M, b) as number[][]).map((r) => r[0]);
const maxAbsDiff = (a: number[], b: number[]): number => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);
const flat = (p: LinearGaussianPolicy): number[] => [...p.K.flat(), ...p.k, ...p.cov.flat()];

// ─────────────────────────────────────────── checks (one line each: field, value, what is allowed)

function checkMatrix(where: string, m: unknown, rows: number, cols: number): void {
  const ok =
    Array.isArray(m) &&
    m.length === rows &&
    m.every(
      (r) => Array.isArray(r) && r.length === cols && r.every((x) => typeof x === 'number' && Number.isFinite(x)),
    );
  if (!ok)
    throw new RangeError(`${where}: got ${JSON.stringify(m)}, allowed: a ${rows}×${cols} matrix of finite numbers`);
}

function checkVector(where: string, v: unknown, n: number): void {
  if (!(Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x))))
    throw new RangeError(`${where}: got ${JSON.stringify(v)}, allowed: a vector of ${n} finite numbers`);
}

/** Checks a policy's shapes; `cov` must be positive definite when `needsCov` (a KL to it, or from it, is taken). */
export function checkLinearPolicy(
  task: LinearGaussianTask,
  p: LinearGaussianPolicy,
  where: string,
  needsCov = true,
): void {
  const { dz, du } = lgssmDims(task.model);
  if (typeof p !== 'object' || p === null)
    throw new RangeError(`${where}: got ${String(p)}, allowed: { K: ${du}×${dz}, k: ${du}, cov: ${du}×${du} }`);
  checkMatrix(`${where}.K`, p.K, du, dz);
  checkVector(`${where}.k`, p.k, du);
  checkMatrix(`${where}.cov`, p.cov, du, du);
  if (needsCov) {
    try {
      cholesky(p.cov);
    } catch {
      throw new RangeError(`${where}.cov: got ${JSON.stringify(p.cov)}, allowed: a symmetric positive-definite matrix`);
    }
  }
}

function checkOptions(task: LinearGaussianTask, o: SoftLqgOptions, gammaMax: 'below 1' | 'at most 1'): void {
  if (typeof o !== 'object' || o === null)
    throw new RangeError(`SoftLqgOptions: got ${String(o)}, allowed: { alpha, gamma, reference }`);
  if (!(typeof o.alpha === 'number' && Number.isFinite(o.alpha) && o.alpha >= 0))
    throw new RangeError(`SoftLqgOptions.alpha: got ${String(o.alpha)}, allowed: a finite number ≥ 0`);
  const g = o.gamma;
  if (!(typeof g === 'number' && g > 0 && (gammaMax === 'below 1' ? g < 1 : g <= 1)))
    throw new RangeError(
      `SoftLqgOptions.gamma: got ${String(g)}, allowed: a number in (0, 1${gammaMax === 'below 1' ? ')' : ']'}`,
    );
  checkLinearPolicy(task, o.reference, 'SoftLqgOptions.reference');
}

// ─────────────────────────────────────────── the Kalman filter's covariances

/** Σ_t and N_t for t = 0 … steps − 1, from `kalmanFilter` (its covariances do not depend on the data: zeros stand in). */
export function filterCovariances(task: LinearGaussianTask, steps: number): FilterCovariances {
  if (!Number.isInteger(steps) || steps < 1)
    throw new RangeError(`filterCovariances.steps: got ${steps}, allowed: a positive integer`);
  const { dx, du } = lgssmDims(task.model);
  const seq: LgssmSequence = {
    obs: Array.from({ length: steps }, () => new Array<number>(dx).fill(0)),
    actions: Array.from({ length: steps }, () => new Array<number>(du).fill(0)),
  };
  const f = kalmanFilter(task.model, seq);
  return { Sigma: f.covs, N: f.predCovs.map((P, t) => sym(msub(P, f.covs[t]))) };
}

const stationary = new WeakMap<LinearGaussianTask, { Sigma: Mat; N: Mat }>();

/** The stationary filter's Σ∞ and N∞ (the covariances after they stop changing), once per task. */
export function stationaryFilter(task: LinearGaussianTask): { Sigma: Mat; N: Mat } {
  const known = stationary.get(task);
  if (known) return known;
  const steps = 1000;
  const { Sigma, N } = filterCovariances(task, steps);
  const gap = maxAbsDiff(Sigma[steps - 1].flat(), Sigma[steps - 2].flat());
  if (!(gap < 1e-14)) throw new RangeError(`stationaryFilter: Σ_t still moves by ${gap} after ${steps} steps`);
  const found = { Sigma: Sigma[steps - 1], N: N[steps - 1] };
  stationary.set(task, found);
  return found;
}

// ─────────────────────────────────────────── the soft Bellman step, written once

/** The soft-greedy policy for the next value (P', s') (the header's K, k, Σ_π). */
function softGreedy(task: LinearGaussianTask, o: SoftLqgOptions, next: QuadraticValue): LinearGaussianPolicy {
  const { A, B } = task.model;
  const { alpha: a, gamma: g, reference: ref } = o;
  const Lp = minv(ref.cov);
  const Bt = tr(B);
  const G = sym(madd(madd(task.cost.R, scale(mm(mm(Bt, next.P), B), g)), scale(Lp, a / 2)));
  const Gi = minv(G);
  return {
    K: mm(Gi, msub(scale(mm(Lp, ref.K), a / 2), scale(mm(mm(Bt, next.P), A), g))),
    k: mv(Gi, vsub(mv(scale(Lp, a / 2), ref.k), mv(scale(Bt, g), next.s))),
    cov: sym(scale(Gi, a / 2)),
  };
}

/**
 * The pieces of one evaluation step of `pi` (the header's P = M + γFᵀP'F, s = m + γFᵀ(P'b + s'), c = c0 + γ[…]):
 * the per-step quadratic M, linear m and constant c0 of −(reward − α KL), the closed-loop F, b and the
 * action noise BΣBᵀ.
 */
function stepPieces(task: LinearGaussianTask, o: SoftLqgOptions, pi: LinearGaussianPolicy, SigmaB: Mat) {
  const { A, B } = task.model;
  const { Q, R } = task.cost;
  const ref = o.reference;
  const Lp = minv(ref.cov);
  const D = msub(pi.K, ref.K);
  const d = vsub(pi.k, ref.k);
  const Kt = tr(pi.K);
  const Dt = tr(D);
  const half = o.alpha / 2;
  // α = 0 drops the KL (and a deterministic policy's log det Σ = −∞ with it).
  const kl0 =
    o.alpha === 0
      ? 0
      : 0.5 * (trace(mm(Lp, pi.cov)) - pi.k.length + logDet(ref.cov) - logDet(pi.cov) + dot(d, mv(Lp, d)));
  return {
    M: sym(madd(madd(Q, mm(mm(Kt, R), pi.K)), scale(mm(mm(Dt, Lp), D), half))),
    m: vadd(mv(mm(Kt, R), pi.k), mv(scale(mm(Dt, Lp), half), d)),
    c0: trace(mm(Q, SigmaB)) + dot(pi.k, mv(R, pi.k)) + trace(mm(R, pi.cov)) + o.alpha * kl0,
    F: madd(A, mm(B, pi.K)),
    b: mv(B, pi.k),
    actionNoise: mm(mm(B, pi.cov), tr(B)),
  };
}

/** V = the value of following `pi` for one step, then `next` (Σ_b the belief's covariance now, Nn the next spread). */
function evaluateStep(
  task: LinearGaussianTask,
  o: SoftLqgOptions,
  pi: LinearGaussianPolicy,
  next: QuadraticValue,
  SigmaB: Mat,
  Nn: Mat,
): QuadraticValue {
  const { M, m, c0, F, b, actionNoise } = stepPieces(task, o, pi, SigmaB);
  const g = o.gamma;
  const Ft = tr(F);
  return {
    P: sym(madd(M, scale(mm(mm(Ft, next.P), F), g))),
    s: vadd(m, mv(scale(Ft, g), vadd(mv(next.P, b), next.s))),
    c: c0 + g * (dot(b, mv(next.P, b)) + 2 * dot(next.s, b) + trace(mm(next.P, madd(actionNoise, Nn))) + next.c),
  };
}

/**
 * The discounted value of following `pi` forever under the stationary filter: the fixed point of
 * `evaluateStep`, P = M + γFᵀPF (solved as one linear system in vec P), then s and c.
 */
export function stationaryValue(task: LinearGaussianTask, o: SoftLqgOptions, pi: LinearGaussianPolicy): QuadraticValue {
  checkOptions(task, o, 'below 1');
  checkLinearPolicy(task, pi, 'policy', o.alpha > 0);
  const { Sigma, N } = stationaryFilter(task);
  const { M, m, c0, F, b, actionNoise } = stepPieces(task, o, pi, Sigma);
  const n = F.length;
  const g = o.gamma;
  // (FᵀPF)_ij = Σ_kl F_ki P_kl F_lj: the system (I − γ Fᵀ⊗Fᵀ) vec P = vec M, row-major vec.
  const L = zeros(n * n, n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      for (let k = 0; k < n; k++)
        for (let l = 0; l < n; l++) L[i * n + j][k * n + l] = (i * n + j === k * n + l ? 1 : 0) - g * F[k][i] * F[l][j];
  const vecP = solve(L, M.flat());
  const P = sym(Array.from({ length: n }, (_, i) => vecP.slice(i * n, (i + 1) * n)));
  try {
    cholesky(P);
  } catch {
    throw new RangeError(`stationaryValue: the policy does not stabilize √γ·(A + BK) (its value is unbounded)`);
  }
  const Ft = tr(F);
  const s = solve(msub(eye(n), scale(Ft, g)), vadd(m, mv(scale(Ft, g), mv(P, b))));
  const c = (c0 + g * (dot(b, mv(P, b)) + 2 * dot(s, b) + trace(mm(P, madd(actionNoise, N))))) / (1 - g);
  return { P, s, c };
}

/**
 * The discounted stationary soft-LQG optimum by soft policy iteration, from the soft-greedy policy of V = 0.
 * α → 0 gives the discounted LQR gain; the reference's K_p, k_p, Σ_p pull the policy toward it.
 */
export function softLqr(task: LinearGaussianTask, o: SoftLqgOptions): SoftLqrSolution {
  checkOptions(task, o, 'below 1');
  const { dz } = lgssmDims(task.model);
  let policy = softGreedy(task, o, { P: zeros(dz, dz), s: new Array<number>(dz).fill(0), c: 0 });
  for (let iterations = 1; iterations <= 100; iterations++) {
    const value = stationaryValue(task, o, policy);
    const next = softGreedy(task, o, value);
    const moved = maxAbsDiff(flat(next), flat(policy));
    policy = next;
    if (moved < 1e-13 * (1 + Math.max(...flat(policy).map(Math.abs))))
      return { policy, value: stationaryValue(task, o, policy), iterations };
  }
  throw new RangeError('softLqr: soft policy iteration did not converge in 100 steps');
}

/**
 * The finite-horizon soft Riccati recursion, backward from V_steps = 0 over `steps` steps of the episode's
 * own filter (Σ_t, N_t from P₀): the optimal time-varying policies (policies[t] acts at step t) and the
 * value V_0. Run long, policies[0] is the stationary optimum (`softLqr`).
 */
export function softLqrBackward(
  task: LinearGaussianTask,
  o: SoftLqgOptions,
  steps: number,
): { policies: LinearGaussianPolicy[]; value: QuadraticValue; objective: number } {
  checkOptions(task, o, 'at most 1');
  const { dz } = lgssmDims(task.model);
  const { Sigma, N } = filterCovariances(task, steps + 1);
  let value: QuadraticValue = { P: zeros(dz, dz), s: new Array<number>(dz).fill(0), c: 0 };
  const policies: LinearGaussianPolicy[] = new Array(steps);
  for (let t = steps - 1; t >= 0; t--) {
    policies[t] = softGreedy(task, o, value);
    value = evaluateStep(task, o, policies[t], value, Sigma[t], N[t + 1]);
  }
  return { policies, value, objective: expectedValue(value, task.model.mu0, N[0]) };
}

/** E[V(x̂)] for x̂ ~ N(m, S): −(mᵀPm + tr(PS) + 2sᵀm + c). */
export function expectedValue(v: QuadraticValue, m: Vec, S: Mat): number {
  return -(dot(m, mv(v.P, m)) + trace(mm(v.P, S)) + 2 * dot(v.s, m) + v.c);
}

// ─────────────────────────────────────────── exact forward evaluation over one episode

export interface PolicyEvaluation {
  /** Σ_t E[r_t] over the episode (undiscounted; what an episode's return averages to). */
  return: number;
  /** Σ_t γ^t E[r_t]. */
  discountedReturn: number;
  /** Σ_t γ^t (E[r_t] − α E[KL_t]): the objective J. */
  softObjective: number;
  /** (1/T) Σ_t E[KL(π(·|b_t) ‖ p(·|b_t))], nats per step (0 when α = 0 and the policy is deterministic). */
  meanKl: number;
  /** E[r_t] per step. */
  rewards: number[];
}

/**
 * The exact expected return and soft objective of a linear-Gaussian policy (one for every step, or one per
 * step) over `horizon` steps (default: the task's episode), Kalman transient from P₀ included, by
 * propagating the first and second moments of x̂ (header). KL_t is to `o.reference`.
 */
export function evaluateLinearPolicy(
  task: LinearGaussianTask,
  policy: LinearGaussianPolicy | readonly LinearGaussianPolicy[],
  o: SoftLqgOptions,
  horizon = task.horizon,
): PolicyEvaluation {
  checkOptions(task, o, 'at most 1');
  if (!Number.isInteger(horizon) || horizon < 1)
    throw new RangeError(`evaluateLinearPolicy.horizon: got ${horizon}, allowed: a positive integer`);
  const policies = Array.isArray(policy)
    ? policy
    : Array.from({ length: horizon }, () => policy as LinearGaussianPolicy);
  if (policies.length !== horizon)
    throw new RangeError(
      `evaluateLinearPolicy.policy: got ${policies.length} policies, allowed: 1 or horizon = ${horizon}`,
    );
  policies.forEach((p, t) =>
    checkLinearPolicy(task, p, Array.isArray(policy) ? `policy[${t}]` : 'policy', o.alpha > 0),
  );
  const { Sigma, N } = filterCovariances(task, horizon);
  const { Q, R } = task.cost;
  const ref = o.reference;
  const Lp = minv(ref.cov);
  let m = task.model.mu0;
  let S = N[0];
  const rewards: number[] = [];
  let discountedReturn = 0;
  let softObjective = 0;
  let klSum = 0;
  for (let t = 0; t < horizon; t++) {
    const pi = policies[t];
    const second = madd(S, outer(m, m)); // E[x̂ x̂ᵀ]
    const mean = vadd(mv(pi.K, m), pi.k); // E[a]
    const aa = madd(madd(mm(mm(pi.K, S), tr(pi.K)), outer(mean, mean)), pi.cov); // E[a aᵀ]
    const r = -(trace(mm(Q, second)) + trace(mm(Q, Sigma[t])) + trace(mm(R, aa)));
    const D = msub(pi.K, ref.K);
    const dm = vadd(mv(D, m), vsub(pi.k, ref.k)); // E[D x̂ + d]
    const kl =
      o.alpha === 0
        ? 0
        : 0.5 *
          (trace(mm(Lp, pi.cov)) -
            pi.k.length +
            logDet(ref.cov) -
            logDet(pi.cov) +
            trace(mm(Lp, madd(mm(mm(D, S), tr(D)), outer(dm, dm)))));
    rewards.push(r);
    discountedReturn += o.gamma ** t * r;
    softObjective += o.gamma ** t * (r - o.alpha * kl);
    klSum += kl;
    if (t + 1 < horizon) {
      const { F, b, actionNoise } = stepPieces(task, o, pi, Sigma[t]);
      m = vadd(mv(F, m), b);
      S = sym(madd(madd(mm(mm(F, S), tr(F)), actionNoise), N[t + 1]));
    }
  }
  return {
    return: rewards.reduce((a, b) => a + b, 0),
    discountedReturn,
    softObjective,
    meanKl: klSum / horizon,
    rewards,
  };
}

// ─────────────────────────────────────────── rollouts: the real env, the real filter

/** An episode's observations y_0 … y_n and the actions a_0 … a_{n−1} (as given to the env) in lgssm's convention. */
export function episodeSequence(
  task: LinearGaussianTask,
  obs: readonly ArrayLike<number>[],
  actions: readonly ArrayLike<number>[],
): LgssmSequence {
  const { dx, du } = lgssmDims(task.model);
  if (actions.length !== obs.length && actions.length !== obs.length - 1)
    throw new RangeError(
      `episodeSequence.actions: got ${actions.length} actions for ${obs.length} observations, allowed: ${obs.length - 1} (a_t leads to y_{t+1}) or ${obs.length} (the last unused)`,
    );
  obs.forEach((y, t) => checkVector(`episodeSequence.obs[${t}]`, Array.from(y), dx));
  actions.forEach((a, t) => checkVector(`episodeSequence.actions[${t}]`, Array.from(a), du));
  return {
    obs: obs.map((y) => Array.from(y)),
    actions: obs.map((_, t) => (t === 0 ? new Array<number>(du).fill(0) : clipAction(task, actions[t - 1]))),
  };
}

/** The Kalman means x̂_t = E[x_t | y_{0:t}] of an episode (env actions, clipped as the env does), to regress a learned agent's mean action on. */
export function kalmanMeans(
  task: LinearGaussianTask,
  obs: readonly ArrayLike<number>[],
  actions: readonly ArrayLike<number>[],
): Vec[] {
  return kalmanFilter(task.model, episodeSequence(task, obs, actions)).means;
}

/** The rows of an `Episode` (sequences.ts): observations y_0 … y_n and actions a_0 … a_{n−1}. */
export function episodeRows(ep: Episode): { obs: Float32Array[]; actions: Float32Array[] } {
  return {
    obs: Array.from({ length: ep.length + 1 }, (_, t) => ep.obs.subarray(t * ep.obsDim, (t + 1) * ep.obsDim)),
    actions: Array.from({ length: ep.length }, (_, t) => ep.actions.subarray(t * ep.actDim, (t + 1) * ep.actDim)),
  };
}

/** Least squares a ≈ K x̂ + k over rows (x̂_t, mean action_t): a learned policy's gain. */
export function regressGain(xhat: readonly Vec[], meanActions: readonly ArrayLike<number>[]): { K: Mat; k: Vec } {
  if (xhat.length !== meanActions.length || xhat.length === 0)
    throw new RangeError(
      `regressGain: got ${xhat.length} means and ${meanActions.length} actions, allowed: equal positive counts`,
    );
  const rows = xhat.map((x) => [...x, 1]);
  const n = rows[0].length;
  const XtX = zeros(n, n);
  for (const r of rows) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) XtX[i][j] += r[i] * r[j];
  const du = meanActions[0].length;
  const K: Mat = [];
  const k: Vec = [];
  for (let a = 0; a < du; a++) {
    const Xty = new Array<number>(n).fill(0);
    rows.forEach((r, t) => r.forEach((v, i) => (Xty[i] += v * meanActions[t][a])));
    const w = solve(XtX, Xty);
    K.push(w.slice(0, n - 1));
    k.push(w[n - 1]);
  }
  return { K, k };
}

export interface LqgRollout {
  episodes: Episode[];
  /** x̂_t per episode, t = 0 … length (the online filter's, which equals `kalmanMeans` of the episode). */
  means: Vec[][];
  /** Per episode: Σ_t r_t. */
  returns: number[];
  /** Per episode: Σ_t γ^t (r_t − α log π(a_t|x̂_t)/p(a_t|x̂_t)) (an unbiased sample of J). */
  softObjectives: number[];
}

/**
 * Runs `policy` on the real env with the Kalman filter online (gains from `kalmanFilter`; they do not
 * depend on the data): `episodes` episodes, the env seeded once with `seed`, actions drawn from `rng`.
 */
export function lqgRollouts(
  env: Env,
  task: LinearGaussianTask,
  policy: LinearGaussianPolicy,
  o: SoftLqgOptions,
  opts: { episodes: number; seed: number; rng: Rng },
): LqgRollout {
  checkOptions(task, o, 'at most 1');
  // A deterministic policy (cov = 0, e.g. LQR) runs only at α = 0: its KL to a Gaussian reference is infinite.
  const deterministic = policy.cov.every((row) => row.every((x) => x === 0));
  checkLinearPolicy(task, policy, 'policy', o.alpha > 0 || !deterministic);
  const { model } = task;
  const { du } = lgssmDims(model);
  const T = task.horizon;
  const gains = kalmanFilter(model, {
    obs: Array.from({ length: T + 1 }, () => new Array<number>(model.C.length).fill(0)),
    actions: Array.from({ length: T + 1 }, () => new Array<number>(du).fill(0)),
  }).gains;
  // log π(a|x̂) − log p(a|x̂): a one-sample estimate of the KL (not needed at α = 0).
  const logPi = o.alpha > 0 ? gaussianLogDensity(policy.cov, 'policy.cov') : null;
  const logRef = o.alpha > 0 ? gaussianLogDensity(o.reference.cov, 'SoftLqgOptions.reference.cov') : null;
  const Lpi = deterministic ? policy.cov : cholesky(policy.cov, 'policy.cov');
  const out: LqgRollout = { episodes: [], means: [], returns: [], softObjectives: [] };
  for (let e = 0; e < opts.episodes; e++) {
    let y = Array.from(env.reset(e === 0 ? { seed: opts.seed } : {}).obs as Float32Array);
    let pred = model.mu0;
    const obs = [...y];
    const acts: number[] = [];
    const rews: number[] = [];
    const means: Vec[] = [];
    let ret = 0;
    let soft = 0;
    for (let t = 0; ; t++) {
      const xhat = vadd(pred, mv(gains[t], vsub(y, mv(model.C, pred)))); // m_{t|t} = m_{t|t−1} + L_t (y_t − C m_{t|t−1})
      means.push(xhat);
      if (t === T) break;
      const mean = vadd(mv(policy.K, xhat), policy.k);
      const a = vadd(
        mean,
        mv(
          Lpi,
          mean.map(() => opts.rng.normal()),
        ),
      );
      const step = env.step(a);
      ret += step.reward;
      const logRatio = logPi && logRef ? logPi(a, mean) - logRef(a, vadd(mv(o.reference.K, xhat), o.reference.k)) : 0;
      soft += o.gamma ** t * (step.reward - o.alpha * logRatio);
      acts.push(...a);
      rews.push(step.reward);
      y = Array.from(step.obs as Float32Array);
      obs.push(...y);
      pred = vadd(mv(model.A, xhat), mv(model.B, clipAction(task, a)));
      if (step.terminated || step.truncated) {
        if (t + 1 !== T) throw new RangeError(`lqgRollouts: ${env.id} ended at step ${t + 1}, the task says ${T}`);
      }
    }
    out.episodes.push({
      obsDim: model.C.length,
      actDim: du,
      length: T,
      obs: Float32Array.from(obs),
      actions: Float32Array.from(acts),
      rewards: Float32Array.from(rews),
    });
    out.means.push(means);
    out.returns.push(ret);
    out.softObjectives.push(soft);
  }
  return out;
}
