/**
 * Control as inference (Levine 2018, "Reinforcement Learning and Control as Probabilistic Inference")
 * on a finite MDP, by message passing. Binary "optimality" variables O_t with
 *
 *     p(O_t = 1 | s_t, a_t) ∝ exp(r(s_t, a_t) / α),      actions a priori a_t ~ p(·|s_t)
 *
 * make the soft-optimal policy a posterior: π*(a|s) = p(a|s_t = s, O_{t:} = 1). The backward messages
 * β(s,a) = p(O_{t:} | s_t, a_t) and β(s) = p(O_{t:} | s_t) = Σ_a p(a|s) β(s,a) give it as
 *
 *     π(a|s) = p(a|s) β(s,a) / β(s).
 *
 * Two message schedules (Levine §2.4 and §3), held in log space (log β(s,a) is Q/α, log β(s) is V/α):
 * - `exact`: inference in the graphical model itself, with the reward of each outcome,
 *       log β(s,a) = log Σ_{s'} P(s'|s,a) exp(r(s,a,s')/α) [terminated ? 1 : β(s')]
 *   (γ = 1). For DETERMINISTIC dynamics this is the soft Bellman backup, so the posterior is exactly the
 *   soft-optimal policy. With stochastic dynamics the log of an expectation is optimistic: the
 *   posterior also "chooses" lucky transitions (its dynamics become P(s'|s,a) β(s') / Σ P β), so the
 *   posterior policy is NOT π*.
 * - `variational`: the best posterior whose dynamics are the true ones (structured variational
 *   inference), which replaces log E by E log:
 *       log β(s,a) = r(s,a)/α + γ Σ_{s'} P(s'|s,a) (1 − terminated) log β(s')
 *   i.e. soft value iteration; γ < 1 is an exit to a zero-reward absorbing state with probability 1 − γ.
 *   Its posterior is π* for any dynamics and any γ.
 *
 * (r(s,a) above is the expected reward Σ_{s'} P(s'|s,a) r(s,a,s').)
 *
 * The forward messages are the posterior's state marginals m_t(s) = p(s_t = s | O), started from the
 * model's initial distribution and pushed through the posterior policy and the posterior dynamics
 * (discounted by γ in the variational schedule); their sum over t is the posterior's state visitation,
 * `stateVisitation(model, π, { gamma })` for the variational schedule. Plain float64, no tfjs.
 */
import type { TabularModel, Transition } from '../../envs/env.js';

export type InferenceSchedule = 'exact' | 'variational';

export interface InferenceOptions {
  /** Temperature α > 0 (the optimality likelihood exp(r/α) needs it). */
  alpha: number;
  /** Action prior p(a|s), nS×nA row-major; default uniform. */
  prior?: Float64Array;
  /** Default `variational`. */
  schedule?: InferenceSchedule;
  /** Discount γ ∈ [0, 1] of the variational schedule (default 1); the exact schedule requires 1. */
  gamma?: number;
  /** Reward r(s,a), nS×nA row-major, the same for every outcome of (s, a); default the model's own rewards. */
  reward?: Float64Array;
  /** Stop when the largest change of log β(s) in a sweep is below tol. Default 1e-13. */
  tol?: number;
  /** Default 100000 sweeps. */
  maxIterations?: number;
}

export interface BackwardMessages {
  /** log β(s,a), nS×nA row-major (0 on terminal states, where β = 1). */
  logBetaSA: Float64Array;
  /** log β(s) = log Σ_a p(a|s) β(s,a), per state (0 on terminal states). */
  logBetaS: Float64Array;
  iterations: number;
  converged: boolean;
}

function uniform(nS: number, nA: number): Float64Array {
  return new Float64Array(nS * nA).fill(1 / nA);
}

/** The model's expected reward per (s, a): Σ_{s'} P(s'|s,a) r(s,a,s'). */
export function modelReward(model: TabularModel): Float64Array {
  const { nStates: nS, nActions: nA } = model;
  const R = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) for (const t of model.P[s][a]) R[s * nA + a] += t.prob * t.reward;
  return R;
}

function resolve(model: TabularModel, opts: InferenceOptions) {
  const { nStates: nS, nActions: nA } = model;
  const { alpha, schedule = 'variational', gamma = 1, tol = 1e-13, maxIterations = 100_000 } = opts;
  if (!(alpha > 0) || !Number.isFinite(alpha)) {
    throw new RangeError(
      `alpha must be a finite number > 0 for control as inference (the optimality likelihood is exp(r/α)), got ${alpha}`,
    );
  }
  if (schedule !== 'exact' && schedule !== 'variational')
    throw new RangeError(`schedule must be 'exact' or 'variational', got '${String(schedule)}'`);
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`gamma must be in [0, 1], got ${gamma}`);
  if (schedule === 'exact' && gamma !== 1) {
    throw new RangeError(
      `gamma must be 1 for the exact schedule (a discount is not a probability of the graphical model; use 'variational'), got ${gamma}`,
    );
  }
  const prior = opts.prior ?? uniform(nS, nA);
  if (prior.length !== nS * nA) throw new RangeError(`prior must have nS·nA = ${nS * nA} entries, got ${prior.length}`);
  if (opts.reward && opts.reward.length !== nS * nA)
    throw new RangeError(`reward must have nS·nA = ${nS * nA} entries, got ${opts.reward.length}`);
  const reward = opts.reward ?? modelReward(model);
  // Reward of one outcome: the table's (same for every outcome) or the model's own.
  const outcomeReward = (k: number, t: Transition): number => (opts.reward ? opts.reward[k] : t.reward);
  return { nS, nA, alpha, schedule, gamma, tol, maxIterations, prior, reward, outcomeReward };
}

/** log Σ_a p(a|s) exp(x_a) over the prior's support (−∞ when it is empty). */
function logSumExpPrior(x: Float64Array, prior: Float64Array, base: number, nA: number): number {
  let m = -Infinity;
  for (let a = 0; a < nA; a++) if (prior[base + a] > 0 && x[base + a] > m) m = x[base + a];
  if (m === -Infinity) return m;
  let z = 0;
  for (let a = 0; a < nA; a++) if (prior[base + a] > 0) z += prior[base + a] * Math.exp(x[base + a] - m);
  return m + Math.log(z);
}

/**
 * The stationary backward messages, by sweeping the schedule's recursion to its fixed point (in place,
 * state by state). For γ = 1 every posterior policy must end the episode with probability 1.
 */
export function backwardMessages(model: TabularModel, opts: InferenceOptions): BackwardMessages {
  const { nS, nA, alpha, schedule, gamma, tol, maxIterations, prior, reward, outcomeReward } = resolve(model, opts);
  const logBetaSA = new Float64Array(nS * nA);
  const logBetaS = new Float64Array(nS);
  const backup = (s: number, a: number): number => {
    const k = s * nA + a;
    if (schedule === 'variational') {
      let e = 0;
      for (const t of model.P[s][a]) if (!t.terminated) e += t.prob * logBetaS[t.next];
      return reward[k] / alpha + gamma * e;
    }
    // log Σ P(s'|s,a) exp(r/α) β(s') with β = 1 after termination, by log-sum-exp.
    const terms = model.P[s][a].map((t) => outcomeReward(k, t) / alpha + (t.terminated ? 0 : logBetaS[t.next]));
    let m = -Infinity;
    model.P[s][a].forEach((t, i) => t.prob > 0 && (m = Math.max(m, terms[i])));
    let z = 0;
    model.P[s][a].forEach((t, i) => (z += t.prob * Math.exp(terms[i] - m)));
    return m + Math.log(z);
  };
  let change = Infinity;
  let iterations = 0;
  while (iterations < maxIterations && !(change < tol)) {
    change = 0;
    for (let s = 0; s < nS; s++) {
      if (model.terminalStates.has(s)) continue;
      for (let a = 0; a < nA; a++) logBetaSA[s * nA + a] = backup(s, a);
      const v = logSumExpPrior(logBetaSA, prior, s * nA, nA);
      change = Math.max(change, Math.abs(v - logBetaS[s]));
      logBetaS[s] = v;
    }
    iterations++;
  }
  for (let s = 0; s < nS; s++)
    if (!model.terminalStates.has(s)) for (let a = 0; a < nA; a++) logBetaSA[s * nA + a] = backup(s, a);
  return { logBetaSA, logBetaS, iterations, converged: change < tol };
}

/**
 * π(a|s) = p(a|s) β(s,a) / β(s): the posterior over actions given optimality, with log β(s) recomputed
 * from the row so every row sums to 1 exactly up to rounding. Terminal states get the prior.
 */
export function actionPosterior(model: TabularModel, messages: BackwardMessages, prior?: Float64Array): Float64Array {
  const { nStates: nS, nActions: nA } = model;
  const p = prior ?? uniform(nS, nA);
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    const base = s * nA;
    if (model.terminalStates.has(s)) {
      pi.set(p.subarray(base, base + nA), base);
      continue;
    }
    const logZ = logSumExpPrior(messages.logBetaSA, p, base, nA);
    for (let a = 0; a < nA; a++)
      pi[base + a] = p[base + a] > 0 ? p[base + a] * Math.exp(messages.logBetaSA[base + a] - logZ) : 0;
  }
  return pi;
}

export interface ForwardMessages {
  /** m_t(s) for t = 0 … steps−1 (the first `keep` only), each of length nS. */
  marginals: Float64Array[];
  /** Σ_t m_t(s): the posterior's expected (discounted) number of visits to each state. */
  visitation: Float64Array;
  /** Mass still in play after the last step (the truncation error bound of `visitation`). */
  remaining: number;
  steps: number;
}

/**
 * The forward messages of the posterior: m_0 = the initial distribution, then
 * m_{t+1}(s') = Σ_{s,a} m_t(s) π(a|s) q(s'|s,a) over non-terminating transitions, where q is the posterior
 * dynamics: γ·P in the variational schedule, and P(s'|s,a) exp(r(s,a,s')/α) β(s') normalized over s' in the
 * exact one (pass its messages, α and the same reward table if any as `exact`; β = 1 after termination). Runs until the mass in play is below `tol`
 * (default 1e-14) or for `maxSteps` steps (default 100000).
 */
export function forwardMessages(
  model: TabularModel,
  pi: Float64Array,
  opts: {
    gamma?: number;
    exact?: { messages: BackwardMessages; alpha: number; reward?: Float64Array };
    keep?: number;
    tol?: number;
    maxSteps?: number;
  } = {},
): ForwardMessages {
  const { nStates: nS, nActions: nA } = model;
  const { gamma = 1, exact, keep = 0, tol = 1e-14, maxSteps = 100_000 } = opts;
  if (pi.length !== nS * nA) throw new RangeError(`pi must have nS·nA = ${nS * nA} entries, got ${pi.length}`);
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`gamma must be in [0, 1], got ${gamma}`);
  if (exact && gamma !== 1) throw new RangeError(`gamma must be 1 with the exact schedule's messages, got ${gamma}`);
  let m = Float64Array.from(model.initialDistribution);
  for (const s of model.terminalStates) m[s] = 0;
  const visitation = new Float64Array(nS);
  const marginals: Float64Array[] = [];
  // log of an outcome's posterior weight, up to a constant: r/α + log β(s') (β = 1 after termination).
  const logWeight = (k: number, t: Transition) =>
    (exact!.reward ? exact!.reward[k] : t.reward) / exact!.alpha +
    (t.terminated ? 0 : exact!.messages.logBetaS[t.next]);
  let steps = 0;
  let mass = m.reduce((x, y) => x + y, 0);
  while (steps < maxSteps && mass >= tol) {
    if (steps < keep) marginals.push(m);
    for (let s = 0; s < nS; s++) visitation[s] += m[s];
    const next = new Float64Array(nS);
    for (let s = 0; s < nS; s++) {
      if (m[s] === 0 || model.terminalStates.has(s)) continue;
      for (let a = 0; a < nA; a++) {
        const w = m[s] * pi[s * nA + a];
        if (w === 0) continue;
        const outcomes = model.P[s][a];
        if (!exact) {
          for (const t of outcomes) if (!t.terminated) next[t.next] += gamma * w * t.prob;
          continue;
        }
        const lw = outcomes.map((t) => logWeight(s * nA + a, t));
        let top = -Infinity;
        outcomes.forEach((t, i) => t.prob > 0 && (top = Math.max(top, lw[i])));
        let z = 0;
        outcomes.forEach((t, i) => (z += t.prob * Math.exp(lw[i] - top)));
        outcomes.forEach((t, i) => !t.terminated && (next[t.next] += (w * t.prob * Math.exp(lw[i] - top)) / z));
      }
    }
    m = next;
    mass = m.reduce((x, y) => x + y, 0);
    steps++;
  }
  return { marginals, visitation, remaining: mass, steps };
}
