/**
 * The exact gradient of J(θ) = E_π[R] − β·KL(π ‖ π_ref) for the tabular softmax policy on TokenSeq-v0: the
 * analytic enumeration formula against central finite differences of J itself, and the on-policy identities
 * between estimators the derivation in `src/agents/rlhf/estimators.ts` states.
 */
import { describe, expect, it } from 'vitest';
import { estimate, estimatorContext, evaluationLogits, sampleBatch } from '../src/agents/rlhf/estimators.js';
import { exactGradient, finiteDifferenceGradient, tokenTask } from '../src/agents/rlhf/tabular.js';
import { Rng } from '../src/core/rng.js';
import { TokenSeq } from '../src/envs/tokens.js';

const env = new TokenSeq();
const task = tokenTask(
  env,
  env.referenceTable.flatMap((r) => Array.from(r)),
);

describe('exact ∇J on TokenSeq-v0', () => {
  for (const beta of [0, 0.1, 0.3]) {
    it(`β = ${beta}: analytic = central finite differences to 1e-6 (340 logits, two random points)`, () => {
      for (const seed of [1, 2]) {
        const theta = evaluationLogits(task, new Rng(seed));
        const analytic = exactGradient(task, theta, beta);
        const fd = finiteDifferenceGradient(task, theta, beta);
        expect(analytic.length).toBe(85 * 4);
        let worst = 0;
        for (let i = 0; i < fd.length; i++) worst = Math.max(worst, Math.abs(analytic[i] - fd[i]));
        expect(worst).toBeLessThan(1e-6);
        expect(Math.max(...analytic.map(Math.abs))).toBeGreaterThan(1e-3);
      }
    });
  }

  it('on-policy identities: k2-loss = k3-loss-ratio, ppo-clip = k1-reward, rloo = N/(N−1)·k1-mean-baseline', () => {
    const theta = evaluationLogits(task, new Rng(3));
    const ctx = estimatorContext(task, 0.3, theta);
    const batch = sampleBatch(ctx, 8, new Rng(4));
    const g = (name: Parameters<typeof estimate>[1]) => {
      const out = new Float64Array(ctx.exact.length);
      estimate(ctx, name, batch, out);
      return out;
    };
    const pairs: Array<[Float64Array, Float64Array]> = [
      [g('k2-loss'), g('k3-loss-ratio')],
      [g('ppo-clip'), g('k1-reward')],
      [g('rloo'), g('k1-mean-baseline').map((x) => (x * 8) / 7)],
    ];
    for (const [a, b] of pairs) for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 12);
  });
});
