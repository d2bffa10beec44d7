/**
 * LinearGaussian-v0 and its exact answers (src/worldmodel/soft-lqg.ts), each checked a second way: the
 * stationary soft Riccati solution against the finite-horizon recursion run long; α → 0 against a textbook
 * discrete Riccati iteration written here, and the soft gain against the closed form R → R + α/(2σ_p²);
 * the exact evaluation against Monte Carlo rollouts of the real env with the real Kalman filter; the
 * solved policy against random perturbations of it; the backward value against the forward evaluation.
 * The checks the README quotes are the `lqg-exact` experiment's functions (experiments/lqg-exact.ts), asserted here.
 */
import { describe, expect, it } from 'vitest';
import {
  ALPHA,
  episodeValueGap,
  exactAnswers,
  fixedPointGap,
  GAMMA,
  lqgOptions as opts,
  maxDiff,
  monteCarloCheck,
  textbookLqr,
} from '../experiments/lqg-exact.js';
import type { LinearGaussianTask } from '../src/core/linear-gaussian.js';
import { Rng } from '../src/core/rng.js';
import {
  LINEAR_GAUSSIAN_REFERENCES,
  LINEAR_GAUSSIAN_TASK as TASK,
  LinearGaussian,
} from '../src/envs/lineargaussian.js';
import { make } from '../src/envs/registry.js';
import { meanAndStdErr } from '../src/vi/linearGaussian.js';
import {
  episodeRows,
  episodeSequence,
  evaluateLinearPolicy,
  expectedValue,
  kalmanMeans,
  lqgRollouts,
  regressGain,
  softLqr,
  softLqrBackward,
  stationaryFilter,
  stationaryValue,
  type LinearGaussianPolicy,
} from '../src/worldmodel/soft-lqg.js';

/** N(0, 10²), the uniform prior's stand-in, and N(0, 0.3²), a tight reference that pulls the gain toward 0. */
const { flat: FLAT, tight: TIGHT } = LINEAR_GAUSSIAN_REFERENCES;

/** A task with a displaced start and a state-dependent, biased reference: every term of the solver is exercised. */
const SHIFTED: LinearGaussianTask = { ...TASK, model: { ...TASK.model, mu0: [1, -0.5] } };
const LEANING: LinearGaussianPolicy = { K: [[-0.5, 0.2]], k: [0.3], cov: [[0.5]] };

describe('LinearGaussian-v0', () => {
  it('is registered with its time limit, clips the force, and shows the hidden state only in info', () => {
    const env = make('LinearGaussian-v0');
    const first = env.reset({ seed: 3 });
    expect(first.obs).toBeInstanceOf(Float32Array);
    expect((first.obs as Float32Array).length).toBe(1);
    const full = first.info.fullObs as Float64Array;
    expect(full.length).toBe(2);
    // A force of 50 is the force 10: same reward, same next observation, from the same seed.
    const other = make('LinearGaussian-v0');
    other.reset({ seed: 3 });
    const a = env.step([50]);
    const b = other.step([10]);
    expect(a.reward).toBe(b.reward);
    expect(a.obs).toEqual(b.obs);
    let steps = 1;
    let last = a;
    while (!last.truncated) {
      last = env.step([0]);
      steps++;
      expect(last.terminated).toBe(false);
    }
    expect(steps).toBe(TASK.horizon);
  });

  it('the reward is −(xᵀQx + aᵀRa) of the state before the step and the clipped action', () => {
    const env = new LinearGaussian();
    env.reset({ seed: 1 });
    const [p, v] = env.state;
    const r = env.step([-12]).reward;
    expect(r).toBeCloseTo(-(1 * p * p + 0.1 * v * v + 0.1 * 100), 12);
  });
});

describe('soft LQG: the stationary optimum', () => {
  it('α = 0 is the textbook discounted LQR gain (1e-10), whatever the reference', () => {
    const book = textbookLqr(TASK, TASK.cost.R[0][0]);
    for (const ref of [FLAT, TIGHT, LEANING]) {
      const { policy, value } = softLqr(TASK, opts(ref, 0));
      expect(maxDiff(policy.K[0], book.K)).toBeLessThan(1e-10);
      expect(maxDiff(value.P.flat(), book.P.flat())).toBeLessThan(1e-9);
      expect(policy.k).toEqual([0]);
      expect(policy.cov).toEqual([[0]]);
    }
    console.log(`LQR gain (γ = ${GAMMA}): K = [${book.K.map((x) => x.toFixed(4)).join(', ')}]`);
  });

  it('a zero-mean state-independent reference N(0, σ_p²) is LQR with R + α/(2σ_p²), and Σ_π = (α/2)(R + α/(2σ_p²) + γBᵀPB)⁻¹', () => {
    for (const ref of [FLAT, TIGHT]) {
      const rEff = TASK.cost.R[0][0] + ALPHA / (2 * ref.cov[0][0]);
      const book = textbookLqr(TASK, rEff);
      const { policy } = softLqr(TASK, opts(ref));
      const [b0, b1] = [TASK.model.B[0][0], TASK.model.B[1][0]];
      const bPb = b0 * (book.P[0][0] * b0 + book.P[0][1] * b1) + b1 * (book.P[1][0] * b0 + book.P[1][1] * b1);
      expect(maxDiff(policy.K[0], book.K)).toBeLessThan(1e-10);
      expect(policy.cov[0][0]).toBeCloseTo(ALPHA / 2 / (rEff + GAMMA * bPb), 12);
    }
  });

  it('the tight reference N(0, 0.3²) shrinks the gain to 45.4 % of the flat N(0, 10²) one at α = 0.1', () => {
    const x = exactAnswers();
    expect(x.gainRatio).toBeGreaterThan(0.449);
    expect(x.gainRatio).toBeLessThan(0.459);
    // The flat reference stands in for "uniform": its pull on the gain is tiny (vs σ_p → ∞).
    expect(x.flatPull).toBeLessThan(3e-3);
    // The experiment's own checks, as the README quotes them.
    expect(x.lqr.textbookGap).toBeLessThan(1e-10);
    expect(x.zeroMeanGap).toBeLessThan(1e-10);
    expect(x.fixedPointGap).toBeLessThan(1e-9);
    expect(x.episodeValueGap).toBeLessThan(1e-9);
  });

  it('the Riccati fixed point equals the finite-horizon recursion run 300 steps back (1e-9), also with a biased, state-dependent reference', () => {
    for (const [task, ref] of [
      [TASK, FLAT],
      [TASK, TIGHT],
      [SHIFTED, LEANING],
    ] as const) {
      const sol = softLqr(task, opts(ref));
      expect(fixedPointGap(task, opts(ref), 300)).toBeLessThan(1e-9);
      expect(sol.iterations).toBeLessThan(20);
    }
  });

  it("the stationary value's constant c matches the forward evaluation started in the stationary filter (1e-8)", () => {
    // P₀ = the stationary prediction covariance P⁻∞ = Σ∞ + N∞: the filter is stationary from t = 0, so the
    // discounted soft objective over a long episode is E[V(x̂_0)], x̂_0 ~ N(μ₀, N∞).
    const { Sigma, N } = stationaryFilter(SHIFTED);
    const P0 = Sigma.map((row, i) => row.map((x, j) => x + N[i][j]));
    const task: LinearGaussianTask = { ...SHIFTED, model: { ...SHIFTED.model, P0 } };
    const o = opts(LEANING);
    const sol = softLqr(task, o);
    const forward = evaluateLinearPolicy(task, sol.policy, o, 3000);
    expect(Math.abs(forward.softObjective - expectedValue(sol.value, task.model.mu0, N))).toBeLessThan(1e-8);
  });
});

describe('soft LQG: exact evaluation', () => {
  it("the backward recursion's value equals the forward evaluation of its time-varying policies over one episode (1e-9)", () => {
    for (const [task, ref] of [
      [TASK, TIGHT],
      [SHIFTED, LEANING],
    ] as const) {
      expect(episodeValueGap(task, opts(ref))).toBeLessThan(1e-9);
    }
  });

  it('matches Monte Carlo rollouts of the real env with the online Kalman filter (return and soft objective within 4 standard errors)', () => {
    for (const [name, seed] of [
      ['flat', 1],
      ['tight', 2],
    ] as const) {
      const m = monteCarloCheck(name, seed, 3000);
      const zR = (m.mcReturn - m.exactReturn) / m.seReturn;
      const zJ = (m.mcJ - m.exactJ) / m.seJ;
      console.log(
        `${name}: return z ${zR.toFixed(2)}, soft objective z ${zJ.toFixed(2)}; max |a| ${m.maxAction.toFixed(2)}`,
      );
      expect(Math.abs(zR)).toBeLessThan(4);
      expect(Math.abs(zJ)).toBeLessThan(4);
      expect(m.maxAction).toBeLessThan(TASK.actionHigh[0]); // never clipped
      // The online filter is the batch filter: the same means from the episode's rows (which store the actions in float32).
      expect(m.filterGap).toBeLessThan(1e-6);
    }
  });

  it('the controller clearly beats a = 0, and the hidden velocity matters (exact returns of the episode)', () => {
    const o = opts(FLAT, 0);
    const { lqg, zero: none, positionOnly } = exactAnswers().returns;
    expect(lqg).toBeGreaterThan(0.1 * none);
    expect(lqg).toBeGreaterThan(positionOnly + 3);
    // The deterministic LQR controller (cov = 0, α = 0) on the real env, too.
    const mc = lqgRollouts(make('LinearGaussian-v0'), TASK, softLqr(TASK, o).policy, o, {
      episodes: 1000,
      seed: 4,
      rng: new Rng(4),
    });
    const R = meanAndStdErr(mc.returns);
    expect(Math.abs(R.mean - lqg)).toBeLessThan(4 * R.stdErr);
    expect(mc.softObjectives.every(Number.isFinite)).toBe(true); // no KL term at α = 0
  });

  it("regressing the sampled actions on the Kalman means recovers the policy's gain (1 %)", () => {
    const o = opts(FLAT);
    const { policy } = softLqr(TASK, o);
    const mc = lqgRollouts(make('LinearGaussian-v0'), TASK, policy, o, { episodes: 300, seed: 5, rng: new Rng(5) });
    const X = mc.episodes.flatMap((ep, e) => {
      const rows = episodeRows(ep);
      return kalmanMeans(TASK, rows.obs, rows.actions).slice(0, ep.length);
    });
    const acts = mc.episodes.flatMap((ep) => episodeRows(ep).actions);
    const fit = regressGain(X, acts);
    expect(maxDiff(fit.K[0], policy.K[0]) / Math.hypot(...policy.K[0])).toBeLessThan(0.01);
  });
});

describe('soft LQG: optimality', () => {
  /** Random unit directions in (K, k, log σ²) one at a time; the objective of the perturbed policy. */
  function perturbed(p: LinearGaussianPolicy, part: 'K' | 'k' | 'cov', rng: Rng, eps: number): LinearGaussianPolicy {
    if (part === 'K') {
      const d = [rng.normal(), rng.normal()];
      const n = Math.hypot(...d);
      return { ...p, K: [p.K[0].map((x, i) => x + (eps * d[i]) / n)] };
    }
    const sign = rng.uniform() < 0.5 ? -1 : 1;
    if (part === 'k') return { ...p, k: [p.k[0] + sign * eps] };
    return { ...p, cov: [[p.cov[0][0] * Math.exp(sign * eps)]] };
  }

  it('every random perturbation of K, k or Σ lowers the exact soft objective of the stationary (1000 steps) and the episode optimum', () => {
    const rng = new Rng('soft-lqg/perturb');
    for (const [task, ref] of [
      [TASK, FLAT],
      [TASK, TIGHT],
      [SHIFTED, LEANING],
    ] as const) {
      const o = opts(ref);
      const best = softLqr(task, o).policy;
      const J = (p: LinearGaussianPolicy) => evaluateLinearPolicy(task, p, o, 1000).softObjective;
      const J0 = J(best);
      const back = softLqrBackward(task, o, task.horizon).policies;
      const Jep = (ps: LinearGaussianPolicy[]) => evaluateLinearPolicy(task, ps, o).softObjective;
      const Jep0 = Jep(back);
      for (const part of ['K', 'k', 'cov'] as const) {
        for (let i = 0; i < 2; i++) {
          expect(J(perturbed(best, part, rng, 0.05))).toBeLessThan(J0);
          const seed = rng.integer(1e9);
          expect(Jep(back.map((p) => perturbed(p, part, new Rng(seed), 0.05)))).toBeLessThan(Jep0);
        }
      }
    }
  });

  it('the test can fail: the LQR policy is not optimal under the tight reference, and a step toward the soft one gains', () => {
    const o = opts(TIGHT);
    const lqr = softLqr(TASK, opts(TIGHT, 0)).policy;
    const soft = softLqr(TASK, o).policy;
    const withNoise = { ...lqr, cov: soft.cov };
    const J = (p: LinearGaussianPolicy) => evaluateLinearPolicy(TASK, p, o, 1000).softObjective;
    const toward = { ...withNoise, K: [withNoise.K[0].map((x, i) => x + 0.05 * (soft.K[0][i] - x))] };
    expect(J(toward)).toBeGreaterThan(J(withNoise));
    expect(J(soft)).toBeGreaterThan(J(toward));
  });
});

describe('soft LQG: bad input, one line each', () => {
  it('names the field, the value and what is allowed', () => {
    expect(() => softLqr(TASK, { ...opts(FLAT), alpha: -1 })).toThrow(
      'SoftLqgOptions.alpha: got -1, allowed: a finite number ≥ 0',
    );
    expect(() => softLqr(TASK, { ...opts(FLAT), gamma: 1 })).toThrow(
      'SoftLqgOptions.gamma: got 1, allowed: a number in (0, 1)',
    );
    expect(() => evaluateLinearPolicy(TASK, softLqr(TASK, opts(FLAT)).policy, { ...opts(FLAT), gamma: 1.5 })).toThrow(
      'SoftLqgOptions.gamma: got 1.5, allowed: a number in (0, 1]',
    );
    expect(() => softLqr(TASK, opts({ ...FLAT, K: [[0], [0]] }))).toThrow(
      'SoftLqgOptions.reference.K: got [[0],[0]], allowed: a 1×2 matrix of finite numbers',
    );
    expect(() => softLqr(TASK, opts({ ...FLAT, cov: [[-1]] }))).toThrow(
      'SoftLqgOptions.reference.cov: got [[-1]], allowed: a symmetric positive-definite matrix',
    );
    expect(() => softLqr(TASK, opts({ ...FLAT, k: [NaN] }))).toThrow(
      'SoftLqgOptions.reference.k: got [null], allowed: a vector of 1 finite numbers',
    );
    const det = { K: [[0, 0]], k: [0], cov: [[0]] };
    expect(() => evaluateLinearPolicy(TASK, det, opts(FLAT))).toThrow(
      'policy.cov: got [[0]], allowed: a symmetric positive-definite matrix',
    );
    expect(() => evaluateLinearPolicy(TASK, det, opts(FLAT, 0), 0)).toThrow(
      'evaluateLinearPolicy.horizon: got 0, allowed: a positive integer',
    );
    expect(() => evaluateLinearPolicy(TASK, [det, det], opts(FLAT, 0))).toThrow(
      'evaluateLinearPolicy.policy: got 2 policies, allowed: 1 or horizon = 100',
    );
    expect(() => episodeSequence(TASK, [[0], [0]], [[0], [0], [0]])).toThrow(
      'episodeSequence.actions: got 3 actions for 2 observations, allowed: 1 (a_t leads to y_{t+1}) or 2 (the last unused)',
    );
    expect(() => kalmanMeans(TASK, [[0, 1]], [])).toThrow(
      'episodeSequence.obs[0]: got [0,1], allowed: a vector of 1 finite numbers',
    );
    expect(() => regressGain([[0, 0]], [])).toThrow(
      'regressGain: got 1 means and 0 actions, allowed: equal positive counts',
    );
    expect(() => stationaryValue(TASK, opts(FLAT), { K: [[0, 0]], k: [0], cov: [[1]] })).not.toThrow();
    expect(() => stationaryValue(TASK, opts(FLAT), { K: [[100, 100]], k: [0], cov: [[1]] })).toThrow(
      'stationaryValue: the policy does not stabilize √γ·(A + BK) (its value is unbounded)',
    );
  });
});
