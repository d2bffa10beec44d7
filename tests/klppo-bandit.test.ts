/**
 * Closed-form optimum, bandits: for every context s, max E[R] − β·KL(π‖π_ref) is attained by
 * π*(a|s) ∝ π_ref(a|s)·exp(R(s,a)/β). KL-PPO must land within TV 0.02 of it, in each KL mode, for two β.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RngStreams } from '../src/core/rng.js';
import { initNodeBackend } from '../src/node/backend.js';
import { makeObjective } from '../src/priors/index.js';
import { KlPpo, type KlMode } from '../src/agents/klppo/ppo.js';
import { klRegularizedOptimum, totalVariation } from '../src/agents/klppo/optimum.js';
import { ContextualBandit, rowsOf } from './klppo-helpers.js';

const R = [
  [0, 1, 0.5, 0.2],
  [0.8, 0, 0.3, 0.6],
];
const REF = [
  [0.4, 0.1, 0.3, 0.2],
  [0.1, 0.5, 0.2, 0.2],
];
const ITERS = 150;

const UNIFORM = R.map((r) => r.map(() => 1 / r.length));

/** TV(π_PPO(·|s), π*(·|s)) per context; `ref` is the prior's table (the reference, or uniform). */
function train(klMode: KlMode, beta: number, ref: number[][] = REF): number[] {
  const make = () => new ContextualBandit(R, 0.1);
  const objective = makeObjective({ prior: ref === UNIFORM ? 'uniform' : 'reference', alpha: beta }, make(), {
    reference: { table: ref },
  });
  const agent = new KlPpo(
    make,
    objective,
    {
      numEnvs: 128,
      numSteps: 4,
      numMinibatches: 2,
      hidden: [],
      learningRate: 0.01,
      annealIterations: ITERS,
      // In the loss modes, dividing advantages by their std would change the effective β (see KlPpoConfig.normAdv).
      normAdv: klMode === 'reward',
      klMode,
    },
    new RngStreams(1),
  );
  for (let i = 0; i < ITERS; i++) agent.iterate();
  const table = rowsOf(agent.policyTable(), ref[0].length);
  agent.dispose();
  return R.map((r, s) => totalVariation(table[s], klRegularizedOptimum(ref[s], r, beta).probs));
}

describe('KL-PPO on a contextual bandit reaches π* ∝ π_ref·exp(R/β)', () => {
  beforeAll(async () => {
    await initNodeBackend();
  });

  for (const [mode, beta] of [
    ['reward', 0.5],
    ['reward', 0.2],
    ['k3-loss', 0.2],
    ['exact-loss', 0.5],
  ] as const) {
    it(`${mode}, β = ${beta}: TV < 0.02 in every context`, () => {
      const tv = train(mode, beta);
      console.log(`bandit ${mode} β=${beta}: TV per context ${tv.map((x) => x.toFixed(4)).join(', ')}`);
      for (const x of tv) expect(x).toBeLessThan(0.02);
    });
  }

  it('uniform prior (an entropy bonus), β = 0.3: TV < 0.02 to softmax(R/β)', () => {
    const tv = train('reward', 0.3, UNIFORM);
    console.log(`bandit uniform prior β=0.3: TV per context ${tv.map((x) => x.toFixed(4)).join(', ')}`);
    for (const x of tv) expect(x).toBeLessThan(0.02);
  });

  it('the optimum is far from the reference (so TV < 0.02 is not reached by staying put)', () => {
    for (const beta of [0.5, 0.2]) {
      R.forEach((r, s) =>
        expect(totalVariation(REF[s], klRegularizedOptimum(REF[s], r, beta).probs)).toBeGreaterThan(0.2),
      );
    }
  });
});
