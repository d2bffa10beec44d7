import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Categorical, DiagGaussian, TanhGaussian, standardNormal, uniformTensor } from '../src/core/distributions.js';
import { Rng } from '../src/core/rng.js';
import { stopGradient } from '../src/core/tensor.js';
import { initNodeBackend } from '../src/node/backend.js';
import { meanAndStdErr } from '../src/vi/linearGaussian.js';

beforeAll(async () => {
  await initNodeBackend();
});

const read = (t: tf.Tensor): number[] => Array.from(t.dataSync());

/** Expects |estimate − exact| ≤ k standard errors of the Monte Carlo estimate. */
function expectWithinSE(values: ArrayLike<number>, exact: number, k = 5): void {
  const { mean, stdErr } = meanAndStdErr(values);
  expect(stdErr).toBeGreaterThan(0);
  expect(Math.abs(mean - exact)).toBeLessThanOrEqual(k * stdErr);
}

/** erf by its Maclaurin series, accurate in float64 for |x| ≤ 3 (independent of the code under test). */
function erf(x: number): number {
  if (Math.abs(x) > 3) throw new RangeError(`test erf: |x| ≤ 3 required, got ${x}`);
  let term = x;
  let sum = x;
  for (let n = 1; n < 100; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
const normalCdf = (z: number): number => 0.5 * (1 + erf(z / Math.SQRT2));

describe('noise helpers', () => {
  it('are deterministic given the seed, with the requested shape and support', () => {
    const a = tf.tidy(() => read(standardNormal(new Rng(7), [3, 4])));
    const b = tf.tidy(() => read(standardNormal(new Rng(7), [3, 4])));
    const c = tf.tidy(() => read(standardNormal(new Rng(8), [3, 4])));
    expect(a).toHaveLength(12);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const u = tf.tidy(() => read(uniformTensor(new Rng(1), [10_000])));
    expect(Math.min(...u)).toBeGreaterThan(0);
    expect(Math.max(...u)).toBeLessThan(1);
    // Uniform(0,1): mean ½, variance 1/12.
    expectWithinSE(u, 0.5);
    expect(() => standardNormal(new Rng(1), [2, -1])).toThrow(/standardNormal: shape must be .* got \[2, -1\]/);
  });

  it('uniformTensor stays strictly inside (0, 1) in float32 at both extremes of the generator, so Gumbel noise is finite', () => {
    const extremes = [0, 1 - 2 ** -53];
    let i = 0;
    const rng = { uniform: () => extremes[i++ % 2] } as unknown as Rng;
    const u = tf.tidy(() => read(uniformTensor(rng, [2])));
    expect(u).toEqual([2 ** -24, 1 - 2 ** -24]);
    const gumbel = u.map((x) => -Math.log(-Math.log(Math.fround(x))));
    expect(gumbel.every(Number.isFinite)).toBe(true);
  });
});

describe('stopGradient', () => {
  it('passes the value through and blocks the gradient', () => {
    const [value, grad] = tf.tidy(() => {
      const x = tf.tensor1d([1, 2]);
      const f = (v: tf.Tensor) => tf.sum(tf.add(tf.mul(v, v), tf.mul(3, stopGradient(tf.mul(v, v)))));
      return [f(x).dataSync()[0], Array.from(tf.grad(f)(x).dataSync())];
    });
    expect(value).toBe(20); // (1 + 4) + 3·(1 + 4)
    expect(grad).toEqual([2, 4]); // d(v²)/dv only
  });
});

describe('Categorical', () => {
  const logitsRow = [0.5, -1, 2, 0];
  const probs = (() => {
    const e = logitsRow.map(Math.exp);
    const z = e.reduce((s, v) => s + v, 0);
    return e.map((v) => v / z);
  })();

  it('sampling frequencies match the probabilities (each cell within 5 binomial s.e.)', () => {
    const n = 20_000;
    const draws = tf.tidy(() => read(new Categorical(tf.tile(tf.tensor2d([logitsRow]), [n, 1])).sample(new Rng(3))));
    const counts = new Array(logitsRow.length).fill(0);
    for (const a of draws) counts[a]++;
    probs.forEach((p, i) => expect(Math.abs(counts[i] - n * p)).toBeLessThanOrEqual(5 * Math.sqrt(n * p * (1 - p))));
  });

  it('log-prob, entropy (vs Monte Carlo), KL (vs Monte Carlo and the uniform identity), mode', () => {
    const n = 20_000;
    const other = [0, 0.3, -0.5, 1];
    const { lp, ent, klExact, klMc, entMc, klUniform, mode } = tf.tidy(() => {
      const p = new Categorical(tf.tile(tf.tensor2d([logitsRow]), [n, 1]));
      const q = new Categorical(tf.tile(tf.tensor2d([other]), [n, 1]));
      const a = p.sample(new Rng(4));
      const logP = p.logProb(a);
      const uniform = new Categorical(tf.zeros([n, 4]));
      return {
        lp: read(p.logProb(tf.tensor1d([0, 1, 2, 3].concat(new Array(n - 4).fill(0)), 'int32'))).slice(0, 4),
        ent: read(p.entropy())[0],
        entMc: read(tf.neg(logP)),
        klExact: read(p.kl(q))[0],
        klMc: read(tf.sub(logP, q.logProb(a))),
        klUniform: read(p.kl(uniform))[0],
        mode: read(p.mode())[0],
      };
    });
    lp.forEach((v, i) => expect(v).toBeCloseTo(Math.log(probs[i]), 5));
    expectWithinSE(entMc, ent);
    expectWithinSE(klMc, klExact);
    // KL(p ‖ uniform) = log n − H(p): the max-entropy identity.
    expect(klUniform).toBeCloseTo(Math.log(4) - ent, 5);
    expect(mode).toBe(2);
  });

  it('rejects actions of the wrong shape, naming the field', () => {
    tf.tidy(() => {
      const p = new Categorical(tf.zeros([3, 4]));
      expect(() => p.logProb(tf.tensor1d([0, 1], 'int32'))).toThrow(
        /Categorical.logProb: actions: shape \[2\] does not match the expected \[3\]/,
      );
    });
  });
});

describe('DiagGaussian', () => {
  it('density integrates to 1 with the right mean and variance (quadrature, 1-D)', () => {
    const mu = 0.7;
    const sd = 1.3;
    const h = 0.001;
    const xs = Array.from({ length: Math.round((20 * sd) / h) }, (_, i) => mu - 10 * sd + (i + 0.5) * h);
    const dens = tf.tidy(() =>
      read(
        tf.exp(
          new DiagGaussian(tf.fill([xs.length, 1], mu), tf.fill([xs.length, 1], Math.log(sd))).logProb(
            tf.tensor2d(xs, [xs.length, 1]),
          ),
        ),
      ),
    );
    let m0 = 0,
      m1 = 0,
      m2 = 0;
    dens.forEach((d, i) => {
      m0 += d * h;
      m1 += xs[i] * d * h;
      m2 += (xs[i] - mu) ** 2 * d * h;
    });
    expect(m0).toBeCloseTo(1, 4);
    expect(m1).toBeCloseTo(mu, 3);
    expect(m2).toBeCloseTo(sd * sd, 3);
  });

  it('entropy and KL in closed form agree with Monte Carlo; logStd [d] broadcasts', () => {
    const n = 20_000;
    const out = tf.tidy(() => {
      const p = new DiagGaussian(tf.tile(tf.tensor2d([[0.2, -1]]), [n, 1]), tf.tensor1d([Math.log(0.5), Math.log(2)]));
      const pFull = new DiagGaussian(
        tf.tile(tf.tensor2d([[0.2, -1]]), [n, 1]),
        tf.tile(tf.tensor2d([[Math.log(0.5), Math.log(2)]]), [n, 1]),
      );
      const q = new DiagGaussian(
        tf.tile(tf.tensor2d([[1, 0]]), [n, 1]),
        tf.tile(tf.tensor2d([[0, Math.log(1.5)]]), [n, 1]),
      );
      const z = p.sample(new Rng(5));
      const logP = p.logProb(z);
      return {
        ent: read(p.entropy())[0],
        entFull: read(pFull.entropy())[0],
        entMc: read(tf.neg(logP)),
        kl: read(p.kl(q))[0],
        klFull: read(pFull.kl(q))[0],
        klMc: read(tf.sub(logP, q.logProb(z))),
      };
    });
    // H = Σ log σ + d/2 (1 + log 2π), here log 0.5 + log 2 = 0.
    expect(out.ent).toBeCloseTo(1 + Math.log(2 * Math.PI), 5);
    expect(out.entFull).toBeCloseTo(out.ent, 6);
    expect(out.klFull).toBeCloseTo(out.kl, 6);
    expectWithinSE(out.entMc, out.ent);
    expectWithinSE(out.klMc, out.kl);
  });

  it('rsample is μ + σ·ε and differentiable in (μ, log σ)', () => {
    const { z, dMu, dLogStd } = tf.tidy(() => {
      const mu = tf.tensor2d([[1, -2]]);
      const logStd = tf.tensor2d([[0, Math.log(3)]]);
      const eps = tf.tensor2d([[0.5, -1]]);
      const f = (m: tf.Tensor, l: tf.Tensor) => tf.sum(new DiagGaussian(m, l).rsample(eps));
      const [gm, gl] = tf.grads(f)([mu, logStd]);
      return { z: read(new DiagGaussian(mu, logStd).rsample(eps)), dMu: read(gm), dLogStd: read(gl) };
    });
    expect(z[0]).toBeCloseTo(1.5, 6);
    expect(z[1]).toBeCloseTo(-5, 5);
    expect(dMu).toEqual([1, 1]);
    expect(dLogStd[0]).toBeCloseTo(0.5, 6); // ∂(μ + e^{log σ} ε)/∂log σ = σ ε
    expect(dLogStd[1]).toBeCloseTo(-3, 5);
  });

  it('rejects mismatched shapes, naming the field', () => {
    tf.tidy(() => {
      expect(() => new DiagGaussian(tf.zeros([4, 2]), tf.zeros([3]))).toThrow(
        /DiagGaussian: logStd shape \[3\] must equal mean shape \[4, 2\]/,
      );
      const p = new DiagGaussian(tf.zeros([4, 2]), tf.zeros([2]));
      expect(() => p.rsample(tf.zeros([4, 3]))).toThrow(
        /DiagGaussian.rsample: eps: shape \[4, 3\] does not match the expected \[4, 2\]/,
      );
    });
  });
});

describe('TanhGaussian', () => {
  const mu = 0.3;
  const sd = 0.8;
  const low = -2;
  const high = 3;
  const c = (high + low) / 2;
  const hr = (high - low) / 2;
  const box = { low: [low], high: [high] };

  const logProbAt = (actions: number[]): number[] =>
    tf.tidy(() =>
      read(
        new TanhGaussian(tf.fill([actions.length, 1], mu), tf.fill([actions.length, 1], Math.log(sd)), box).logProb(
          tf.tensor2d(actions, [actions.length, 1]),
        ),
      ),
    );

  it('density integrates to 1 over the box (midpoint quadrature)', () => {
    const n = 20_000;
    const h = (high - low) / n;
    const as = Array.from({ length: n }, (_, i) => low + (i + 0.5) * h);
    const mass = logProbAt(as).reduce((s, lp) => s + Math.exp(lp) * h, 0);
    expect(mass).toBeCloseTo(1, 3);
  });

  it('log-prob equals the log of the pushed-forward density, by finite differences of the CDF', () => {
    // F(a) = Φ((atanh((a − c)/h) − μ)/σ), computed in float64 independently of the code under test.
    const cdf = (a: number): number => normalCdf((Math.atanh((a - c) / hr) - mu) / sd);
    const as = [-1.5, -0.5, 0.4, 1.2, 2.5];
    const delta = 1e-4;
    const lps = logProbAt(as);
    as.forEach((a, i) => expect(lps[i]).toBeCloseTo(Math.log((cdf(a + delta) - cdf(a - delta)) / (2 * delta)), 3));
  });

  it('the log-det term is stable for large |u| and matches −2 log cosh(u)', () => {
    const us = [-30, -8, 0, 8, 30];
    const lp = tf.tidy(() => {
      const g = new TanhGaussian(tf.tensor2d(us, [us.length, 1]), tf.zeros([us.length, 1]));
      return read(g.logProbFromPreTanh(tf.tensor2d(us, [us.length, 1])));
    });
    us.forEach((u, i) => {
      const logCosh = Math.abs(u) + Math.log1p(Math.exp(-2 * Math.abs(u))) - Math.log(2);
      const expected = -0.5 * Math.log(2 * Math.PI) + 2 * logCosh; // log N(u; u, 1) − log(1 − tanh²u)
      expect(Number.isFinite(lp[i])).toBe(true);
      expect(lp[i]).toBeCloseTo(expected, 3);
    });
  });

  it('samples lie in the box; sample log-prob matches the atanh path; entropy estimate vs quadrature; KL vs Monte Carlo', () => {
    const n = 20_000;
    const out = tf.tidy(() => {
      const p = new TanhGaussian(tf.fill([n, 1], mu), tf.fill([n, 1], Math.log(sd)), box);
      const q = new TanhGaussian(tf.fill([n, 1], -0.2), tf.fill([n, 1], Math.log(0.6)), box);
      const eps = standardNormal(new Rng(6), [n, 1]);
      const { action, logProb } = p.rsampleWithLogProb(eps);
      return {
        actions: read(action),
        logProb: read(logProb),
        logProbAtanh: read(p.logProb(action)),
        entMc: read(p.entropyEstimate(eps)),
        kl: read(p.kl(q))[0],
        klMc: read(tf.sub(logProb, q.logProb(action))),
        mode: read(p.mode())[0],
      };
    });
    expect(Math.min(...out.actions)).toBeGreaterThan(low);
    expect(Math.max(...out.actions)).toBeLessThan(high);
    for (let i = 0; i < 50; i++) expect(out.logProbAtanh[i]).toBeCloseTo(out.logProb[i], 2);
    // Entropy −∫ π log π over the box by midpoint quadrature.
    const m = 20_000;
    const h = (high - low) / m;
    const lps = logProbAt(Array.from({ length: m }, (_, i) => low + (i + 0.5) * h));
    const entQuad = lps.reduce((s, lp) => s - Math.exp(lp) * lp * h, 0);
    expectWithinSE(out.entMc, entQuad);
    // KL is invariant under the shared squash: it equals the base Gaussians' closed form.
    const klBase = Math.log(0.6 / sd) + (sd * sd + (mu + 0.2) ** 2) / (2 * 0.36) - 0.5;
    expect(out.kl).toBeCloseTo(klBase, 5);
    expectWithinSE(out.klMc, out.kl);
    expect(out.mode).toBeCloseTo(c + hr * Math.tanh(mu), 5);
  });

  it('rejects bad bounds and mismatched KL bounds, naming the field', () => {
    tf.tidy(() => {
      expect(() => new TanhGaussian(tf.zeros([1, 2]), tf.zeros([2]), { low: [0, 1], high: [1, Infinity] })).toThrow(
        /TanhGaussian: bounds\[1\] = \[1, Infinity\] must be finite with low < high/,
      );
      const a = new TanhGaussian(tf.zeros([1, 1]), tf.zeros([1]));
      const b = new TanhGaussian(tf.zeros([1, 1]), tf.zeros([1]), { low: [-2], high: [2] });
      expect(() => a.kl(b)).toThrow(/same bounds, got \[\[-1, 1\]\] and \[\[-2, 2\]\]/);
    });
  });
});

describe('memory', () => {
  it('methods leave no tensors behind when called inside tf.tidy', () => {
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      tf.tidy(() => {
        const rng = new Rng(i);
        const g = new TanhGaussian(tf.zeros([8, 2]), tf.zeros([2]), { low: [-1, -1], high: [1, 1] });
        g.sample(rng);
        g.entropyEstimate(standardNormal(rng, [8, 2]));
        const c = new Categorical(tf.zeros([8, 3]));
        c.kl(c);
        c.logProb(c.sample(rng));
        new DiagGaussian(tf.zeros([8, 2]), tf.zeros([2])).entropy();
      });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
