/**
 * Maximum-entropy inverse RL (Ziebart et al. 2008; causal form, Ziebart 2010) on a finite MDP with the exact
 * soft solver, the prior as the knob. The demonstrator is assumed soft-optimal for an unknown reward
 * r_θ(s,a) = φ(s,a)·θ under the objective E[Σ γ^t (r − α KL(π(·|s_t) ‖ p(·|s_t)))]; the learner maximizes
 * the demonstrations' mean log-likelihood
 *
 *     L(θ) = (1/N) Σ_i Σ_t log π*_θ(a_t|s_t) − (λ/2)‖θ‖²,    log π*_θ(a|s) = log p(a|s) + (Q_θ(s,a) − V_θ(s))/α.
 *
 * A uniform prior is classic MaxEnt IRL; a reference prior is KL-regularized IRL (the reward then explains
 * only what the prior does not). α must be > 0: at α = 0 π* is greedy and L = −∞.
 *
 * The gradient, exactly. Differentiating the soft Bellman equation, ∂V_θ(s) = F(s), the expected discounted
 * feature counts of π*_θ from s (F = φ_π + γ P_π F), and ∂Q_θ(s,a) = φ(s,a) + γ Σ_{s'} P(s'|s,a) F(s'). So
 *
 *     ∂L = (1/α) [ Σ_{s,a} c(s,a) φ(s,a)  −  Σ_s μ̃(s) F(s) ] − λθ,     μ̃(s) = ν(s) − γ Σ_{s',a'} c(s',a') P(s|s',a'),
 *
 * with c the demonstrations' (s,a) counts and ν their state counts (per demonstration, terminating
 * transitions excluded from P). The first term is the demonstrations' feature counts; the second is the
 * expected feature counts of π*_θ started from the measure μ̃, computed by exact visitation
 * (`stateVisitation` with initial μ̃, by linearity from its two non-negative parts). For γ = 1 and
 * deterministic moves μ̃ is the demonstrations' start distribution and this is the textbook
 * "demo counts − expected counts"; with discounting, stochastic moves or truncated trajectories the
 * textbook form is only right in expectation, while this one is the exact derivative of L. At the
 * maximum (λ = 0) the two feature counts match: MaxEnt IRL's moment matching.
 *
 * Features: `stateFeatures` (default) is one-hot in the state a move ENTERS, expected over the outcomes
 * (the gridworlds pay their rewards on entering a cell); any nS·nA × d map can be passed instead.
 */
import type { TabularModel } from '../../envs/env.js';
import { softOptimalPrecise, stateVisitation, weightedMean } from '../exact/index.js';
import { checkDemonstrations, type Demonstration } from './demos.js';
import { stateFeatures, featureReward, type FeatureMap } from './features.js';
import { lbfgsMaximize, type LbfgsResult } from './lbfgs.js';

/** The prior knob in tabular form: what `Objective.tabular()` gives (α > 0 here). */
export type TabularObjective = Pick<import('../../priors/objective.js').TabularObjective, 'alpha' | 'prior'>;

/** The model with every outcome of (s, a) paying r(s,a) (terminal states untouched). */
export function withReward(model: TabularModel, reward: Float64Array): TabularModel {
  const nA = model.nActions;
  if (reward.length !== model.nStates * nA)
    throw new RangeError(`reward must have nS·nA = ${model.nStates * nA} entries, got ${reward.length}`);
  const P = model.P.map((row, s) =>
    model.terminalStates.has(s)
      ? row
      : row.map((outcomes, a) => outcomes.map((t) => ({ ...t, reward: reward[s * nA + a] }))),
  );
  return { ...model, P };
}

/** The problem: model, objective, discount, features, demonstrations and the L2 weight λ on θ. */
export interface IrlProblem {
  model: TabularModel;
  objective: TabularObjective;
  /** Discount γ ∈ [0, 1); γ < 1 keeps every candidate reward's soft values finite. */
  gamma: number;
  demonstrations: readonly Demonstration[];
  /** Default `stateFeatures(model)`. */
  features?: FeatureMap;
  /** λ ≥ 0 (default 0). */
  l2?: number;
}

/** What the demonstrations contribute, per demonstration; computed once. */
interface DemoStats {
  /** c(s,a). */
  counts: Float64Array;
  /** Σ_{s,a} c(s,a) φ(s,a). */
  featureCounts: Float64Array;
  /** ν(s) = Σ_a c(s,a). */
  visits: Float64Array;
  /** Σ_{s',a'} c(s',a') P(s|s',a') over non-terminating transitions. */
  arrivals: Float64Array;
}

export interface Evaluation {
  /** L(θ). */
  value: number;
  /** ∂L(θ). */
  gradient: Float64Array;
  /** π*_θ. */
  pi: Float64Array;
  /** log π*_θ (finite where π*_θ underflows to 0). */
  logPi: Float64Array;
  /** r_θ(s,a), nS×nA. */
  reward: Float64Array;
  /** Σ c φ per demonstration. */
  demoFeatureCounts: Float64Array;
  /** Σ_s μ̃(s) F(s): π*_θ's expected feature counts from μ̃. */
  expectedFeatureCounts: Float64Array;
}

/** The validated problem with the demonstrations' statistics: `evaluate(θ)` gives L(θ), its gradient and π*_θ. */
export class MaxEntIrl {
  readonly model: TabularModel;
  readonly objective: TabularObjective;
  readonly gamma: number;
  readonly features: FeatureMap;
  readonly l2: number;
  private readonly stats: DemoStats;

  constructor(problem: IrlProblem) {
    const { model, objective, gamma, demonstrations, l2 = 0 } = problem;
    const { nStates: nS, nActions: nA } = model;
    const { alpha, prior } = objective;
    if (!(alpha > 0) || !Number.isFinite(alpha)) {
      throw new RangeError(
        `alpha must be a finite number > 0 for IRL: at α = 0 the soft-optimal policy is greedy and the demonstrations' likelihood Σ log π*(a|s) is −∞ for any non-greedy action; got ${alpha}`,
      );
    }
    if (prior.length !== nS * nA)
      throw new RangeError(`prior must have nS·nA = ${nS}·${nA} = ${nS * nA} entries, got ${prior.length}`);
    if (!(gamma >= 0 && gamma < 1))
      throw new RangeError(
        `gamma must be in [0, 1) for IRL (a learned reward may be positive everywhere; γ = 1 would make its values infinite), got ${gamma}`,
      );
    if (!(l2 >= 0) || !Number.isFinite(l2)) throw new RangeError(`l2 must be a finite number ≥ 0, got ${l2}`);
    const features = problem.features ?? stateFeatures(model);
    if (!Number.isInteger(features.dim) || features.dim < 1)
      throw new RangeError(`features.dim must be an integer ≥ 1, got ${features.dim}`);
    if (features.phi.length !== nS * nA * features.dim) {
      throw new RangeError(
        `features.phi must have nS·nA·dim = ${nS}·${nA}·${features.dim} = ${nS * nA * features.dim} entries, got ${features.phi.length}`,
      );
    }
    const bad = features.phi.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new RangeError(`features.phi[${bad}] must be finite, got ${features.phi[bad]}`);
    checkDemonstrations(model, demonstrations, prior);
    this.model = model;
    this.objective = objective;
    this.gamma = gamma;
    this.features = features;
    this.l2 = l2;

    const N = demonstrations.length;
    const counts = new Float64Array(nS * nA);
    for (const d of demonstrations) d.actions.forEach((a, t) => (counts[d.states[t] * nA + a] += 1 / N));
    const visits = new Float64Array(nS);
    const arrivals = new Float64Array(nS);
    const featureCounts = new Float64Array(features.dim);
    for (let k = 0; k < nS * nA; k++) {
      if (counts[k] === 0) continue;
      const s = Math.floor(k / nA);
      visits[s] += counts[k];
      for (const t of model.P[s][k % nA]) if (!t.terminated) arrivals[t.next] += counts[k] * t.prob;
      for (let j = 0; j < features.dim; j++) featureCounts[j] += counts[k] * features.phi[k * features.dim + j];
    }
    this.stats = { counts, featureCounts, visits, arrivals };
  }

  /** L(θ), ∂L(θ) and π*_θ, all exact (up to rounding). */
  evaluate(theta: Float64Array): Evaluation {
    const { model, objective, gamma, features, l2, stats } = this;
    const { nStates: nS, nActions: nA } = model;
    const reward = featureReward(features, theta);
    const sol = softOptimalPrecise(withReward(model, reward), {
      alpha: objective.alpha,
      gamma,
      prior: objective.prior,
    });
    let value = 0;
    for (let k = 0; k < nS * nA; k++) if (stats.counts[k] > 0) value += stats.counts[k] * sol.logPi[k];
    // Visitation from μ̃ = ν − γ·arrivals, by linearity from the two parts (each a distribution times its mass).
    const d = new Float64Array(nS);
    for (const [part, sign] of [
      [stats.visits, 1],
      [stats.arrivals, -gamma],
    ] as const) {
      const mass = part.reduce((x, y) => x + y, 0);
      if (mass === 0 || sign === 0) continue;
      const dPart = stateVisitation(model, sol.pi, { gamma, initial: part.map((v) => v / mass) });
      for (let s = 0; s < nS; s++) d[s] += sign * mass * dPart[s];
    }
    const expected = new Float64Array(features.dim);
    for (let s = 0; s < nS; s++) {
      if (d[s] === 0) continue;
      for (let a = 0; a < nA; a++) {
        const w = d[s] * sol.pi[s * nA + a];
        if (w === 0) continue;
        const k = s * nA + a;
        for (let j = 0; j < features.dim; j++) expected[j] += w * features.phi[k * features.dim + j];
      }
    }
    const gradient = new Float64Array(features.dim);
    let sq = 0;
    for (let j = 0; j < features.dim; j++) {
      gradient[j] = (stats.featureCounts[j] - expected[j]) / objective.alpha - l2 * theta[j];
      sq += theta[j] * theta[j];
    }
    value -= 0.5 * l2 * sq;
    return {
      value,
      gradient,
      pi: sol.pi,
      logPi: sol.logPi,
      reward,
      demoFeatureCounts: stats.featureCounts,
      expectedFeatureCounts: expected,
    };
  }

  /** States the demonstrations act in. */
  visitedStates(): number[] {
    return Array.from(this.stats.visits.keys()).filter((s) => this.stats.visits[s] > 0);
  }

  /** Features the demonstrations touch (non-zero feature counts): for one-hot features, the cells they enter. */
  touchedFeatures(): number[] {
    return Array.from(this.stats.featureCounts.keys()).filter((j) => this.stats.featureCounts[j] !== 0);
  }
}

export interface FitOptions {
  /** Start; default θ = 0 (r = 0: π* is the prior). */
  theta0?: Float64Array;
  /** Stop when max_j |∂L/∂θ_j| ≤ gradTol (the feature gap is then ≤ α·gradTol). Default 1e-6. */
  gradTol?: number;
  /** Default 500. */
  maxIterations?: number;
  onIteration?: (iteration: number, value: number) => void;
}

export interface IrlFit extends Evaluation {
  theta: Float64Array;
  /** max_j |demo feature counts − expected feature counts|: 0 at the maximum when λ = 0. */
  featureGap: number;
  optimizer: Omit<LbfgsResult, 'x' | 'value' | 'gradient'>;
}

/** Maximizes L(θ) by L-BFGS on the exact likelihood and gradient. Deterministic. */
export function fitMaxEntIrl(problem: IrlProblem | MaxEntIrl, opts: FitOptions = {}): IrlFit {
  const irl = problem instanceof MaxEntIrl ? problem : new MaxEntIrl(problem);
  const theta0 = opts.theta0 ?? new Float64Array(irl.features.dim);
  if (theta0.length !== irl.features.dim)
    throw new RangeError(`theta0 must have the feature dimension ${irl.features.dim} entries, got ${theta0.length}`);
  const res = lbfgsMaximize((x) => irl.evaluate(x), theta0, {
    gradTol: opts.gradTol ?? 1e-6,
    maxIterations: opts.maxIterations ?? 500,
    onIteration: opts.onIteration && ((i, _x, fx) => opts.onIteration!(i, fx.value)),
  });
  const final = irl.evaluate(res.x);
  let featureGap = 0;
  for (let j = 0; j < irl.features.dim; j++)
    featureGap = Math.max(featureGap, Math.abs(final.demoFeatureCounts[j] - final.expectedFeatureCounts[j]));
  const { x: theta, value: _v, gradient: _g, ...optimizer } = res;
  return { ...final, theta, featureGap, optimizer };
}

/**
 * Mean KL(π_demo(·|s) ‖ π(·|s)) over the states π_demo visits, weighted by its expected visits per
 * episode from the model's start (exact visitation, γ = 1). Takes log-policies (`softOptimalPrecise`'s
 * `logPi`), so an action one policy gives e^−200 does not turn into log 0.
 */
export function visitedKl(model: TabularModel, logPiDemo: Float64Array, logPi: Float64Array): number {
  const nA = model.nActions;
  const piDemo = logPiDemo.map(Math.exp);
  const visits = stateVisitation(model, piDemo, { gamma: 1 });
  return weightedMean(visits, (s) => {
    let kl = 0;
    for (let k = s * nA; k < (s + 1) * nA; k++) if (piDemo[k] > 0) kl += piDemo[k] * (logPiDemo[k] - logPi[k]);
    return kl;
  });
}

/**
 * The reward change no demonstration set can detect with one-hot state or cell features: shaping by a
 * constant potential Φ = k on the non-terminal states (Ng et al. 1999), r' = r + γΦ(s') − Φ(s), which in θ
 * is θ_j += k·u_j with u_j = γ − 1 for a non-terminal state (cell) j and −1 for a terminal one. π* is the
 * same for every k, so the likelihood is flat along u.
 */
export function shapingDirection(model: TabularModel, gamma: number): Float64Array {
  return Float64Array.from({ length: model.nStates }, (_, j) => (model.terminalStates.has(j) ? -1 : gamma - 1));
}

/**
 * θ̂ − k·u with the shaping k that brings it closest to `reference` (least squares over `indices`): the
 * recovered reward with the undetectable part chosen in its favour, before comparing it with the truth.
 */
export function alignShaping(
  theta: ArrayLike<number>,
  reference: ArrayLike<number>,
  u: ArrayLike<number>,
  indices: readonly number[],
): { k: number; aligned: Float64Array } {
  let num = 0;
  let den = 0;
  for (const i of indices) {
    num += (theta[i] - reference[i]) * u[i];
    den += u[i] * u[i];
  }
  const k = den > 0 ? num / den : 0;
  return { k, aligned: Float64Array.from({ length: theta.length }, (_, i) => theta[i] - k * u[i]) };
}

/** Pearson correlation of two vectors over the entries `indices` (NaN when either is constant there). */
export function correlation(a: ArrayLike<number>, b: ArrayLike<number>, indices: readonly number[]): number {
  const mean = (t: ArrayLike<number>) => indices.reduce((acc, i) => acc + t[i], 0) / indices.length;
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (const i of indices) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}
