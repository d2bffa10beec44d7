import { describe, expect, it } from 'vitest';
import { computeGae } from '../src/agents/klppo/gae.js';
import { klEstimates } from '../src/agents/klppo/estimators.js';
import { makeKlController } from '../src/agents/klppo/controllers.js';
import { klDivergence } from '../src/agents/exact/index.js';
import { klRegularizedOptimum, totalVariation } from '../src/agents/klppo/optimum.js';
import { TokenSeq } from '../src/envs/tokens.js';
import { Rng } from '../src/core/rng.js';

describe('GAE', () => {
  it('matches a hand-computed oracle with termination, truncation and a rollout cut', () => {
    // One env, 4 steps: step 1 terminates, step 2 is truncated (bootstraps from its final obs), step 3 is cut by the rollout end.
    const gamma = 0.9;
    const lambda = 0.8;
    const rewards = [1, 2, 3, 4];
    const values = [0.5, 1.0, 1.5, 2.0];
    const nextValues = [1.0, 99, 7.0, 3.0];
    const terminated = [false, true, false, false];
    const truncated = [false, false, true, false];
    const { advantages, returns } = computeGae({
      rewards,
      values,
      nextValues,
      terminated,
      truncated,
      numSteps: 4,
      numEnvs: 1,
      gamma,
      lambda,
    });
    const d3 = 4 + 0.9 * 3.0 - 2.0;
    const d2 = 3 + 0.9 * 7.0 - 1.5;
    const d1 = 2 - 1.0;
    const d0 = 1 + 0.9 * 1.0 - 0.5;
    const oracle = [d0 + gamma * lambda * d1, d1, d2, d3];
    oracle.forEach((a, i) => expect(advantages[i]).toBeCloseTo(a, 5));
    oracle.forEach((a, i) => expect(returns[i]).toBeCloseTo(a + values[i], 5));
  });

  it('keeps envs separate in the [step, env] layout and equals discounted returns at λ = 1', () => {
    const rewards = [1, 10, 1, 10, 1, 10];
    const zeros = [0, 0, 0, 0, 0, 0];
    const f = [false, false, false, false, false, false];
    const { returns } = computeGae({
      rewards,
      values: zeros,
      nextValues: zeros,
      terminated: f,
      truncated: f,
      numSteps: 3,
      numEnvs: 2,
      gamma: 0.5,
      lambda: 1,
    });
    expect(Array.from(returns)).toEqual([1.75, 17.5, 1.5, 15, 1, 10]);
  });

  it('rejects mismatched lengths naming the field', () => {
    expect(() =>
      computeGae({
        rewards: [1],
        values: [1, 2],
        nextValues: [1],
        terminated: [0],
        truncated: [0],
        numSteps: 1,
        numEnvs: 1,
        gamma: 1,
        lambda: 1,
      }),
    ).toThrow(/values/);
  });
});

describe('KL estimators', () => {
  it('k1 and k3 are unbiased for KL(π‖π_ref), k3 and k2 are never negative, k1 can be', () => {
    const pi = [0.5, 0.3, 0.2];
    const ref = [0.3, 0.4, 0.3];
    const exact = klDivergence(pi, ref);
    const rng = new Rng(7);
    const n = 200_000;
    const logp = new Float64Array(n);
    const refLogp = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = rng.categorical(pi);
      logp[i] = Math.log(pi[a]);
      refLogp[i] = Math.log(ref[a]);
    }
    const est = klEstimates(logp, refLogp);
    expect(Math.abs(est.k1 - exact)).toBeLessThan(0.003);
    expect(Math.abs(est.k3 - exact)).toBeLessThan(0.003);
    // k1 of a single sample from action 1 (likelier under the reference) is negative; k3 is not.
    const one = klEstimates([Math.log(0.3)], [Math.log(0.4)]);
    expect(one.k1).toBeLessThan(0);
    expect(one.k3).toBeGreaterThan(0);
    expect(one.k2).toBeGreaterThan(0);
  });
});

describe('β controllers', () => {
  it('adaptive: β grows when KL exceeds the target, shrinks below it, with the clipped error', () => {
    const c = makeKlController({ kind: 'adaptive', beta: 0.1, target: 1, horizon: 1000 });
    c.update(10, 100); // e clipped to 0.2 → β·(1 + 0.02)
    expect(c.beta).toBeCloseTo(0.1 * 1.02, 10);
    c.update(0.9, 100); // e = −0.1 → ·(1 − 0.01)
    expect(c.beta).toBeCloseTo(0.1 * 1.02 * 0.99, 10);
    const f = makeKlController({ kind: 'fixed', beta: 0.3 });
    f.update(100, 1000);
    expect(f.beta).toBe(0.3);
  });

  it('rejects a non-finite β and a KL target ≤ 0, naming the field', () => {
    expect(() => makeKlController({ kind: 'fixed', beta: Number.NaN })).toThrow(/klControl\.beta/);
    expect(() => makeKlController({ kind: 'fixed', beta: Infinity })).toThrow(/klControl\.beta/);
    expect(() => makeKlController({ kind: 'adaptive', beta: 0.1, target: 0, horizon: 10 })).toThrow(
      /klControl\.target/,
    );
    expect(() => makeKlController({ kind: 'adaptive', beta: 0.1, target: -1, horizon: 10 })).toThrow(
      /klControl\.target/,
    );
  });
});

describe('closed-form optimum', () => {
  it('π* ∝ π_ref·exp(R/β) maximizes E[R] − β·KL among perturbed policies; β = 0 picks the argmax', () => {
    const ref = [0.5, 0.3, 0.2];
    const R = [0, 1, 0.5];
    const beta = 0.4;
    const opt = klRegularizedOptimum(ref, R, beta);
    const J = (p: ArrayLike<number>) =>
      Array.from(p).reduce((s, x, i) => s + x * R[i], 0) - beta * klDivergence(p, ref);
    const rng = new Rng(3);
    for (let k = 0; k < 200; k++) {
      const q = Array.from(opt.probs, (x) => x * Math.exp(0.3 * rng.normal()));
      const z = q.reduce((a, b) => a + b, 0);
      expect(J(q.map((x) => x / z))).toBeLessThanOrEqual(J(opt.probs) + 1e-12);
    }
    expect(Array.from(klRegularizedOptimum(ref, R, 0).probs)).toEqual([0, 1, 0]);
    expect(totalVariation([1, 0], [0, 1])).toBe(1);
  });
});

describe('TokenSeq-v0', () => {
  const env = new TokenSeq();
  it('enumerates 256 sequences whose reference probabilities sum to 1 and match rollouts', () => {
    const seqs = env.allSequences();
    expect(seqs.length).toBe(256);
    const ref = env.sequenceProbs((s) => env.referenceTable[s]);
    expect(ref.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    // Sample from the bigram LM through the env and compare frequencies with the enumeration.
    const rng = new Rng(11);
    const counts = new Float64Array(256);
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      let { obs } = env.reset();
      for (;;) {
        const step = env.step(rng.categorical(env.referenceTable[obs]));
        obs = step.obs;
        if (step.terminated) {
          counts[obs - env.offset(env.length)] += 1 / n;
          expect(step.reward).toBe(env.score(step.info.sequence as number[]));
          break;
        }
      }
    }
    expect(totalVariation(counts, ref)).toBeLessThan(0.05);
  });

  it('has a degenerate reward maximum that the reference almost never writes', () => {
    const R = env.sequenceRewards();
    const ref = env.sequenceProbs((s) => env.referenceTable[s]);
    const best = R.indexOf(Math.max(...R));
    expect(env.text(env.allSequences()[best])).toBe('aaaa');
    expect(ref[best]).toBeLessThan(1e-4);
    expect(R.filter((r) => r === 1).length).toBe(1);
  });

  it('state indexing round-trips and the tabular model agrees with step()', () => {
    for (let s = 0; s < env.observationSpace.n; s++) expect(env.stateOf(env.prefixOf(s))).toBe(s);
    env.reset();
    const steps = [2, 3, 0, 0].map((a) => env.step(a));
    const last = steps[3];
    const tr = env.model.P[env.stateOf([2, 3, 0])][0][0];
    expect(tr.next).toBe(last.obs);
    expect(tr.reward).toBe(last.reward);
    expect(tr.terminated).toBe(true);
    expect(() => new TokenSeq({ vocab: 1 })).toThrow(/vocab/);
  });
});
