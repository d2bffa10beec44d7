/**
 * Closed-form optimum, token sequences: with the KL as a per-token reward penalty and γ = 1, the
 * sequence-level optimum is π*(y) ∝ π_ref(y)·exp(R(y)/β) over all 256 sequences of TokenSeq-v0.
 * The trained policy's enumerated sequence distribution must be within TV 0.05 of it, for two β.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RngStreams } from '../src/core/rng.js';
import { initNodeBackend } from '../src/node/backend.js';
import { makeObjective } from '../src/priors/index.js';
import { KlPpo } from '../src/agents/klppo/ppo.js';
import { klDivergence } from '../src/agents/exact/index.js';
import { klRegularizedOptimum, totalVariation } from '../src/agents/klppo/optimum.js';
import { TokenSeq } from '../src/envs/tokens.js';
import { rowsOf } from './klppo-helpers.js';

const ITERS = 150;

describe('KL-PPO on TokenSeq-v0 reaches the sequence-level optimum', () => {
  beforeAll(async () => {
    await initNodeBackend();
  });

  for (const beta of [0.1, 0.3]) {
    it(`β = ${beta}: TV(π, π*) < 0.05 over all sequences`, () => {
      const env = new TokenSeq();
      const objective = makeObjective({ prior: 'reference', alpha: beta }, env, {
        reference: { table: env.referenceTable },
      });
      const agent = new KlPpo(
        () => new TokenSeq(),
        objective,
        { numEnvs: 32, numSteps: 8, hidden: [], gamma: 1, gaeLambda: 1, learningRate: 0.01, annealIterations: ITERS },
        new RngStreams(2),
      );
      for (let i = 0; i < ITERS; i++) agent.iterate();
      const table = rowsOf(agent.policyTable(), 4);
      agent.dispose();
      const refSeq = env.sequenceProbs((s) => env.referenceTable[s]);
      const opt = klRegularizedOptimum(refSeq, env.sequenceRewards(), beta);
      const trained = env.sequenceProbs((s) => table[s]);
      const tv = totalVariation(trained, opt.probs);
      console.log(
        `tokens β=${beta}: TV ${tv.toFixed(4)}; KL(π‖ref) ${klDivergence(trained, refSeq).toFixed(3)} vs optimum ${opt.kl.toFixed(3)}; TV(ref, π*) ${totalVariation(refSeq, opt.probs).toFixed(3)}`,
      );
      expect(tv).toBeLessThan(0.05);
      expect(totalVariation(refSeq, opt.probs)).toBeGreaterThan(0.15);
    });
  }
});
