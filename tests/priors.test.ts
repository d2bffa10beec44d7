import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiagGaussian, TanhGaussian, standardNormal } from '../src/core/distributions.js';
import { Rng } from '../src/core/rng.js';
import { Box, Discrete } from '../src/core/spaces.js';
import { initNodeBackend } from '../src/node/backend.js';
import { pointMassSteering } from '../src/envs/controllers.js';
import {
  categoricalKl,
  checkPriorMatches,
  controllerReference,
  isDiscretePrior,
  referencePrior,
  uniformPrior,
  type BoxPrior,
  type DiscretePrior,
  type Prior,
  type PriorSpaces,
  type ReferenceSource,
} from '../src/priors/index.js';

const tabular = { observationSpace: new Discrete(3), actionSpace: new Discrete(4) };
const continuous = { observationSpace: new Box([-1, -1], [1, 1]), actionSpace: new Box([-1, 0], [1, 4]) };
const TABLE = [
  [0.1, 0.2, 0.3, 0.4],
  [0.25, 0.25, 0.25, 0.25],
  [0.7, 0.1, 0.1, 0.1],
];

/** The uniform prior, or the reference prior of `reference`. */
function makePrior(env: PriorSpaces, reference?: ReferenceSource): Prior {
  return reference === undefined ? uniformPrior(env) : referencePrior(env, reference);
}
function discrete(reference?: ReferenceSource): DiscretePrior {
  const p = makePrior(tabular, reference);
  if (!isDiscretePrior(p)) throw new Error('expected a discrete prior');
  return p;
}
const states = () => tf.eye(3) as tf.Tensor2D; // every one-hot state
const read = (t: tf.Tensor) => Array.from(t.dataSync());

beforeAll(async () => {
  await initNodeBackend();
});

describe('uniform prior', () => {
  it('Discrete: log p = −log n in every state; KL(π‖U) = log n − H(π)', () => {
    const p = discrete();
    tf.tidy(() => {
      expect(read(p.logProbs(states()))).toEqual(Array(12).fill(Math.fround(-Math.log(4))));
      const logits = tf.tensor2d([
        [1, 2, 3, 4],
        [0, 0, 0, 0],
        [5, -1, 0, 2],
      ]);
      const pi = tf.softmax(logits).arraySync() as number[][];
      const expected = pi.map((row) => Math.log(4) + row.reduce((s, q) => s + q * Math.log(q), 0));
      read(p.kl(states(), logits)).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    });
    expect(p.table()).toEqual(new Float64Array(12).fill(0.25));
  });

  it('bounded Box: the constant density −Σ log(high − low); KL to a Gaussian has no closed form', () => {
    const p = makePrior(continuous) as BoxPrior;
    tf.tidy(() => {
      const lp = read(
        p.logProb(
          tf.zeros([2, 2]),
          tf.tensor2d([
            [0, 1],
            [0.5, 3],
          ]),
        ),
      );
      expect(lp[0]).toBeCloseTo(-Math.log(2) - Math.log(4), 6);
      expect(lp[1]).toBeCloseTo(lp[0], 6);
      expect(p.kl(tf.zeros([1, 2]), new DiagGaussian(tf.zeros([1, 2]), tf.zeros([1, 2])))).toBeNull();
    });
  });

  it('an unbounded Box is an error naming the space', () => {
    const env = { observationSpace: new Discrete(2), actionSpace: new Box([-Infinity], [1]) };
    expect(() => makePrior(env)).toThrow(/actionSpace Box\(\[-Infinity\], \[1\].*unbounded/);
  });
});

describe('reference prior', () => {
  it('table: log-probs per one-hot state are the table, KL is Σ π(log π − log p)', () => {
    const p = discrete({ table: TABLE });
    tf.tidy(() => {
      const lp = p.logProbs(states()).arraySync() as number[][];
      lp.forEach((row, s) => row.forEach((v, a) => expect(v).toBeCloseTo(Math.log(TABLE[s][a]), 5)));
      expect(read(p.logProb(states(), tf.tensor1d([3, 0, 0], 'int32')))[0]).toBeCloseTo(Math.log(0.4), 5);
      const logits = tf.tensor2d([
        [0, 0, 0, 0],
        [2, 0, 0, 0],
        [0, 0, 0, 3],
      ]);
      const pi = tf.softmax(logits).arraySync() as number[][];
      const expected = pi.map((row, s) =>
        row.reduce((acc, q, a) => acc + q * (Math.log(q) - Math.log(TABLE[s][a])), 0),
      );
      read(p.kl(states(), logits)).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    });
    Array.from(p.table()).forEach((v, k) => expect(v).toBeCloseTo(TABLE.flat()[k], 12));
    // The flat nS·nA layout of the exact solver is accepted too.
    const flat = discrete({ table: Float64Array.from(TABLE.flat()) });
    expect(flat.table()).toEqual(p.table());
  });

  it('table: reading table() builds no tensor; dispose() frees the log table the tensor methods built', () => {
    const before = tf.memory().numTensors;
    const p = discrete({ table: TABLE });
    p.table();
    expect(tf.memory().numTensors).toBe(before);
    tf.tidy(() => {
      p.logProbs(states());
    });
    expect(tf.memory().numTensors).toBe(before + 1); // the log table
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("logits source: table() rows sum to 1 in float64 (the exact solver checks 1e-9); dispose() calls the source's", () => {
    let disposed = 0;
    const p = discrete({
      logits: (obs) =>
        tf.matMul(
          obs,
          tf.tensor2d([
            [0.3, -1.7, 2.9, 0.1],
            [5, 1, -3, 0.7],
            [0.01, 0.02, 0.03, 0.04],
          ]),
        ),
      dispose: () => disposed++,
    });
    const table = p.table();
    for (let s = 0; s < 3; s++)
      expect(Math.abs(table.subarray(s * 4, s * 4 + 4).reduce((acc, q) => acc + q, 0) - 1)).toBeLessThan(1e-12);
    p.dispose();
    expect(disposed).toBe(1);
  });

  it('table validation names the field', () => {
    expect(() => discrete({ table: TABLE.slice(0, 2) })).toThrow(/reference.table: has 2 rows, the env has 3 states/);
    expect(() => discrete({ table: new Float64Array(11).fill(1 / 4) })).toThrow(
      /reference.table: has 11 entries, the env needs nS·nA = 3·4 = 12/,
    );
    expect(() => discrete({ table: [TABLE[0], [0.5, 0.5], TABLE[2]] })).toThrow(/reference.table\[1\]: has 2 entries/);
    expect(() => discrete({ table: [TABLE[0], [1, 0, 0, 0], TABLE[2]] })).toThrow(
      /reference.table\[1\]\[1\]: 0 must be/,
    );
    expect(() => discrete({ table: [TABLE[0], [0.5, 0.5, 0.5, 0.5], TABLE[2]] })).toThrow(
      /reference.table\[1\]: sums to 2/,
    );
  });

  it('logits source: frozen, the learner loss sends no gradient into it and training leaves it unchanged', () => {
    const w = tf.variable(
      tf.tensor2d([
        [1, 0, 0, 0],
        [0, 2, 0, 0],
        [0, 0, 0, -1],
      ]),
      true,
      'ref/w',
    );
    const p = discrete({ logits: (obs) => tf.matMul(obs, w) });
    const theta = tf.variable(tf.zeros([3, 4]), true, 'learner/theta');
    const before = tf.tidy(() => read(p.logProbs(states())));
    // Control: the same KL written without the prior does send a gradient into w, so the check below can fail.
    tf.tidy(() => {
      const raw = () =>
        tf.sum(
          categoricalKl(tf.matMul(states(), theta), tf.logSoftmax(tf.matMul(states(), w)) as tf.Tensor2D),
        ) as tf.Scalar;
      expect(Math.max(...read(tf.abs(tf.variableGrads(raw, [w]).grads['ref/w'])))).toBeGreaterThan(1e-2);
    });
    const opt = tf.train.sgd(0.5);
    for (let i = 0; i < 5; i++) {
      tf.tidy(() => {
        // The learner's KL loss touches both variables; only the learner's may receive a gradient.
        const loss = () => tf.sum(p.kl(states(), tf.matMul(states(), theta))) as tf.Scalar;
        const { grads } = tf.variableGrads(loss, [w, theta]);
        // tfjs drops a variable the loss does not reach; present, it must be all zeros.
        if (grads['ref/w'] !== undefined) expect(Math.max(...read(tf.abs(grads['ref/w'])))).toBe(0);
        expect(Math.max(...read(tf.abs(grads['learner/theta'])))).toBeGreaterThan(1e-3);
        opt.applyGradients(grads);
      });
    }
    expect(tf.tidy(() => read(p.logProbs(states())))).toEqual(before);
    // The learner moved toward the reference: KL after training is below KL at θ = 0.
    const klAfter = tf.tidy(() => read(p.kl(states(), tf.matMul(states(), theta))));
    const klStart = tf.tidy(() => read(p.kl(states(), tf.zeros([3, 4]))));
    klAfter.forEach((v, i) => expect(v).toBeLessThan(klStart[i]));
    // table() evaluates the frozen function on every state.
    const row0 = tf.tidy(() => read(tf.softmax(tf.tensor1d([1, 0, 0, 0]))));
    Array.from(p.table().subarray(0, 4)).forEach((v, i) => expect(v).toBeCloseTo(row0[i], 6));
    tf.dispose([w, theta]);
  });

  it('logits source with the wrong width is an error naming the field', () => {
    const p = discrete({ logits: (obs) => tf.zeros([obs.shape[0], 3]) as tf.Tensor2D });
    expect(() => tf.tidy(() => p.logProbs(states()))).toThrow(
      /reference.logits: returned shape \[3, 3\], expected \[3, 4\]/,
    );
  });

  it('gaussian controller: log-density and closed-form KL match the formulas; the squashed one matches squashed policies only', () => {
    const gaussian = (obs: tf.Tensor2D) => ({
      mean: tf.mul(obs, 0.5) as tf.Tensor2D,
      logStd: tf.tensor1d([Math.log(0.5), 0]),
    });
    const p = makePrior(continuous, { gaussian }) as BoxPrior;
    tf.tidy(() => {
      const obs = tf.tensor2d([[1, -1]]);
      // mean (0.5, −0.5), std (0.5, 1); a = (1, 0)
      const lp = read(p.logProb(obs, tf.tensor2d([[1, 0]])))[0];
      const logN = (x: number, m: number, s: number) =>
        -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
      expect(lp).toBeCloseTo(logN(1, 0.5, 0.5) + logN(0, -0.5, 1), 5);
      // KL(N(0, 1)² ‖ prior) per dim: log(σ2/σ1) + (σ1² + (μ1−μ2)²)/(2σ2²) − ½
      const kl = read(p.kl(obs, new DiagGaussian(tf.zeros([1, 2]), tf.zeros([1, 2])))!)[0];
      const klDim = (m2: number, s2: number) => Math.log(s2) + (1 + m2 * m2) / (2 * s2 * s2) - 0.5;
      expect(kl).toBeCloseTo(klDim(0.5, 0.5) + klDim(-0.5, 1), 5);
      expect(p.kl(obs, new TanhGaussian(tf.zeros([1, 2]), tf.zeros([1, 2]), continuous.actionSpace))).toBeNull();
    });
    const squashed = makePrior(continuous, { gaussian, squash: true }) as BoxPrior;
    tf.tidy(() => {
      const obs = tf.tensor2d([[1, -1]]);
      expect(squashed.kl(obs, new DiagGaussian(tf.zeros([1, 2]), tf.zeros([1, 2])))).toBeNull();
    });
  });

  it('squashed gaussian controller: the closed-form KL equals a Monte Carlo estimate E_π[log π(a) − log p(a)] over the actions', () => {
    const gaussian = (obs: tf.Tensor2D) => ({
      mean: tf.mul(obs, 0.5) as tf.Tensor2D,
      logStd: tf.tensor1d([Math.log(0.5), 0]),
    });
    const squashed = makePrior(continuous, { gaussian, squash: true }) as BoxPrior;
    const n = 20_000;
    const { closed, mc, stdErr } = tf.tidy(() => {
      const obs = tf.tile(tf.tensor2d([[1, -1]]), [n, 1]) as tf.Tensor2D; // prior: mean (0.5, −0.5), std (0.5, 1)
      const policy = new TanhGaussian(
        tf.tile(tf.tensor2d([[-0.3, 0.4]]), [n, 1]),
        tf.tile(tf.tensor2d([[Math.log(0.3), Math.log(0.4)]]), [n, 1]),
        continuous.actionSpace,
      );
      const closedForm = read(squashed.kl(obs, policy)!);
      // Sampled in action space: log π from the pre-tanh noise, log p through the prior's own log-density (atanh).
      const { action, logProb } = policy.rsampleWithLogProb(standardNormal(new Rng('priors/kl-mc'), [n, 2]));
      const ratio = read(tf.sub(logProb, squashed.logProb(obs, action as tf.Tensor2D)));
      const mean = ratio.reduce((a, b) => a + b, 0) / n;
      const variance = ratio.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
      return { closed: closedForm[0], mc: mean, stdErr: Math.sqrt(variance / n) };
    });
    // Per dim log(σ2/σ1) + (σ1² + (μ1−μ2)²)/(2σ2²) − ½ on the pre-tanh Gaussians (KL survives a shared bijection).
    const klDim = (m1: number, s1: number, m2: number, s2: number) =>
      Math.log(s2 / s1) + (s1 * s1 + (m1 - m2) ** 2) / (2 * s2 * s2) - 0.5;
    expect(closed).toBeCloseTo(klDim(-0.3, 0.3, 0.5, 0.5) + klDim(0.4, 0.4, -0.5, 1), 5);
    console.log(
      `squashed KL: closed form ${closed.toFixed(4)}, Monte Carlo ${mc.toFixed(4)} ± ${stdErr.toFixed(4)} (n = ${n})`,
    );
    expect(stdErr).toBeLessThan(0.02);
    expect(Math.abs(mc - closed)).toBeLessThan(4 * stdErr);
  });

  it('a host controller as a reference: the mean is the controller mean per row, the std its noise; dispose frees the kept log-std', () => {
    const controller = pointMassSteering({ noiseStd: 0.3 });
    const before = tf.memory().numTensors;
    const p = makePrior(
      { observationSpace: new Box([-1, -1], [1, 1]), actionSpace: new Box([-1, -1], [1, 1]) },
      controllerReference(controller),
    ) as BoxPrior;
    const rows = [
      [-0.8, 0.1],
      [0.6, -0.2],
    ];
    tf.tidy(() => {
      // log N(a; μ, σ²) at a = μ is −Σ_d (log σ + ½ log 2π).
      const lp = read(p.logProb(tf.tensor2d(rows), tf.tensor2d(rows.map((o) => controller.mean(o)))));
      for (const v of lp) expect(v).toBeCloseTo(-2 * (Math.log(0.3) + 0.5 * Math.log(2 * Math.PI)), 4);
    });
    p.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => controllerReference({ std: [0], mean: () => [0] })).toThrow(
      'controllerReference: std[0] = 0, must be a finite number > 0',
    );
  });
});

describe('spaces', () => {
  it('a prior whose spaces do not match the env is rejected naming the field', () => {
    const p = discrete();
    expect(() => checkPriorMatches(p, { observationSpace: new Discrete(3), actionSpace: new Discrete(5) })).toThrow(
      /prior.actionSpace: Discrete\(4\) does not match the env's actionSpace Discrete\(5\)/,
    );
    expect(() => checkPriorMatches(p, { observationSpace: new Discrete(7), actionSpace: new Discrete(4) })).toThrow(
      /prior.observationSpace/,
    );
    expect(() => checkPriorMatches(p, tabular)).not.toThrow();
  });
});
