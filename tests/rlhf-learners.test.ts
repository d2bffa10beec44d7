/**
 * GRPO, RLOO and DPO on the tabular TokenSeq-v0 policy, checked against the closed-form optimum
 * π* ∝ π_ref·exp(R/β) over all 256 sequences: RLOO and DPO (soft Bradley–Terry labels, uniform pairs) reach
 * TV ≤ 0.02 at β ∈ {0.1, 0.3} on seeds 1–3 (measured: RLOO ≤ 0.012, DPO ≤ 0.002), DPO's implicit reward is R
 * up to a constant, GRPO stays far from π* (its std normalization; β = 0 collapses); exact resume, weights and
 * config errors.
 */
import { describe, expect, it } from 'vitest';
import { createDpo, createGrpo, createRloo, type TabularRlhfLearner } from '../src/agents/rlhf/index.js';
import { klRegularizedOptimum, totalVariation } from '../src/agents/klppo/optimum.js';
import { RngStreams } from '../src/core/rng.js';
import { TokenSeq } from '../src/envs/tokens.js';
import { makeObjective } from '../src/priors/index.js';

const env = new TokenSeq();
const objectiveAt = (beta: number) =>
  makeObjective({ prior: 'reference', alpha: beta }, env, { reference: { table: env.referenceTable } });
const makeEnv = () => new TokenSeq();
const STEPS = 600;
const SCHEDULE = { learningRate: 0.05, annealSteps: STEPS };

function train(l: TabularRlhfLearner, steps: number): Record<string, number> {
  let m: Record<string, number> = {};
  for (let i = 0; i < steps; i++) m = l.step();
  return m;
}

describe('RLHF learners on TokenSeq-v0 against π*', () => {
  for (const beta of [0.1, 0.3]) {
    it(`β = ${beta}: RLOO and DPO within TV 0.02 of π* on seeds 1–3; DPO's implicit reward = R + c`, () => {
      const objective = objectiveAt(beta);
      for (const seed of [1, 2, 3]) {
        const streams = new RngStreams(seed);
        const rloo = createRloo({ makeEnv, objective, config: SCHEDULE, streams });
        const mr = train(rloo, STEPS);
        const dpo = createDpo({ makeEnv, objective, config: SCHEDULE, streams: new RngStreams(seed) });
        const md = train(dpo, STEPS);
        console.log(
          `β=${beta} seed ${seed}: TV(RLOO, π*) ${mr['charts/tv_optimum'].toFixed(4)}, TV(DPO, π*) ${md['charts/tv_optimum'].toFixed(4)}, DPO implicit-reward error ${dpo.implicitRewardError().toFixed(4)}`,
        );
        expect(mr['charts/tv_optimum']).toBeLessThan(0.02);
        expect(md['charts/tv_optimum']).toBeLessThan(0.02);
        expect(dpo.implicitRewardError()).toBeLessThan(0.01);
        // The metric is the enumerated TV to the closed form.
        const opt = klRegularizedOptimum(
          env.sequenceProbs((s) => env.referenceTable[s]),
          env.sequenceRewards(),
          beta,
        );
        expect(totalVariation(rloo.sequenceProbs(), opt.probs)).toBeCloseTo(mr['charts/tv_optimum'], 12);
      }
      objective.dispose();
    });
  }

  it('GRPO does not target π*: TV > 0.2 at β = 0.1 with std normalization, and β = 0 collapses onto one sequence', () => {
    const objective = objectiveAt(0.1);
    const none = objectiveAt(0);
    for (const seed of [1, 2, 3]) {
      const grpo = createGrpo({ makeEnv, objective, config: SCHEDULE, streams: new RngStreams(seed) });
      expect(train(grpo, STEPS)['charts/tv_optimum']).toBeGreaterThan(0.2);
      const greedy = createGrpo({ makeEnv, objective: none, config: SCHEDULE, streams: new RngStreams(seed) });
      const m = train(greedy, STEPS);
      const p = greedy.sequenceProbs();
      console.log(
        `GRPO seed ${seed}: β = 0.1 TV ${grpo.exactMetrics()['charts/tv_optimum'].toFixed(3)}; β = 0: E[R] ${m['charts/expected_reward'].toFixed(3)}, top sequence ${env.text(env.allSequences()[p.indexOf(Math.max(...p))])} (${Math.max(...p).toFixed(3)}), TV to π*(0.1) ${totalVariation(p, grpo.optimumProbs()).toFixed(3)}`,
      );
      // β = 0 collapses onto one high-reward sequence (aaaa, or a local optimum such as aada)
      expect(Math.max(...p)).toBeGreaterThan(0.9);
      expect(m['charts/expected_reward']).toBeGreaterThan(0.7);
      expect(totalVariation(p, grpo.optimumProbs())).toBeGreaterThan(0.3);
    }
    objective.dispose();
    none.dispose();
  });

  it('getState/setState resumes exactly; policyWeights round-trip; act and stats', () => {
    const objective = objectiveAt(0.3);
    for (const create of [createGrpo, createRloo, createDpo]) {
      const a = create({ makeEnv, objective, config: {}, streams: new RngStreams(5) });
      train(a, 20);
      const state = a.getState();
      const tail = train(a, 20);
      const b = create({ makeEnv, objective, config: {}, streams: new RngStreams(99) });
      b.setState(state);
      expect(train(b, 20)).toEqual(tail);
      expect(b.logits).toEqual(a.logits);
      const c = create({ makeEnv, objective, config: {}, streams: new RngStreams(1) });
      c.setPolicyWeights(a.policyWeights());
      expect(Array.from(c.policyWeights().logits)).toEqual(Array.from(a.policyWeights().logits));
      expect(() => c.setPolicyWeights({ logits: new Float32Array(3) })).toThrow(/logits has 3 numbers; allowed: 340/);
      expect(Array.from(a.act([0, 1], { deterministic: true })).every((x) => x >= 0 && x < 4)).toBe(true);
      expect(a.stats([0]).kl).toBeGreaterThan(0);
    }
    objective.dispose();
  });

  it('config errors name the field, the value and what is allowed', () => {
    const objective = objectiveAt(0.3);
    const args = (config: Record<string, unknown>) => ({ makeEnv, objective, config, streams: new RngStreams(1) });
    expect(() => createGrpo(args({ groupSize: 1 }))).toThrow(
      'GrpoConfig.groupSize: got 1, allowed: an integer in [2, 65536]',
    );
    expect(() => createRloo(args({ learningRate: -1 }))).toThrow(
      'RlooConfig.learningRate: got -1, allowed: a finite number in (0, 10]',
    );
    expect(() => createDpo(args({ labels: 'hard' }))).toThrow(
      "DpoConfig.labels: got \"hard\", allowed: 'soft' or 'sampled'",
    );
    expect(() => createDpo(args({ pair: 3 }))).toThrow(
      /DpoConfig.pair: got 3, allowed: a known field \(pairs, pairSource/,
    );
    expect(() => createDpo({ makeEnv, objective: objectiveAt(0), config: {}, streams: new RngStreams(1) })).toThrow(
      'dpo objective.alpha: got 0; allowed: > 0',
    );
    const learned = makeObjective({ prior: 'reference', alpha: 'auto_0.1', targetKl: 0.5 }, env, {
      reference: { table: env.referenceTable },
    });
    expect(() => createRloo({ makeEnv, objective: learned, config: {}, streams: new RngStreams(1) })).toThrow(
      'rloo: objective.alpha: got "auto_0.1"; allowed: a fixed number ≥ 0',
    );
    learned.dispose();
    objective.dispose();
  });
});
