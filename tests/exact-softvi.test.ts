// The exact soft solver against independently derived values: step counting on CliffWalking, a
// separate mathjs linear solve on FrozenLake, and the soft Bellman equations re-evaluated here.
import { lusolve } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { Discrete } from '../src/core/spaces.js';
import { makeCliffWalking } from '../src/envs/cliffwalking.js';
import { makeFrozenLake } from '../src/envs/frozenlake.js';
import type { TabularModel } from '../src/envs/env.js';
import {
  entropyAt,
  evaluatePolicy,
  hittingProbability,
  klAt,
  klDivergence,
  softValueIteration,
  stateVisitation,
} from '../src/agents/exact/index.js';
import { uniformTable } from '../src/priors/prior.js';
import { randomPrior } from './numeric.js';

const uniform = (nS: number, nA: number) => uniformTable('prior', new Discrete(nS), nA);

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Q(s,a) = Σ p [r + γ(1−term) V(s')], written out directly from the model. */
function backup(model: TabularModel, V: Float64Array, gamma: number, s: number, a: number): number {
  return model.P[s][a].reduce((q, t) => q + t.prob * (t.reward + (t.terminated ? 0 : gamma * V[t.next])), 0);
}

describe('hard value iteration (α = 0)', () => {
  it('CliffWalking: V*(row, col) = −(steps to the goal) = −((3 − row) + (11 − col)), start −13', () => {
    const { model } = makeCliffWalking();
    const r = softValueIteration(model, { alpha: 0, gamma: 1 });
    expect(r.converged).toBe(true);
    for (let row = 0; row < 3; row++)
      for (let col = 0; col < 12; col++) expect(r.V[row * 12 + col]).toBe(-(3 - row + (11 - col)));
    expect(r.V[36]).toBe(-13);
    // The greedy policy from the start goes Up, then Right along row 2 (never the cliff).
    expect(r.pi[36 * 4 + 0]).toBe(1);
    expect(r.pi[(2 * 12 + 5) * 4 + 1]).toBeGreaterThan(0);
    expect(r.pi[(2 * 12 + 5) * 4 + 2]).toBe(0);
  });

  it('FrozenLake 4x4: V* equals a separate linear-solve evaluation of its greedy policy', () => {
    const { model } = makeFrozenLake();
    const gamma = 0.99;
    const r = softValueIteration(model, { alpha: 0, gamma });
    // (I − γ P_π) V = r_π, assembled from model.P here and solved by mathjs.
    const n = model.nStates;
    const A: number[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
    const b: number[] = new Array(n).fill(0);
    for (let s = 0; s < n; s++) {
      if (model.terminalStates.has(s)) continue;
      for (let a = 0; a < 4; a++) {
        const w = r.pi[s * 4 + a];
        for (const t of model.P[s][a]) {
          b[s] += w * t.prob * t.reward;
          if (!t.terminated) A[s][t.next] -= gamma * w * t.prob;
        }
      }
    }
    const V = (lusolve(A, b) as number[][]).map((row) => row[0]);
    expect(maxAbsDiff(r.V, V)).toBeLessThan(1e-8);
    expect(r.V[0]).toBeGreaterThan(0.5); // the start is worth a good chance of reaching the goal
    expect(r.V[0]).toBeLessThan(0.6);
    // Bellman optimality: V(s) = max_a Q(s,a), recomputed from the model.
    for (let s = 0; s < n; s++) {
      if (model.terminalStates.has(s)) continue;
      const best = Math.max(...[0, 1, 2, 3].map((a) => backup(model, r.V, gamma, s, a)));
      expect(Math.abs(best - r.V[s])).toBeLessThan(1e-9);
    }
  });
});

describe('soft value iteration (α > 0)', () => {
  const { model } = makeFrozenLake({ mapName: '8x8' });
  const nS = model.nStates;
  const gamma = 0.95;

  it('satisfies the soft Bellman equations with a uniform prior (residual ≈ 0)', () => {
    const alpha = 0.1;
    const r = softValueIteration(model, { alpha, gamma });
    expect(r.converged).toBe(true);
    for (let s = 0; s < nS; s++) {
      if (model.terminalStates.has(s)) continue;
      const q = [0, 1, 2, 3].map((a) => backup(model, r.V, gamma, s, a));
      const m = Math.max(...q);
      const v = m + alpha * Math.log(q.reduce((z, x) => z + 0.25 * Math.exp((x - m) / alpha), 0));
      expect(Math.abs(v - r.V[s])).toBeLessThan(1e-8);
    }
  });

  it('π* = p·exp(Q/α) normalized for a non-uniform prior, and the prior shifts the policy', () => {
    const alpha = 0.05;
    const prior = randomPrior(nS, 4, 11);
    const r = softValueIteration(model, { alpha, gamma, prior });
    const rUniform = softValueIteration(model, { alpha, gamma });
    for (let s = 0; s < nS; s++) {
      if (model.terminalStates.has(s)) continue;
      const w = [0, 1, 2, 3].map((a) => prior[s * 4 + a] * Math.exp(backup(model, r.V, gamma, s, a) / alpha));
      const z = w.reduce((x, y) => x + y, 0);
      for (let a = 0; a < 4; a++) expect(Math.abs(r.pi[s * 4 + a] - w[a] / z)).toBeLessThan(1e-8);
    }
    expect(maxAbsDiff(r.pi, rUniform.pi)).toBeGreaterThan(0.1);
  });

  it('α → 0 converges to the hard optimum within α·log(nA)/(1−γ)', () => {
    const hard = softValueIteration(model, { alpha: 0, gamma });
    let previous = Infinity;
    for (const alpha of [1e-1, 1e-2, 1e-3, 1e-4]) {
      const soft = softValueIteration(model, { alpha, gamma });
      const gap = maxAbsDiff(soft.V, hard.V);
      expect(gap).toBeLessThanOrEqual((alpha * Math.log(4)) / (1 - gamma) + 1e-9);
      expect(gap).toBeLessThan(previous);
      previous = gap;
      // The soft value never exceeds the hard one under a uniform prior.
      for (let s = 0; s < nS; s++) expect(soft.V[s]).toBeLessThanOrEqual(hard.V[s] + 1e-9);
    }
    // ... and the policy concentrates on the hard-optimal actions.
    const soft = softValueIteration(model, { alpha: 1e-7, gamma });
    for (let s = 0; s < nS; s++) {
      if (model.terminalStates.has(s)) continue;
      let onOptimal = 0;
      for (let a = 0; a < 4; a++) if (hard.pi[s * 4 + a] > 0) onOptimal += soft.pi[s * 4 + a];
      expect(onOptimal).toBeGreaterThan(0.99);
    }
  });

  it('evaluating π* with its KL penalty gives back V*; a worse policy scores lower', () => {
    const alpha = 0.05;
    const prior = randomPrior(nS, 4, 3);
    const r = softValueIteration(model, { alpha, gamma, prior });
    const ev = evaluatePolicy(model, r.pi, { alpha, gamma, prior });
    expect(maxAbsDiff(ev.V, r.V)).toBeLessThan(1e-8);
    expect(maxAbsDiff(ev.Q, r.Q)).toBeLessThan(1e-8);
    const other = evaluatePolicy(model, uniform(nS, 4), { alpha, gamma, prior });
    expect(other.V[0]).toBeLessThan(r.V[0] - 1e-3);
  });

  it('a prior with zeros restricts π* to its support (α = 0 and α > 0)', () => {
    const prior = uniform(nS, 4);
    for (let s = 0; s < nS; s++) {
      prior.set([0, 0.5, 0.5, 0], s * 4); // only Down and Right
    }
    for (const alpha of [0, 0.1]) {
      const r = softValueIteration(model, { alpha, gamma, prior });
      for (let s = 0; s < nS; s++) if (!model.terminalStates.has(s)) expect(r.pi[s * 4] + r.pi[s * 4 + 3]).toBe(0);
    }
  });
});

describe('visitation and hitting probabilities', () => {
  it('CliffWalking greedy path: 13 states visited once each; discounted occupancy sums to (1 − γ¹³)/(1 − γ)', () => {
    const { model } = makeCliffWalking();
    const { pi } = softValueIteration(model, { alpha: 0, gamma: 0.9 });
    const d = stateVisitation(model, pi);
    expect(d.reduce((x, y) => x + y, 0)).toBeCloseTo(13, 10);
    expect(d[36]).toBeCloseTo(1, 12);
    expect(d[24]).toBeCloseTo(1, 12);
    expect(d[0]).toBeCloseTo(0, 12);
    const dg = stateVisitation(model, pi, { gamma: 0.9 });
    expect(dg.reduce((x, y) => x + y, 0)).toBeCloseTo((1 - 0.9 ** 13) / (1 - 0.9), 10);
  });

  it('FrozenLake: P(goal) + P(hole) = 1, and P(goal) is the undiscounted value of the policy', () => {
    const { model } = makeFrozenLake();
    const { pi } = softValueIteration(model, { alpha: 0.02, gamma: 0.99 });
    const goal = hittingProbability(model, pi, new Set([15]))[0];
    const hole = hittingProbability(model, pi, new Set([5, 7, 11, 12]))[0];
    expect(goal + hole).toBeCloseTo(1, 10);
    expect(goal).toBeCloseTo(evaluatePolicy(model, pi, { alpha: 0, gamma: 1 }).V[0], 10);
  });
});

describe('per-state KL and entropy', () => {
  it('klAt is klDivergence on the rows; entropyAt is log nA on a uniform row and 0 on a one-hot row', () => {
    const pi = Float64Array.from([0.7, 0.2, 0.1, 0, 1, 0]);
    const prior = Float64Array.from([0.5, 0.25, 0.25, 1 / 3, 1 / 3, 1 / 3]);
    const kl0 = 0.7 * Math.log(0.7 / 0.5) + 0.2 * Math.log(0.2 / 0.25) + 0.1 * Math.log(0.1 / 0.25);
    expect(klAt(pi, prior, 0, 3)).toBeCloseTo(kl0, 14);
    expect(klAt(pi, prior, 1, 3)).toBeCloseTo(Math.log(3), 14);
    expect(klDivergence([0.7, 0.2, 0.1], [0.5, 0.25, 0.25])).toBe(klAt(pi, prior, 0, 3));
    expect(entropyAt(prior, 1, 3)).toBeCloseTo(Math.log(3), 14);
    expect(entropyAt(pi, 1, 3)).toBe(0);
    expect(() => klDivergence([1], [0.5, 0.5])).toThrow('klDivergence: lengths differ (1 vs 2)');
  });
});

describe('bad input', () => {
  const { model } = makeFrozenLake();
  it('names the bad row, the value and what is allowed', () => {
    const prior = uniform(16, 4);
    prior[3 * 4] = 0.5;
    expect(() => softValueIteration(model, { alpha: 1, gamma: 0.9, prior })).toThrow(
      'prior row 3 must sum to 1, sums to 1.25',
    );
    expect(() => softValueIteration(model, { alpha: -1, gamma: 0.9 })).toThrow(
      'alpha must be a finite number ≥ 0, got -1',
    );
    expect(() => softValueIteration(model, { alpha: 1, gamma: 1.5 })).toThrow('gamma must be in [0, 1], got 1.5');
    expect(() => softValueIteration(model, { alpha: 1, gamma: 0.9, prior: new Float64Array(3) })).toThrow(
      /nS·nA = 16·4 = 64 entries, got 3/,
    );
    const zeroPrior = uniform(16, 4);
    zeroPrior.set([1, 0, 0, 0], 0);
    expect(() => evaluatePolicy(model, uniform(16, 4), { alpha: 1, gamma: 0.9, prior: zeroPrior })).toThrow(
      /pi\[0\]\[1\] = 0.25 > 0 where prior\[0\]\[1\] = 0/,
    );
  });
});
