// Control as inference: the posterior over actions given optimality, computed by message passing, against the
// soft-optimal policy of the exact solver (refined to machine precision by soft policy iteration).
import { describe, expect, it } from 'vitest';
import { makeTwoRoute, twoRouteReference, TWO_ROUTE_START } from '../src/envs/tworoute.js';
import {
  actionPosterior,
  backwardMessages,
  forwardMessages,
  softOptimalPrecise,
  softValueIteration,
  stateVisitation,
} from '../src/agents/exact/index.js';
import { randomPrior } from './numeric.js';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

const deterministic = makeTwoRoute().model;
const slippery = makeTwoRoute({ slip: 0.2 }).model;
const nS = deterministic.nStates;
const priors: Record<string, Float64Array> = {
  uniform: new Float64Array(nS * 4).fill(0.25),
  guide: twoRouteReference(deterministic),
  random: randomPrior(nS, 4, 7),
};
const alphas = [0.05, 0.15, 0.5, 1.5];

describe('posterior over actions given optimality = soft-optimal policy', () => {
  for (const [name, prior] of Object.entries(priors)) {
    it(`exact inference, deterministic TwoRoute, γ = 1, ${name} prior, α ∈ {${alphas.join(', ')}}: to 1e-9`, () => {
      for (const alpha of alphas) {
        const msgs = backwardMessages(deterministic, { alpha, prior, schedule: 'exact' });
        expect(msgs.converged).toBe(true);
        const post = actionPosterior(deterministic, msgs, prior);
        const star = softOptimalPrecise(deterministic, { alpha, gamma: 1, prior });
        expect(maxAbsDiff(post, star.pi)).toBeLessThan(1e-9);
        // log β(s) is V*(s)/α.
        expect(Math.abs(msgs.logBetaS[TWO_ROUTE_START] * alpha - star.V[TWO_ROUTE_START])).toBeLessThan(1e-9);
      }
    });

    it(`variational inference, slippery TwoRoute (slip 0.2), γ = 0.95, ${name} prior: to 1e-9`, () => {
      for (const alpha of alphas) {
        const msgs = backwardMessages(slippery, { alpha, prior, gamma: 0.95 });
        const post = actionPosterior(slippery, msgs, prior);
        const star = softOptimalPrecise(slippery, { alpha, gamma: 0.95, prior });
        expect(maxAbsDiff(post, star.pi)).toBeLessThan(1e-9);
      }
    });
  }

  it('exact inference with stochastic dynamics is optimistic: log β ≥ V*/α everywhere, and its posterior is not π*', () => {
    const alpha = 0.15;
    const exact = backwardMessages(slippery, { alpha, schedule: 'exact' });
    const star = softOptimalPrecise(slippery, { alpha, gamma: 1 });
    // Jensen: log E[β(s')] ≥ E[log β(s')], strictly where the outcomes' values differ.
    for (let s = 0; s < nS; s++) expect(exact.logBetaS[s]).toBeGreaterThanOrEqual(star.V[s] / alpha - 1e-9);
    expect(exact.logBetaS[TWO_ROUTE_START]).toBeGreaterThan(star.V[TWO_ROUTE_START] / alpha + 0.1);
    expect(maxAbsDiff(actionPosterior(slippery, exact), star.pi)).toBeGreaterThan(0.01);
  });
});

describe('forward messages', () => {
  it('their sum over time is the exact state visitation of the posterior (variational, γ = 0.95, slip 0.2)', () => {
    const prior = priors.guide;
    const msgs = backwardMessages(slippery, { alpha: 0.15, prior, gamma: 0.95 });
    const post = actionPosterior(slippery, msgs, prior);
    const fwd = forwardMessages(slippery, post, { gamma: 0.95, keep: 5 });
    expect(fwd.remaining).toBeLessThan(1e-14);
    expect(maxAbsDiff(fwd.visitation, stateVisitation(slippery, post, { gamma: 0.95 }))).toBeLessThan(1e-9);
    expect(fwd.marginals[0][TWO_ROUTE_START]).toBe(1);
    // Each later marginal has lost mass to the discount and to termination.
    const mass = fwd.marginals.map((m) => m.reduce((x, y) => x + y, 0));
    for (let t = 1; t < mass.length; t++) expect(mass[t]).toBeLessThan(mass[t - 1]);
  });

  it('exact schedule: the posterior also bends the dynamics, so its visitation differs from P under the same policy', () => {
    const msgs = backwardMessages(slippery, { alpha: 0.15, schedule: 'exact' });
    const post = actionPosterior(slippery, msgs);
    const bent = forwardMessages(slippery, post, { exact: { messages: msgs, alpha: 0.15 } });
    const plain = forwardMessages(slippery, post);
    expect(maxAbsDiff(plain.visitation, stateVisitation(slippery, post))).toBeLessThan(1e-9);
    expect(maxAbsDiff(bent.visitation, plain.visitation)).toBeGreaterThan(0.01);
    // Deterministic moves leave nothing to bend.
    const d = backwardMessages(deterministic, { alpha: 0.15, schedule: 'exact' });
    const dp = actionPosterior(deterministic, d);
    expect(
      maxAbsDiff(
        forwardMessages(deterministic, dp, { exact: { messages: d, alpha: 0.15 } }).visitation,
        stateVisitation(deterministic, dp),
      ),
    ).toBeLessThan(1e-9);
  });
});

describe('precise soft-optimal policy and input errors', () => {
  it('soft policy iteration polishes soft value iteration to a Bellman residual near rounding', () => {
    const loose = softValueIteration(slippery, { alpha: 0.15, gamma: 0.95, tol: 1e-4 });
    const precise = softOptimalPrecise(slippery, { alpha: 0.15, gamma: 0.95 });
    expect(precise.residual).toBeLessThan(1e-12);
    expect(maxAbsDiff(loose.V, precise.V)).toBeGreaterThan(1e-7);
  });

  it('name the bad field', () => {
    expect(() => backwardMessages(deterministic, { alpha: 0 })).toThrow(/alpha must be a finite number > 0.*got 0/);
    expect(() => backwardMessages(deterministic, { alpha: 0.1, schedule: 'exact', gamma: 0.9 })).toThrow(
      /gamma must be 1 for the exact schedule.*got 0.9/,
    );
    expect(() => backwardMessages(deterministic, { alpha: 0.1, prior: new Float64Array(3) })).toThrow(
      /prior must have nS·nA = 216 entries, got 3/,
    );
    expect(() => backwardMessages(deterministic, { alpha: 0.1, reward: new Float64Array(5) })).toThrow(
      /reward must have nS·nA = 216 entries, got 5/,
    );
    expect(() => softOptimalPrecise(deterministic, { alpha: 0, gamma: 0.9 })).toThrow(
      /alpha must be a finite number > 0.*got 0/,
    );
  });
});
