/**
 * The one learner shape over the whole matrix: every algorithm on every registered env it fits, under every
 * prior the env has (uniform, none, and reference where the env names one), built exactly as `priorlab train
 * --algo A --env E --prior P` builds it (the tuned hyperparameters, the objective's defaults: no other option)
 * but for a short budget. Each runs, saves through the one checkpoint envelope (encoded and decoded the way a
 * run folder stores it), loads into a learner drawn from other seeds, and then acts bit-identically on 100
 * observations, deterministic and sampled; the policy weights alone carry the policy too.
 */
import { observations } from './observations.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALGOS, algoFits, createLearner, type Algo, type Learner } from '../src/agents/learner.js';
import { decodeF32Json, encodeF32Json } from '../src/core/f32json.js';
import { Rng, RngStreams } from '../src/core/rng.js';
import type { Observation } from '../src/envs/env.js';
import { make, registeredIds } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { buildObjective, resolveTrain, trainOptions } from '../src/node/train/setup.js';
import { referenceNames } from '../src/priors/named.js';

beforeAll(async () => {
  await initNodeBackend('wasm');
});

/** Steps of each run: past continuous and discrete SAC's 1000-step warm-up, two KL-PPO iterations. */
const BUDGET: Record<Algo, number> = {
  sac: 1100,
  'sac-discrete': 1100,
  klppo: 2048,
  rloo: 50,
  grpo: 50,
  dpo: 50,
  dreamer: 1100,
};

const CASES = ALGOS.flatMap((algo) =>
  registeredIds().flatMap((envId) => {
    if (!algoFits(algo, make(envId))) return [];
    const priors = ['uniform', 'none', ...(referenceNames(envId).length > 0 ? ['reference'] : [])];
    return priors.map((prior) => ({ algo, envId, prior }));
  }),
);

/** The combinations refused before anything runs, each with its one-line reason (DPO has no β = 0). */
const REFUSED: Record<string, RegExp> = {
  'dpo TokenSeq-v0 none': /^--alpha: got 0 \(prior none\); allowed with --algo dpo: β > 0/,
};

function actions(learner: Learner, obs: Observation[]): Float32Array[] {
  return [learner.act(obs, { deterministic: true }), learner.act(obs, { deterministic: false, rng: new Rng(11) })];
}

describe('every (algo, env, prior) that algoFits allows runs with its defaults, saves, loads and acts the same', () => {
  it('covers all three algorithms and the three priors', () => {
    expect(new Set(CASES.map((c) => c.algo))).toEqual(new Set(ALGOS));
    expect(new Set(CASES.map((c) => c.prior))).toEqual(new Set(['uniform', 'none', 'reference']));
    expect(CASES.length).toBeGreaterThan(30);
  });

  for (const { algo, envId, prior } of CASES) {
    const refused = REFUSED[`${algo} ${envId} ${prior}`];
    if (refused) {
      it(`${algo} on ${envId}, prior ${prior}: refused with a one-line reason`, () => {
        const res = trainOptions.safeParse({ algo, env: envId, prior });
        expect(res.success).toBe(false);
        expect(res.error?.issues.map((i) => i.message)).toEqual([expect.stringMatching(refused)]);
      });
      continue;
    }
    it(`${algo} on ${envId}, prior ${prior}`, async () => {
      const r = resolveTrain(trainOptions.parse({ algo, env: envId, prior }));
      const makeEnv = () => make(r.envId, r.envOptions);
      const objective = buildObjective(r.spec, makeEnv());
      const config = { ...r.config, totalSteps: BUDGET[algo] };
      const build = (seed: number) =>
        createLearner(algo, { makeEnv, objective, config, streams: new RngStreams(seed) });
      const trained = build(1);
      const loaded = build(2);
      const fromWeights = build(3);
      try {
        await trained.run();
        expect(trained.loop.stepCount).toBeGreaterThanOrEqual(BUDGET[algo]);
        const logged = trained.loop.metrics.at(-1)!.scalars;
        for (const v of Object.values(logged)) expect(Number.isFinite(v)).toBe(true);

        const obs = observations(envId);
        const before = actions(trained, obs);
        // The comparison can fail: before the load, the other learner's policy is another one.
        expect(loaded.policyWeights()).not.toEqual(trained.policyWeights());
        loaded.load(decodeF32Json(encodeF32Json(trained.save())));
        expect(actions(loaded, obs)).toEqual(before);
        fromWeights.setPolicyWeights(trained.policyWeights());
        expect(actions(fromWeights, obs)).toEqual(before);
      } finally {
        for (const l of [trained, loaded, fromWeights]) l.dispose();
        objective.dispose();
      }
    });
  }
});
