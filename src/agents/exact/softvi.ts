/**
 * Exact soft (KL-regularized) dynamic programming on a finite MDP — the ground truth learned agents
 * are checked against. For a prior `p(a|s)` and temperature α ≥ 0 the optimal policy of
 * `E[Σ γ^t (r_t − α KL(π(·|s_t) ‖ p(·|s_t)))]` satisfies
 *
 *     Q(s,a) = Σ_{s'} P(s'|s,a) [ r + γ (1 − terminated) V(s') ]
 *     V(s)   = α log Σ_a p(a|s) exp(Q(s,a)/α)              (α > 0, computed by log-sum-exp)
 *     V(s)   = max_{a : p(a|s) > 0} Q(s,a)                  (α = 0: hard value iteration)
 *     π*(a|s) = p(a|s) exp((Q(s,a) − V(s))/α)
 *
 * At α = 0, π* splits its mass over the maximizing actions in proportion to p (the α → 0 limit of the
 * formula above). Terminal states are absorbing with V = 0; transitions flagged `terminated` do not
 * bootstrap. Tables are `Float64Array`s of length nS·nA, row-major (`pi[s * nA + a]`).
 */
import type { TabularModel, Transition } from '../../envs/env.js';
import { solveLinear } from './linalg.js';
import { softMaxRow, softPolicyRow } from './soft.js';

/** The model flattened for fast sweeps: outcomes of (s, a) are `[offset[k], offset[k+1])`, k = s·nA + a. */
interface Compiled {
  nS: number;
  nA: number;
  offset: Int32Array;
  next: Int32Array;
  /** `prob · (1 − terminated)`: the weight of V(next) in the backup. */
  cont: Float64Array;
  /** Expected immediate reward `Σ prob · reward` per (s, a). */
  R: Float64Array;
  terminal: Uint8Array;
}

const compiledCache = new WeakMap<TabularModel, Compiled>();

/** Tolerance on Σ P(s'|s,a) = 1. */
const SUM_TOL = 1e-9;

/**
 * Throws a RangeError naming the first bad field of `model` (`P[s][a][i].next`, `.prob`, `.reward`, a row
 * whose probabilities do not sum to 1, ...), so a bad model fails here instead of giving NaN values.
 */
function checkModel(model: TabularModel): void {
  const { nStates: nS, nActions: nA, P } = model;
  const bad = (field: string, value: unknown, allowed: string): never => {
    throw new RangeError(
      `model.${field}: got ${typeof value === 'object' ? JSON.stringify(value) : String(value)}; allowed: ${allowed}`,
    );
  };
  if (!Number.isSafeInteger(nS) || nS < 1) bad('nStates', nS, 'a positive integer');
  if (!Number.isSafeInteger(nA) || nA < 1) bad('nActions', nA, 'a positive integer');
  if (!Array.isArray(P) || P.length !== nS)
    bad('P.length', (P as unknown[] | undefined)?.length, `nStates = ${nS} rows`);
  if (!(model.terminalStates instanceof Set)) bad('terminalStates', model.terminalStates, 'a Set of states');
  for (const s of model.terminalStates)
    if (!Number.isInteger(s) || s < 0 || s >= nS) bad('terminalStates', s, `states in [0, ${nS})`);
  for (let s = 0; s < nS; s++) {
    if (!Array.isArray(P[s]) || P[s].length !== nA)
      bad(`P[${s}].length`, (P[s] as unknown[] | undefined)?.length, `nActions = ${nA} actions`);
    for (let a = 0; a < nA; a++) {
      const outcomes: readonly Transition[] = P[s][a];
      if (!Array.isArray(outcomes)) bad(`P[${s}][${a}]`, outcomes, 'an array of transitions');
      let sum = 0;
      outcomes.forEach((t: Transition, i: number) => {
        const at = `P[${s}][${a}][${i}]`;
        if (typeof t !== 'object' || t === null) bad(at, t, 'a transition { prob, next, reward, terminated }');
        if (typeof t.prob !== 'number' || !(t.prob >= 0 && t.prob <= 1))
          bad(`${at}.prob`, t.prob, 'a probability in [0, 1]');
        if (!Number.isInteger(t.next) || t.next < 0 || t.next >= nS)
          bad(`${at}.next`, t.next, `an integer state in [0, ${nS})`);
        if (typeof t.reward !== 'number' || !Number.isFinite(t.reward))
          bad(`${at}.reward`, t.reward, 'a finite number');
        if (typeof t.terminated !== 'boolean') bad(`${at}.terminated`, t.terminated, 'true or false');
        sum += t.prob;
      });
      // A terminal state's outcomes are never used (it is absorbing); every other row is a distribution.
      if (!model.terminalStates.has(s) && Math.abs(sum - 1) > SUM_TOL)
        bad(`P[${s}][${a}] probabilities`, `sum ${sum}`, 'a sum of 1');
    }
  }
}

function compile(model: TabularModel): Compiled {
  const cached = compiledCache.get(model);
  if (cached) return cached;
  checkModel(model);
  const { nStates: nS, nActions: nA, P } = model;
  const offset = new Int32Array(nS * nA + 1);
  const next: number[] = [];
  const cont: number[] = [];
  const R = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const k = s * nA + a;
      for (const t of P[s][a]) {
        R[k] += t.prob * t.reward;
        next.push(t.next);
        cont.push(t.terminated ? 0 : t.prob);
      }
      offset[k + 1] = next.length;
    }
  }
  const terminal = new Uint8Array(nS);
  for (const s of model.terminalStates) terminal[s] = 1;
  const c: Compiled = { nS, nA, offset, next: Int32Array.from(next), cont: Float64Array.from(cont), R, terminal };
  compiledCache.set(model, c);
  return c;
}

/** The soft Q backup of (s, a) = k: `Q(s,a) = Σ_{s'} P(s'|s,a) [ r + γ (1 − terminated) V(s') ]`. */
function backup(c: Compiled, gamma: number, V: Float64Array, k: number): number {
  let q = c.R[k];
  for (let i = c.offset[k]; i < c.offset[k + 1]; i++) q += gamma * c.cont[i] * V[c.next[i]];
  return q;
}

/** The uniform prior p(a|s) = 1/nA as an nS×nA table. */
function uniformPrior(nS: number, nA: number): Float64Array {
  return new Float64Array(nS * nA).fill(1 / nA);
}

/** Throws unless `table` is nS×nA with non-negative rows summing to 1 (within 1e-9). */
export function checkPolicyTable(name: string, table: Float64Array, nS: number, nA: number): void {
  if (table.length !== nS * nA)
    throw new RangeError(`${name} must have nS·nA = ${nS}·${nA} = ${nS * nA} entries, got ${table.length}`);
  for (let s = 0; s < nS; s++) {
    let sum = 0;
    for (let a = 0; a < nA; a++) {
      const v = table[s * nA + a];
      if (!(v >= 0) || !Number.isFinite(v))
        throw new RangeError(`${name}[${s}][${a}] must be a finite probability ≥ 0, got ${v}`);
      sum += v;
    }
    if (Math.abs(sum - 1) > 1e-9) throw new RangeError(`${name} row ${s} must sum to 1, sums to ${sum}`);
  }
}

function checkScalars(alpha: number, gamma: number): void {
  if (!(alpha >= 0) || !Number.isFinite(alpha)) throw new RangeError(`alpha must be a finite number ≥ 0, got ${alpha}`);
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`gamma must be in [0, 1], got ${gamma}`);
}

/** Options of `softValueIteration`: temperature, discount, prior, tolerance, iteration cap. */
export interface SoftVIOptions {
  /** Temperature α ≥ 0; 0 is hard value iteration. */
  alpha: number;
  /** Discount γ ∈ [0, 1]; γ = 1 needs every policy considered to reach a terminal state. */
  gamma: number;
  /** Prior p(a|s), nS×nA row-major; default uniform. */
  prior?: Float64Array;
  /** Stop when max_s |V_new(s) − V_old(s)| < tol. Default 1e-10. */
  tol?: number;
  /** Default 100000. */
  maxIterations?: number;
}

/** What `softValueIteration` returns: the soft values V and Q, the optimal policy π*, and convergence. */
export interface SoftVIResult {
  V: Float64Array;
  Q: Float64Array;
  pi: Float64Array;
  iterations: number;
  /** Last sweep's max |ΔV|. */
  residual: number;
  converged: boolean;
}

/** Soft value iteration (Gauss–Seidel sweeps), returning V, Q and π* as described in the module doc. */
export function softValueIteration(model: TabularModel, opts: SoftVIOptions): SoftVIResult {
  const { alpha, gamma, tol = 1e-10, maxIterations = 100_000 } = opts;
  checkScalars(alpha, gamma);
  const c = compile(model);
  const { nS, nA, terminal } = c;
  const prior = opts.prior ?? uniformPrior(nS, nA);
  checkPolicyTable('prior', prior, nS, nA);

  const V = new Float64Array(nS);
  const Q = new Float64Array(nS * nA);
  let residual = Infinity;
  let iterations = 0;
  while (iterations < maxIterations && !(residual < tol)) {
    residual = 0;
    for (let s = 0; s < nS; s++) {
      if (terminal[s]) continue;
      const base = s * nA;
      for (let a = 0; a < nA; a++) Q[base + a] = backup(c, gamma, V, base + a);
      const v = softMaxRow(Q, prior, base, nA, alpha);
      const d = Math.abs(v - V[s]);
      if (d > residual) residual = d;
      V[s] = v;
    }
    iterations++;
  }
  // Q from the final V, then π* = p · exp((Q − V)/α).
  for (let s = 0; s < nS; s++) {
    if (terminal[s]) continue;
    for (let a = 0; a < nA; a++) Q[s * nA + a] = backup(c, gamma, V, s * nA + a);
  }
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    const base = s * nA;
    if (terminal[s]) {
      pi.set(prior.subarray(base, base + nA), base);
      continue;
    }
    if (alpha > 0) {
      softPolicyRow(Q, prior, base, nA, alpha, pi);
    } else {
      const m = softMaxRow(Q, prior, base, nA, 0);
      const tie = 1e-9 * Math.max(1, Math.abs(m));
      let z = 0;
      for (let a = 0; a < nA; a++)
        if (prior[base + a] > 0 && Q[base + a] >= m - tie) z += pi[base + a] = prior[base + a];
      for (let a = 0; a < nA; a++) pi[base + a] /= z;
    }
  }
  return { V, Q, pi, iterations, residual, converged: residual < tol };
}

/** Options of `evaluatePolicy`: the temperature, the discount and the prior of the KL term. */
export interface EvaluateOptions {
  alpha: number;
  gamma: number;
  /** Default uniform; only used when α > 0. */
  prior?: Float64Array;
}

/**
 * Exact KL-regularized value of a given policy, by one linear solve:
 *
 *     V^π(s)   = Σ_a π(a|s) [ Q^π(s,a) − α log(π(a|s)/p(a|s)) ]
 *     Q^π(s,a) = Σ_{s'} P(s'|s,a) [ r + γ (1 − terminated) V^π(s') ]
 */
export function evaluatePolicy(
  model: TabularModel,
  pi: Float64Array,
  opts: EvaluateOptions,
): { V: Float64Array; Q: Float64Array } {
  const { alpha, gamma } = opts;
  checkScalars(alpha, gamma);
  const c = compile(model);
  const { nS, nA, offset, next, cont, R, terminal } = c;
  checkPolicyTable('pi', pi, nS, nA);
  const prior = opts.prior ?? uniformPrior(nS, nA);
  checkPolicyTable('prior', prior, nS, nA);
  // (I − γ P_π) V = r_π, with r_π(s) = Σ_a π (R(s,a) − α log(π/p)).
  const A = new Float64Array(nS * nS);
  const b = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    A[s * nS + s] = 1;
    if (terminal[s]) continue;
    for (let a = 0; a < nA; a++) {
      const k = s * nA + a;
      const w = pi[k];
      if (w === 0) continue;
      let r = R[k];
      if (alpha > 0) {
        if (prior[k] === 0)
          throw new RangeError(`pi[${s}][${a}] = ${w} > 0 where prior[${s}][${a}] = 0: KL(π ‖ p) is infinite`);
        r -= alpha * Math.log(w / prior[k]);
      }
      b[s] += w * r;
      for (let i = offset[k]; i < offset[k + 1]; i++) A[s * nS + next[i]] -= gamma * w * cont[i];
    }
  }
  const V = solveLinear(A, b, 'policy evaluation (I − γ P_π)');
  const Q = new Float64Array(nS * nA);
  for (let k = 0; k < nS * nA; k++) if (!terminal[Math.floor(k / nA)]) Q[k] = backup(c, gamma, V, k);
  return { V, Q };
}

/** Options of `stateVisitation`: the discount and the start distribution. */
export interface VisitationOptions {
  /** γ = 1 (default) gives expected visits per episode; γ < 1 the discounted occupancy. */
  gamma?: number;
  /** Start distribution; default `model.initialDistribution`. */
  initial?: Float64Array;
}

/**
 * Expected (discounted) number of times each state is visited, i.e. acted in, per episode under π:
 * `d = μ + γ P_πᵀ d` over transitions that do not terminate. Terminal states get 0 (the episode ends
 * on entering them). Weighting any per-state quantity by d gives its mean over the states π visits
 * (e.g. the mean KL(π ‖ p)); with γ = 1, Σ_s d(s) is the expected episode length.
 */
export function stateVisitation(model: TabularModel, pi: Float64Array, opts: VisitationOptions = {}): Float64Array {
  const { gamma = 1, initial = model.initialDistribution } = opts;
  checkScalars(0, gamma);
  const { nS, nA, offset, next, cont, terminal } = compile(model);
  checkPolicyTable('pi', pi, nS, nA);
  if (initial.length !== nS) throw new RangeError(`initial must have nS = ${nS} entries, got ${initial.length}`);
  // (I − γ P_πᵀ) d = μ  (row s' of the system collects the flow into s').
  const A = new Float64Array(nS * nS);
  const b = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    A[s * nS + s] += 1;
    if (terminal[s]) continue;
    b[s] = initial[s];
    for (let a = 0; a < nA; a++) {
      const k = s * nA + a;
      const w = pi[k];
      if (w === 0) continue;
      for (let i = offset[k]; i < offset[k + 1]; i++) A[next[i] * nS + s] -= gamma * w * cont[i];
    }
  }
  return solveLinear(A, b, 'state visitation (I − γ P_πᵀ)');
}

/**
 * Probability, from each state, that an episode under π ever enters a state of `target` (entering it
 * by a terminating transition counts): h = 1 on the target, otherwise
 * `h(s) = Σ_a π(a|s) Σ_{s'} P(s'|s,a) [ 1 if s' ∈ target, else (1 − terminated) h(s') ]`.
 */
export function hittingProbability(model: TabularModel, pi: Float64Array, target: ReadonlySet<number>): Float64Array {
  const { nS, nA, offset, next, cont, terminal } = compile(model);
  checkPolicyTable('pi', pi, nS, nA);
  const A = new Float64Array(nS * nS);
  const b = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    A[s * nS + s] = 1;
    if (target.has(s)) {
      b[s] = 1;
      continue;
    }
    if (terminal[s]) continue;
    for (let a = 0; a < nA; a++) {
      const k = s * nA + a;
      const w = pi[k];
      if (w === 0) continue;
      for (const t of model.P[s][a]) if (target.has(t.next)) b[s] += w * t.prob;
      for (let i = offset[k]; i < offset[k + 1]; i++) if (!target.has(next[i])) A[s * nS + next[i]] -= w * cont[i];
    }
  }
  return solveLinear(A, b, 'hitting probability (I − P_π)');
}

/** `Σ_s w(s) f(s) / Σ_s w(s)`: e.g. the mean of a per-state quantity over the visitation `w`. */
export function weightedMean(w: Float64Array, f: (s: number) => number): number {
  let num = 0;
  let den = 0;
  for (let s = 0; s < w.length; s++) {
    if (w[s] === 0) continue;
    num += w[s] * f(s);
    den += w[s];
  }
  return num / den;
}

/** KL(p ‖ q) = Σ p log(p/q) for two finite distributions (0 log 0 = 0). */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new RangeError(`klDivergence: lengths differ (${p.length} vs ${q.length})`);
  let kl = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) kl += p[i] * (Math.log(p[i]) - Math.log(q[i]));
  return kl;
}

/** KL(π(·|s) ‖ p(·|s)) for one state of two nS·nA tables. */
export function klAt(pi: Float64Array, prior: Float64Array, s: number, nA: number): number {
  return klDivergence(pi.subarray(s * nA, (s + 1) * nA), prior.subarray(s * nA, (s + 1) * nA));
}

/** H(π(·|s)) = −Σ_a π(a|s) log π(a|s) in nats, for one state of an nS·nA table. */
export function entropyAt(pi: Float64Array, s: number, nA: number): number {
  let h = 0;
  for (let a = 0; a < nA; a++) {
    const p = pi[s * nA + a];
    if (p > 0) h -= p * Math.log(p);
  }
  return h;
}
