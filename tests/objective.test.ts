/**
 * The Objective: one value (prior + α) that the exact solver, both SACs, KL-PPO and the viewer take.
 * Unit checks of the spec (bad input names the field, the value and what is allowed), the target-entropy
 * ↔ target-KL conversion two ways, and the tabular view; the one-value-everywhere learning check is in
 * `objective-learners.test.ts`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { entropyAt, klAt, softValueIteration } from '../src/agents/exact/index.js';
import { Box, Discrete } from '../src/core/spaces.js';
import { make } from '../src/envs/registry.js';
import { twoRouteReference } from '../src/envs/tworoute.js';
import type { TabularEnv } from '../src/envs/env.js';
import { initNodeBackend } from '../src/node/backend.js';
import {
  makeObjective,
  objectiveSpecOf,
  parseObjectiveSpec,
  PRIOR_NAMES,
  type DiscretePrior,
} from '../src/priors/index.js';

beforeAll(async () => {
  await initNodeBackend();
});

const tabular = { observationSpace: new Discrete(3), actionSpace: new Discrete(4) };
const box = { observationSpace: new Box([-1], [1]), actionSpace: new Box([-2, 0], [2, 1]) };
const TABLE = [
  [0.1, 0.2, 0.3, 0.4],
  [0.25, 0.25, 0.25, 0.25],
  [0.7, 0.1, 0.1, 0.1],
];

describe('the spec', () => {
  it('fills defaults and keeps what it was given (what config.json stores)', () => {
    expect(parseObjectiveSpec({ prior: 'none' })).toEqual({ prior: 'none', alpha: 0 });
    expect(parseObjectiveSpec({ prior: 'uniform', alpha: 'auto_0.1', targetEntropy: 'auto' })).toEqual({
      prior: 'uniform',
      alpha: 'auto_0.1',
      targetEntropy: 'auto',
    });
  });

  it('bad input fails at construction, naming the field, the value and what is allowed', () => {
    const cases: [unknown, RegExp][] = [
      [{ prior: 'gaussian' }, /objective.prior: got "gaussian"; allowed: uniform, reference, none/],
      [{ prior: 'none', alpha: 0.5 }, /objective.alpha: got 0.5; allowed: 0 with prior 'none'/],
      [{ prior: 'none', alpha: 'auto', targetKl: 1 }, /objective.alpha: got "auto"; allowed: 0 with prior 'none'/],
      [
        { prior: 'uniform', alpha: 'auto' },
        /objective.targetKl: got undefined; allowed: a number ≥ 0 when alpha is 'auto'/,
      ],
      [
        { prior: 'uniform', alpha: 'autox' },
        /objective.alpha: got "autox"; allowed: a finite number ≥ 0, 'auto' or 'auto_<initial value>'/,
      ],
      [
        { prior: 'uniform', alpha: 'auto_0', targetKl: 1 },
        /objective.alpha: got "auto_0"; allowed: 'auto' or 'auto_<x>' with x > 0/,
      ],
      [{ prior: 'uniform', alpha: -1 }, /objective.alpha: got -1; allowed: a finite number ≥ 0/],
      [{ prior: 'uniform', alpha: Infinity }, /objective.alpha: got Infinity/],
      [
        { prior: 'uniform', alpha: 0.2, targetKl: 1 },
        /objective.targetKl: got 1; allowed: unset when alpha is fixed \(0.2\)/,
      ],
      [
        { prior: 'reference', alpha: 'auto', targetEntropy: 1 },
        /objective.targetEntropy: got 1; allowed: unset with prior 'reference'/,
      ],
      [
        { prior: 'uniform', alpha: 'auto', targetKl: 1, targetEntropy: 1 },
        /objective.targetEntropy: got 1; allowed: unset when targetKl is given/,
      ],
      [{ prior: 'uniform', alpha: 0.1, temperature: 3 }, /objective\.\(spec\)|temperature/],
      [null, /objective/],
    ];
    for (const [spec, message] of cases)
      expect(() => makeObjective(spec, tabular), JSON.stringify(spec)).toThrow(message);
  });

  it('a reference that does not fit the env fails at construction', () => {
    expect(() => makeObjective({ prior: 'reference', alpha: 0.1 }, tabular)).toThrow(
      /objective.reference: got undefined; allowed: a reference source/,
    );
    const other = { table: Array.from({ length: 3 }, () => [0.5, 0.5]) };
    expect(() => makeObjective({ prior: 'reference', alpha: 0.1 }, tabular, { reference: other })).toThrow(
      /objective \(prior 'reference'\): reference.table\[0\]: has 2 entries, the env has 4 actions/,
    );
    const gaussian = {
      gaussian: (obs: tf.Tensor2D) => ({ mean: tf.zeros([obs.shape[0], 1]) as tf.Tensor2D, logStd: tf.zeros([1]) }),
    };
    expect(() => makeObjective({ prior: 'reference', alpha: 0.1 }, tabular, { reference: gaussian })).toThrow(
      /needs a Box action space, the env has Discrete\(4\)/,
    );
    expect(() => makeObjective({ prior: 'uniform', alpha: 'auto', targetEntropy: 'auto' }, tabular)).toThrow(
      /objective.targetEntropy: got "auto"; allowed: a number with the action space Discrete\(4\)/,
    );
  });

  it('a reference source is made only when the prior is reference', () => {
    let made = 0;
    const source = () => (made++, { table: TABLE });
    makeObjective({ prior: 'uniform', alpha: 0.1 }, tabular, { reference: source }).dispose();
    makeObjective({ prior: 'none' }, tabular, { reference: source }).dispose();
    expect(made).toBe(0);
    makeObjective({ prior: 'reference', alpha: 0.1 }, tabular, { reference: source }).dispose();
    expect(made).toBe(1);
  });

  it('objectiveSpecOf: CLI options → spec; none drops α and targets, the uniform prior prefers its entropy target', () => {
    expect(objectiveSpecOf({ prior: 'none', alpha: 0.5, targetKl: 1 })).toEqual({ prior: 'none' });
    expect(objectiveSpecOf({ prior: 'uniform', alpha: 0.5, targetKl: 1 })).toEqual({ prior: 'uniform', alpha: 0.5 });
    expect(objectiveSpecOf({ prior: 'uniform', alpha: 'auto', targetKl: 1, targetEntropy: 'auto' })).toEqual({
      prior: 'uniform',
      alpha: 'auto',
      targetEntropy: 'auto',
    });
    expect(objectiveSpecOf({ prior: 'reference', alpha: 'auto', targetKl: 1, targetEntropy: 'auto' })).toEqual({
      prior: 'reference',
      alpha: 'auto',
      targetKl: 1,
    });
  });
});

describe('α and the target KL', () => {
  it('none: α is 0 by construction; fixed α: no target; learned α: the initial value and the target', () => {
    const none = makeObjective({ prior: 'none' }, tabular);
    expect([none.alpha, none.targetKl]).toEqual([0, null]);
    const fixed = makeObjective({ prior: 'uniform', alpha: 0.3 }, tabular);
    expect([fixed.alpha, fixed.targetKl, fixed.label]).toEqual([0.3, null, 'uniform α=0.3']);
    const auto = makeObjective({ prior: 'uniform', alpha: 'auto', targetKl: 0.4 }, tabular);
    expect([auto.alpha, auto.targetKl]).toEqual([1, 0.4]);
    expect(makeObjective({ prior: 'uniform', alpha: 'auto_0.05', targetKl: 0.4 }, tabular).alpha).toBe(0.05);
  });

  it('a target entropy is a target KL to uniform: KL̄ = −H̄ − log u, checked against KL(π‖U) of a policy with entropy H̄', () => {
    // Discrete(4): KL(π‖U) = log 4 − H(π). Take π = (0.7, 0.1, 0.1, 0.1): its entropy as the target.
    const pi = Float64Array.from([0.7, 0.1, 0.1, 0.1]);
    const h = entropyAt(pi, 0, 4);
    const obj = makeObjective({ prior: 'uniform', alpha: 'auto', targetEntropy: h }, tabular);
    expect(obj.targetKl!).toBeCloseTo(klAt(pi, Float64Array.from([0.25, 0.25, 0.25, 0.25]), 0, 4), 12);
    // Box [-2, 2] × [0, 1]: log u = −log 4 − log 1; 'auto' is H̄ = −dim(A) = −2, so KL̄ = 2 + log 4.
    const b = makeObjective({ prior: 'uniform', alpha: 'auto', targetEntropy: 'auto' }, box);
    expect(b.targetKl!).toBeCloseTo(2 + Math.log(4), 12);
  });
});

describe('the tabular view (what the exact solver and the viewer read)', () => {
  it("uniform and none read the uniform table, reference its table; its KL to a policy table matches the prior's tensor KL", () => {
    const uniform = makeObjective({ prior: 'uniform', alpha: 0.2 }, tabular).tabular();
    const none = makeObjective({ prior: 'none' }, tabular).tabular();
    const ref = makeObjective({ prior: 'reference', alpha: 0.2 }, tabular, { reference: { table: TABLE } });
    const view = ref.tabular();
    expect(Array.from(uniform.prior)).toEqual(Array(12).fill(0.25));
    expect(Array.from(none.prior)).toEqual(Array(12).fill(0.25));
    expect([uniform.alpha, none.alpha, view.alpha]).toEqual([0.2, 0, 0.2]);
    for (let s = 0; s < 3; s++) for (let a = 0; a < 4; a++) expect(view.prior[s * 4 + a]).toBeCloseTo(TABLE[s][a], 15);
    const pi = Float64Array.from([0.4, 0.3, 0.2, 0.1, 1, 0, 0, 0, 0.25, 0.25, 0.25, 0.25]);
    for (let s = 0; s < 3; s++) {
      // Two ways: the table's closed form and the prior's own tensor KL from the same policy's logits.
      const viaTensor = tf.tidy(
        () =>
          (ref.prior as DiscretePrior)
            .kl(
              tf.oneHot([s], 3).toFloat() as tf.Tensor2D,
              tf.log(tf.tensor2d([Array.from(pi.subarray(s * 4, s * 4 + 4), (p) => Math.max(p, 1e-30))])),
            )
            .dataSync()[0],
      );
      expect(viaTensor).toBeCloseTo(klAt(pi, view.prior, s, 4), 5);
    }
    ref.dispose();
  });

  it('a learned α has no tabular view; Box actions have none', () => {
    expect(() => makeObjective({ prior: 'uniform', alpha: 'auto', targetKl: 1 }, tabular).tabular()).toThrow(
      /objective.alpha: got "auto"; allowed: a fixed number for the exact solver/,
    );
    expect(() => makeObjective({ prior: 'uniform', alpha: 1 }, box).tabular()).toThrow(
      /objective.prior: got "uniform"; allowed: a tabular env/,
    );
  });

  it('the solver reads it: none is hard value iteration, uniform α→0 approaches it', () => {
    const env = make('TwoRoute-v0') as unknown as TabularEnv;
    const solve = (spec: Parameters<typeof makeObjective>[0]) =>
      softValueIteration(env.model, {
        ...makeObjective(spec, env, { reference: { table: twoRouteReference(env) } }).tabular(),
        gamma: 0.95,
      });
    const none = solve({ prior: 'none' });
    const cold = solve({ prior: 'uniform', alpha: 1e-4 });
    const start = env.model.initialDistribution.indexOf(1);
    expect(none.V[start]).toBeCloseTo(0.95 ** 7, 12);
    expect(Math.abs(cold.V[start] - none.V[start])).toBeLessThan(1e-3);
    expect(solve({ prior: 'reference', alpha: 0.15 }).V[start]).toBeLessThan(none.V[start]);
  });
});

describe('one list of prior names; no code outside the Objective tests for `none`', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
    });
  const sources = [...files('src'), ...files('experiments')].filter((f) => !f.endsWith(join('priors', 'objective.ts')));

  it("grep: no `=== 'none'` / `!== 'none'` and no second list of the prior names", () => {
    const offenders = sources.filter((f) => /[!=]==\s*'none'|'none'\s*[!=]==/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
    const lists = sources.filter((f) => /\[\s*'uniform',\s*'reference',\s*'none'\s*\]/.test(readFileSync(f, 'utf8')));
    expect(lists).toEqual([]);
    expect(PRIOR_NAMES).toEqual(['uniform', 'reference', 'none']);
  });
});
