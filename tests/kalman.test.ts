/**
 * The exact reference (Kalman filter, RTS smoother, joint posterior) cross-checked by independent
 * paths, the ELBO identity log p(x) − ELBO = KL(q ‖ p(z|x)) in closed form for sequences, and a
 * variational posterior trained by the reparameterized ELBO closing the gap to the Kalman likelihood.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/core/rng.js';
import { initNodeBackend } from '../src/node/backend.js';
import {
  cholesky,
  DAMPED_ROTATION,
  gaussianElbo,
  gaussianKl,
  jointPosterior,
  jointPrior,
  kalmanFilter,
  logJoint,
  mvnLogPdf,
  priorMean,
  rtsSmoother,
  sampleLgssm,
  type LgssmParams,
  type Mat,
} from '../src/worldmodel/lgssm.js';
import { fitLgssmVi, heldOutGap, LgssmGaussianVI, sampleSequences } from '../src/worldmodel/lgssm-vi.js';

const SSM = DAMPED_ROTATION;

const matMul = (a: Mat, b: Mat): Mat => a.map((r) => b[0].map((_, j) => r.reduce((acc, v, k) => acc + v * b[k][j], 0)));
const transposeOf = (a: Mat): Mat => a[0].map((_, j) => a.map((r) => r[j]));

/** A random SPD matrix L Lᵀ + 0.1 I and a random mean: an arbitrary Gaussian q over the stacked latents. */
function randomGaussian(n: number, rng: Rng): { mean: number[]; cov: Mat } {
  const L = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j <= i ? rng.normal(0, 0.4) : 0)));
  const cov = matMul(L, transposeOf(L)).map((r, i) => r.map((v, j) => v + (i === j ? 0.1 : 0)));
  return { mean: Array.from({ length: n }, () => rng.normal()), cov };
}

describe('Kalman filter and RTS smoother (exact, float64)', () => {
  const seq = sampleSequences(SSM, 1, 8, new Rng('kalman/seq'))[0];

  it('reproduces the lesson: T = 1, p(z) = N(0,1), x = z + N(0,1), x = 1 → log p = −1.516, q = N(0.3, 1) has ELBO −1.709, gap 0.193', () => {
    const scalar: LgssmParams = { A: [[1]], B: [[]], C: [[1]], Q: [[1]], R: [[1]], mu0: [0], P0: [[1]] };
    const one = { obs: [[1]], actions: [[]] };
    const logLik = kalmanFilter(scalar, one).logLik;
    const q = { mean: [0.3], cov: [[1]] };
    const elbo = gaussianElbo(scalar, one, q);
    expect(logLik).toBeCloseTo(-0.5 * Math.log(4 * Math.PI) - 0.25, 12);
    expect(elbo).toBeCloseTo(-1.709, 3);
    expect(logLik - elbo).toBeCloseTo(0.193, 3);
    expect(gaussianKl(q, jointPosterior(scalar, one))).toBeCloseTo(logLik - elbo, 12);
  });

  it('log p(x) from the filter equals the batch marginal N(x; H m_p, H Σ_p Hᵀ + R̄) to 1e-9', () => {
    const T = seq.obs.length;
    const prior = jointPrior(SSM, seq);
    const H: Mat = Array.from({ length: 2 * T }, () => new Array(2 * T).fill(0));
    const Rbar: Mat = Array.from({ length: 2 * T }, () => new Array(2 * T).fill(0));
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 2; j++) {
          H[2 * t + i][2 * t + j] = SSM.C[i][j];
          Rbar[2 * t + i][2 * t + j] = SSM.R[i][j];
        }
      }
    }
    const mean = H.map((r) => r.reduce((acc, v, k) => acc + v * prior.mean[k], 0));
    const cov = matMul(matMul(H, prior.cov), transposeOf(H)).map((r, i) => r.map((v, j) => v + Rbar[i][j]));
    const batch = mvnLogPdf(seq.obs.flat(), mean, cov);
    priorMean(SSM, seq).forEach((m, i) => expect(m).toBeCloseTo(prior.mean[i], 10));
    const filtered = kalmanFilter(SSM, seq).logLik;
    expect(Math.abs(filtered - batch)).toBeLessThan(1e-9);
    expect(filtered).toBeLessThan(0);
  });

  it('RTS marginals and lag-one cross-covariances equal the blocks of the joint (information-form) posterior', () => {
    const sm = rtsSmoother(SSM, seq);
    const post = jointPosterior(SSM, seq);
    let maxErr = 0;
    for (let t = 0; t < seq.obs.length; t++) {
      for (let i = 0; i < 2; i++) {
        maxErr = Math.max(maxErr, Math.abs(sm.means[t][i] - post.mean[2 * t + i]));
        for (let j = 0; j < 2; j++) {
          maxErr = Math.max(maxErr, Math.abs(sm.covs[t][i][j] - post.cov[2 * t + i][2 * t + j]));
          if (t + 1 < seq.obs.length)
            maxErr = Math.max(maxErr, Math.abs(sm.crossCovs[t][i][j] - post.cov[2 * t + i][2 * (t + 1) + j]));
        }
      }
    }
    expect(maxErr).toBeLessThan(1e-9);
  });

  it('dual path for sequences: Kalman log p(x) − closed-form ELBO = closed-form KL(q ‖ p(z|x)) to 1e-9, for arbitrary Gaussian q', () => {
    const rng = new Rng('kalman/q');
    const logLik = kalmanFilter(SSM, seq).logLik;
    const post = jointPosterior(SSM, seq);
    for (let k = 0; k < 5; k++) {
      const q = randomGaussian(16, rng);
      const elbo = gaussianElbo(SSM, seq, q);
      const kl = gaussianKl(q, post);
      expect(kl).toBeGreaterThan(0);
      expect(Math.abs(logLik - elbo - kl)).toBeLessThan(1e-9);
    }
    // q = the exact posterior: the bound is tight.
    expect(Math.abs(gaussianElbo(SSM, seq, post) - logLik)).toBeLessThan(1e-9);
  });

  it('the closed-form ELBO equals a Monte Carlo average of log p(x, z) − log q(z) over z ~ q (within 4 standard errors)', () => {
    const rng = new Rng('kalman/mc');
    const q = randomGaussian(16, rng);
    const L = cholesky(q.cov);
    const vals: number[] = [];
    for (let k = 0; k < 2000; k++) {
      const eps = q.mean.map(() => rng.normal());
      const z = q.mean.map((m, i) => m + L[i].reduce((acc, v, j) => acc + v * eps[j], 0));
      vals.push(logJoint(SSM, seq, z) - mvnLogPdf(z, q.mean, q.cov));
    }
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    const se = Math.sqrt(vals.reduce((a, v) => a + (v - mean) ** 2, 0) / (vals.length - 1) / vals.length);
    expect(Math.abs(mean - gaussianElbo(SSM, seq, q))).toBeLessThan(4 * se);
  });

  it('rejects mismatched lengths and dimensions, naming the field', () => {
    expect(() =>
      kalmanFilter(SSM, {
        obs: [
          [1, 2],
          [3, 4],
        ],
        actions: [[0]],
      }),
    ).toThrow(/actions: length 1 does not match obs length 2/);
    expect(() => kalmanFilter(SSM, { obs: [[1, 2], [3]], actions: [[0], [0]] })).toThrow(
      /obs\[1\]: length 1, expected dx=2/,
    );
    expect(() =>
      kalmanFilter(
        {
          ...SSM,
          C: [[1, 0]],
          R: [
            [1, 0],
            [0, 1],
          ],
        },
        seq,
      ),
    ).toThrow(/LgssmParams\.R: expected 1×1/);
    expect(() =>
      sampleLgssm(
        {
          ...SSM,
          Q: [
            [1, 2],
            [2, 1],
          ],
        },
        seq.actions,
        new Rng(0),
      ),
    ).toThrow(/LgssmParams\.Q: not positive definite/);
  });
});

describe('variational posterior trained by the reparameterized ELBO (tfjs)', () => {
  beforeAll(async () => {
    await initNodeBackend();
  });

  it('construct + dispose leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    new LgssmGaussianVI(SSM, { seqLen: 3 }).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a non-integer count in the config, naming the field', () => {
    for (const field of ['seqLen', 'steps', 'batchSize', 'samples'] as const) {
      expect(() => new LgssmGaussianVI(SSM, { [field]: 2.5 })).toThrow(
        new RegExp(`LgssmViConfig\\.${field}: must be an integer ≥ 1, got 2\\.5`),
      );
    }
  });

  it('before training the gap is large; after, ELBO ≤ log p(x) on every held-out sequence and within 1% on average; gap = KL exactly', () => {
    const vi = new LgssmGaussianVI(SSM, { steps: 1500 });
    const held = sampleSequences(SSM, 32, vi.cfg.seqLen, new Rng('kalman/heldout'));
    const evaluate = () => {
      const g = heldOutGap(vi, held);
      expect(g.minGap).toBeGreaterThanOrEqual(0);
      expect(g.identityError).toBeLessThan(1e-8);
      return g;
    };
    const before = evaluate();
    // Adam creates its moment slots on the first step; from then on the tensor count must stay flat.
    let tensorsAfterWarmup = -1;
    const { firstElbo, lastElbo } = fitLgssmVi(vi, new Rng('kalman/train'), (i) => {
      if (i === 10) tensorsAfterWarmup = tf.memory().numTensors;
    });
    expect(tf.memory().numTensors).toBe(tensorsAfterWarmup);
    const after = evaluate();
    console.log(
      `LGSSM VI (T=${vi.cfg.seqLen}, ${held.length} held-out): log p(x) = ${before.logLik.toFixed(3)}; ` +
        `ELBO before = ${before.elbo.toFixed(3)} (gap ${(100 * before.relGap).toFixed(1)}%), after = ${after.elbo.toFixed(3)} ` +
        `(gap ${(after.logLik - after.elbo).toFixed(4)} nats, ${(100 * after.relGap).toFixed(3)}%); MC ELBO ${firstElbo.toFixed(2)} → ${lastElbo.toFixed(2)}`,
    );
    expect(before.relGap).toBeGreaterThan(1);
    expect(after.relGap).toBeGreaterThanOrEqual(0);
    expect(after.relGap).toBeLessThan(0.01);
    expect(lastElbo).toBeGreaterThan(firstElbo);
    vi.dispose();
  });
});
