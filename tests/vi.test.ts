import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../src/core/rng.js';
import { initNodeBackend } from '../src/node/backend.js';
import {
  LESSON_EXAMPLES,
  LinearGaussianModel,
  type LessonQuantities,
  computeQuantities,
  diagGaussianKL,
  exampleModel,
  fitByReparameterization,
  gaussianKL,
  gaussianLogPdf,
} from '../src/vi/index.js';

/** Midpoint quadrature of f over [a, b] with n cells. */
function integrate(f: (z: number) => number, a: number, b: number, n = 20_000): number {
  const h = (b - a) / n;
  let s = 0;
  for (let i = 0; i < n; i++) s += f(a + (i + 0.5) * h) * h;
  return s;
}

describe('Gaussian KL', () => {
  it('matches ∫ q log(q/p) by quadrature; zero for equal arguments; diagonal = sum of dims', () => {
    const q = { mean: 0.3, variance: 1.7 };
    const p = { mean: -1, variance: 0.6 };
    const quad = integrate(
      (z) => Math.exp(gaussianLogPdf(z, q)) * (gaussianLogPdf(z, q) - gaussianLogPdf(z, p)),
      -15,
      15,
    );
    expect(gaussianKL(q, p)).toBeCloseTo(quad, 8);
    expect(gaussianKL(q, q)).toBe(0);
    const diag = diagGaussianKL({ mean: [0.3, 2], variance: [1.7, 0.2] }, { mean: [-1, 0], variance: [0.6, 1] });
    expect(diag).toBeCloseTo(gaussianKL(q, p) + gaussianKL({ mean: 2, variance: 0.2 }, { mean: 0, variance: 1 }), 12);
  });

  it('rejects invalid parameters, naming the field and value', () => {
    expect(() => gaussianKL({ mean: 0, variance: -1 }, { mean: 0, variance: 1 })).toThrow(
      'q.variance must be finite and > 0, got -1',
    );
    expect(() => diagGaussianKL({ mean: [0, 0], variance: [1] }, { mean: [0, 0], variance: [1, 1] })).toThrow(
      'q.variance has length 1, expected 2 (the length of q.mean)',
    );
    expect(() => diagGaussianKL({ mean: [0, 0], variance: [1, 1] }, { mean: [0, 0], variance: [1, 0] })).toThrow(
      'p[1].variance must be finite and > 0, got 0',
    );
    expect(() => new LinearGaussianModel(0, 1)).toThrow('priorVariance must be finite and > 0, got 0');
  });
});

describe('linear-Gaussian model', () => {
  const model = new LinearGaussianModel(2.5, 0.7);
  const x = 1.3;

  it('posterior and marginal agree with quadrature of the joint', () => {
    const joint = (z: number): number => Math.exp(model.logJoint(x, z));
    const evidence = integrate(joint, -20, 20);
    expect(Math.log(evidence)).toBeCloseTo(model.logMarginal(x), 9);
    const post = model.posterior(x);
    const mean = integrate((z) => z * joint(z), -20, 20) / evidence;
    const variance = integrate((z) => (z - mean) ** 2 * joint(z), -20, 20) / evidence;
    expect(post.mean).toBeCloseTo(mean, 9);
    expect(post.variance).toBeCloseTo(variance, 9);
  });

  it('the analytic reconstruction term matches quadrature, and log p(x) = ELBO + KL(q ‖ p(z|x)) for many q', () => {
    const q = { mean: -0.4, variance: 0.9 };
    const rec = integrate((z) => Math.exp(gaussianLogPdf(z, q)) * gaussianLogPdf(x, model.likelihood(z)), -15, 15);
    expect(model.elbo(x, q).reconstruction).toBeCloseTo(rec, 9);
    for (const [m, v] of [
      [-2, 0.1],
      [0, 1],
      [0.9, 0.6],
      [3, 5],
    ]) {
      const qq = { mean: m, variance: v };
      expect(Math.abs(model.gapByDefinition(x, qq) - model.gapByPosteriorKL(x, qq))).toBeLessThan(1e-9);
      expect(model.gapByDefinition(x, qq)).toBeGreaterThan(0);
    }
    expect(model.gapByPosteriorKL(x, model.posterior(x))).toBeCloseTo(0, 12);
  });
});

describe('the lesson numbers', () => {
  for (const ex of LESSON_EXAMPLES) {
    describe(ex.title, () => {
      const ours = computeQuantities(ex);
      for (const [key, stated] of Object.entries(ex.stated) as [keyof LessonQuantities, number][]) {
        it(`${key}: lesson ${stated}, ours ${ours[key].toFixed(6)} (agree to three decimals)`, () => {
          expect(Math.abs(ours[key] - stated)).toBeLessThanOrEqual(5e-4);
        });
      }
      it('the two paths to the gap agree to 1e-9', () => {
        expect(Math.abs(ours.gapByDefinition - ours.gapByPosteriorKL)).toBeLessThan(1e-9);
      });
      it('the Monte Carlo ELBO and its terms agree with the analytic ones within 5 standard errors', () => {
        const mc = exampleModel(ex).monteCarloElbo(ex.x, ex.q, new Rng(11), 20_000);
        for (const [est, exact] of [
          [mc.elbo, ours.elbo],
          [mc.reconstruction, ours.reconstruction],
          [mc.kl, ours.priorKL],
        ] as const) {
          expect(est.stdErr).toBeGreaterThan(0);
          expect(Math.abs(est.mean - exact)).toBeLessThanOrEqual(5 * est.stdErr);
        }
      });
    });
  }

  it('the per-draw ELBO has zero variance when q is the exact posterior (it is then log p(x) for every draw)', () => {
    const model = new LinearGaussianModel(4, 1);
    const mc = model.monteCarloElbo(2, model.posterior(2), new Rng(2), 100);
    expect(mc.elbo.stdErr).toBeLessThan(1e-12);
    expect(mc.elbo.mean).toBeCloseTo(model.logMarginal(2), 12);
  });
});

describe('reparameterized gradient ascent', () => {
  beforeAll(async () => {
    await initNodeBackend();
  });

  /*
   * Tolerances from the SGD noise at the optimum (step η, S draws per step). With s² the posterior
   * variance, P = 1/σ_p² + 1/σ_x² and r = x − μ* the residual:
   *   μ:     gradient (x − μ − sε̄)/σ_x² − μ/σ_p², noise variance V_μ = s²/(S σ_x⁴), curvature P;
   *   log s: gradient noise variance V_s = s²(r² + 2s²)/(S σ_x⁴), curvature 2 (at s² = 1/P).
   * An AR(1) iterate θ ← θ − ηc(θ − θ*) + η·noise has stationary variance ηV / (c(2 − ηc)).
   */
  const eta = 0.05;
  const S = 64;
  const steps = 400;

  for (const ex of LESSON_EXAMPLES) {
    it(`converges to the exact posterior and closes the gap: ${ex.title}`, () => {
      const model = exampleModel(ex);
      const post = model.posterior(ex.x);
      const before = tf.memory().numTensors;
      const fit = fitByReparameterization(model, ex.x, new Rng(21), { steps, samples: S, learningRate: eta });
      expect(tf.memory().numTensors).toBe(before);

      const P = 1 / model.priorVariance + 1 / model.noiseVariance;
      const s2 = post.variance;
      const r = ex.x - post.mean;
      const vMu = s2 / (S * model.noiseVariance ** 2);
      const vLogS = (s2 * (r * r + 2 * s2)) / (S * model.noiseVariance ** 2);
      const sdMu = Math.sqrt((eta * vMu) / (P * (2 - eta * P)));
      const sdLogS = Math.sqrt((eta * vLogS) / (2 * (2 - 2 * eta)));
      // The starting offset decays as (1 − ηc)^steps, ≤ 0.94^400 here: negligible.
      expect(Math.abs(fit.q.mean - post.mean)).toBeLessThanOrEqual(5 * sdMu);
      expect(Math.abs(0.5 * Math.log(fit.q.variance / post.variance))).toBeLessThanOrEqual(5 * sdLogS);
      // gap = KL(q ‖ posterior) ≈ ½ P δμ² + δ_logs²: bound it at the 5-s.d. offsets (with slack for the cubic term).
      const gapBefore = model.gapByPosteriorKL(ex.x, model.prior);
      const gapAfter = model.gapByDefinition(ex.x, fit.q);
      expect(gapAfter).toBeLessThanOrEqual(0.5 * P * (5 * sdMu) ** 2 + 1.2 * (5 * sdLogS) ** 2);
      expect(gapAfter).toBeLessThan(gapBefore / 100);
    });
  }
});
