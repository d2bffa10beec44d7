/**
 * The estimator table's claim, measured: with 10⁴ independent batches, the estimators the derivation calls
 * unbiased for ∇J (k1 in the reward, RLOO, the exact KL with its score term; PPO-clip on-policy) have a 95%
 * interval for ‖E ĝ − ∇J‖ that contains 0, and every other one has an interval that excludes it, on-policy
 * and one update off-policy (β = 0.3, N = 16, the policy θ = log π_ref + ε of seed 1).
 */
import { describe, expect, it } from 'vitest';
import {
  ESTIMATORS,
  derivedUnbiased,
  estimatorContext,
  evaluationLogits,
  measureEstimators,
  oneStepLater,
} from '../src/agents/rlhf/estimators.js';
import { tokenTask } from '../src/agents/rlhf/tabular.js';
import { Rng } from '../src/core/rng.js';
import { TokenSeq } from '../src/envs/tokens.js';

const env = new TokenSeq();
const task = tokenTask(
  env,
  env.referenceTable.flatMap((r) => Array.from(r)),
);

describe('estimator bias at 10⁴ batches (β = 0.3, N = 16)', () => {
  for (const onPolicy of [true, false]) {
    it(`${onPolicy ? 'on-policy' : 'one step off-policy'}: the interval holds 0 exactly for the unbiased ones`, () => {
      const old = evaluationLogits(task, new Rng(1));
      const ctx = estimatorContext(task, 0.3, onPolicy ? old : oneStepLater(task, 0.3, old), old);
      const stats = measureEstimators(ctx, ESTIMATORS, 16, 10_000, new Rng(7));
      for (const s of stats) {
        console.log(
          `${onPolicy ? 'on ' : 'off'} ${s.name.padEnd(17)} ‖bias‖ ${s.bias.toFixed(5)} [${s.biasLo.toFixed(5)}, ${s.biasHi.toFixed(5)}] cos ${s.cosine.toFixed(3)}`,
        );
        if (derivedUnbiased(s.name, onPolicy)) expect(s.biasLo, s.name).toBe(0);
        else expect(s.biasLo, s.name).toBeGreaterThan(0);
      }
      expect(stats[0].dropped).toBeLessThan(0.02);
    });
  }
});
