/**
 * The filtering posterior's structural limit (src/worldmodel/filter-elbo.ts), checked two ways: the closed-form
 * ELBO against its Monte Carlo definition, and its exact limits (one step: the filter is the posterior; the
 * innovations form at σ_d = 0: the Kalman log-likelihood).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../src/core/rng.js';
import { LINEAR_GAUSSIAN_TASK as TASK } from '../src/envs/lineargaussian.js';
import { filterElbo, filterElboMonteCarlo, innovationsForm, stateForm } from '../src/worldmodel/filter-elbo.js';
import { DAMPED_ROTATION, kalmanFilter } from '../src/worldmodel/lgssm.js';
import { sampleSequences } from '../src/worldmodel/lgssm-vi.js';

const T = 12;

describe('filterElbo: closed form against Monte Carlo and the exact limits', () => {
  const rotation = sampleSequences(DAMPED_ROTATION, 3, T, new Rng(1));
  const lqg = sampleSequences(TASK.model, 3, T, new Rng(2));
  const cases = [
    ['state form, damped rotation', stateForm(DAMPED_ROTATION, T), rotation],
    ['innovations form σ_d = 0.03, LinearGaussian-v0', innovationsForm(TASK.model, T, 0.03), lqg],
    ['innovations form σ_d = 0.1, LinearGaussian-v0', innovationsForm(TASK.model, T, 0.1), lqg],
  ] as const;
  it.each(cases)(
    '%s: the closed form is within 4 standard errors of 4000 samples, and below log p',
    (_n, model, seqs) => {
      const rng = new Rng(3);
      for (const seq of seqs) {
        const closed = filterElbo(model, seq);
        const mc = filterElboMonteCarlo(model, seq, 4000, rng);
        expect(mc.stdErr).toBeGreaterThan(0);
        expect(Math.abs(closed - mc.mean)).toBeLessThan(4 * mc.stdErr);
      }
      const ll = seqs.reduce((a, s) => a + kalmanFilter(seqs === rotation ? DAMPED_ROTATION : TASK.model, s).logLik, 0);
      expect(seqs.reduce((a, s) => a + filterElbo(model, s), 0)).toBeLessThan(ll);
    },
  );

  it('one step: the filtering q is the exact posterior, so the ELBO is log p', () => {
    const [seq] = sampleSequences(DAMPED_ROTATION, 1, 1, new Rng(4));
    expect(
      Math.abs(filterElbo(stateForm(DAMPED_ROTATION, 1), seq) - kalmanFilter(DAMPED_ROTATION, seq).logLik),
    ).toBeLessThan(1e-10);
  });

  it('innovations form: σ_d = 0 gives the Kalman log-likelihood; the gap grows with σ_d', () => {
    let last = 0;
    for (const seq of lqg) {
      const ll = kalmanFilter(TASK.model, seq).logLik;
      expect(Math.abs(filterElbo(innovationsForm(TASK.model, T, 0), seq) - ll)).toBeLessThan(1e-9);
    }
    for (const sd of [0.005, 0.02, 0.05, 0.1]) {
      const gap = lqg.reduce(
        (a, s) => a + kalmanFilter(TASK.model, s).logLik - filterElbo(innovationsForm(TASK.model, T, sd), s),
        0,
      );
      expect(gap).toBeGreaterThan(last);
      last = gap;
    }
  });

  it('refuses a decoder std the innovations cannot hold, naming the field', () => {
    expect(() => innovationsForm(TASK.model, T, 0.2)).toThrow(
      /^innovationsForm\.obsStd: got 0\.2, allowed: σ_d² I below the innovation covariance S_\d+/,
    );
    expect(() => innovationsForm(TASK.model, T, -1)).toThrow(
      /^innovationsForm\.obsStd: got -1, allowed: a finite number ≥ 0$/,
    );
  });
});
