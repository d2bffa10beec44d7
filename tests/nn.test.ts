import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { policyFromOutput, squashedSample } from '../src/agents/sac/continuous.js';
import { standardNormal } from '../src/core/distributions.js';
import { Rng } from '../src/core/rng.js';
import { Box } from '../src/core/spaces.js';
import { Adam, Mlp, polyakUpdate, type Activation } from '../src/nn/index.js';

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});

function randn(rng: Rng, shape: [number, number]): tf.Tensor2D {
  const a = new Float32Array(shape[0] * shape[1]);
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return tf.tensor2d(a, shape);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Loss with a non-trivial upstream gradient: Σ c ⊙ y (c fixed, random). */
function gradsOf(net: Mlp, x: tf.Tensor2D, c: tf.Tensor, frozen = false) {
  return tf.tidy(() => {
    const f = (xi: tf.Tensor) => tf.sum(tf.mul(net.apply(xi as tf.Tensor2D, { frozen }), c));
    const dx = tf.grad(f)(x).dataSync();
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(net.apply(x), c)) as tf.Scalar, net.params);
    const dp = tf.concat(net.params.map((v) => tf.reshape(grads[v.name], [-1]))).dataSync();
    const y = net.apply(x).dataSync();
    return { y, dx, dp, loss: value.dataSync()[0] };
  });
}

describe('Mlp: fused dense layers with a hand-written backward', () => {
  // [5, 3] is `hidden: []`: one linear layer, as in tabular discrete SAC and the RSSM's GRU.
  for (const [sizes, activation, ensemble] of [
    [[5, 16, 12, 3], 'relu', 1],
    [[5, 16, 12, 3], 'relu', 2],
    [[5, 16, 12, 3], 'tanh', 1],
    [[5, 16, 12, 3], 'tanh', 3],
    [[5, 3], 'relu', 1],
    [[5, 3], 'tanh', 2],
  ] as [number[], Activation, number][]) {
    it(`forward and gradients equal tfjs built-in autodiff (sizes [${sizes.join(', ')}], ${activation}, ensemble ${ensemble})`, () => {
      const fused = new Mlp({ sizes, activation, ensemble }, new Rng(1));
      const plain = new Mlp({ sizes, activation, ensemble, impl: 'autodiff' }, new Rng(1));
      // Same seed → the same flat weights in both layouts.
      expect(maxAbsDiff(fused.getWeights(), plain.getWeights())).toBe(0);
      const rng = new Rng(2);
      const x = randn(rng, [7, 5]);
      const c = ensemble === 1 ? randn(rng, [7, 3]) : tf.reshape(randn(rng, [ensemble * 7, 3]), [ensemble, 7, 3]);
      const a = gradsOf(fused, x, c);
      const b = gradsOf(plain, x, c);
      expect(a.y.length).toBe(ensemble * 7 * 3);
      expect(maxAbsDiff(a.y, b.y)).toBeLessThan(1e-5);
      expect(maxAbsDiff(a.dx, b.dx)).toBeLessThan(1e-5);
      expect(a.dp.length).toBe(fused.numParams);
      expect(maxAbsDiff(a.dp, b.dp)).toBeLessThan(1e-5);
      // The gradient is not trivially zero.
      expect(Math.max(...Array.from(a.dp).map(Math.abs))).toBeGreaterThan(1e-2);
      // frozen: same input gradient, parameters not differentiated.
      const frozenDx = gradsOf(fused, x, c, true).dx;
      expect(maxAbsDiff(frozenDx, a.dx)).toBeLessThan(1e-6);
      fused.dispose();
      plain.dispose();
      tf.dispose([x, c]);
    });
  }

  it('initialization follows PyTorch nn.Linear bounds, scaled output layer, deterministic per seed', () => {
    const net = new Mlp({ sizes: [4, 8, 2], outputScale: 0.1 }, new Rng(3));
    const w = net.getWeights();
    expect(w.length).toBe((4 + 1) * 8 + (8 + 1) * 2);
    const first = w.subarray(0, 40);
    const last = w.subarray(40);
    expect(Math.max(...Array.from(first).map(Math.abs))).toBeLessThanOrEqual(0.5);
    expect(Math.max(...Array.from(first).map(Math.abs))).toBeGreaterThan(0.3);
    expect(Math.max(...Array.from(last).map(Math.abs))).toBeLessThanOrEqual(0.1 / Math.sqrt(8));
    expect(Array.from(new Mlp({ sizes: [4, 8, 2], outputScale: 0.1 }, new Rng(3)).getWeights())).toEqual(Array.from(w));
    expect(Array.from(new Mlp({ sizes: [4, 8, 2], outputScale: 0.1 }, new Rng(4)).getWeights())).not.toEqual(
      Array.from(w),
    );
  });

  it('construction and dispose leave no tensor behind (Mlp and Adam)', () => {
    const before = tf.memory().numTensors;
    for (const impl of ['fused', 'autodiff'] as const) {
      const net = new Mlp({ sizes: [3, 5, 2], ensemble: 2, impl }, new Rng(1));
      const opt = new Adam(net.params, { lr: 1e-3 });
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () => tf.sum(net.apply(tf.ones([2, 3]) as tf.Tensor2D)) as tf.Scalar,
          net.params,
        );
        opt.step(net.params.map((v) => grads[v.name]));
      });
      opt.dispose();
      net.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('setWeights round-trips and rejects a wrong length naming the expected size', () => {
    const a = new Mlp({ sizes: [3, 4, 1], ensemble: 2 }, new Rng(5));
    const b = new Mlp({ sizes: [3, 4, 1], ensemble: 2 }, new Rng(6));
    const before = tf.memory().numTensors;
    b.setWeights(a.getWeights());
    expect(tf.memory().numTensors).toBe(before); // no tensor left behind by getWeights/setWeights
    expect(Array.from(b.getWeights())).toEqual(Array.from(a.getWeights()));
    expect(() => b.setWeights(new Float32Array(3))).toThrow(/Mlp.setWeights: expected 42 values .* got 3/);
    expect(() => a.apply(tf.zeros([2, 4]) as tf.Tensor2D)).toThrow(/x must have shape \[batch, 3\], got \[2, 4\]/);
    expect(() => new Mlp({ sizes: [3, 0] }, new Rng(1))).toThrow(/Mlp.sizes/);
    expect(() => new Mlp({ sizes: [3, 1], ensemble: 0 }, new Rng(1))).toThrow(
      /Mlp.ensemble: expected a positive integer, got 0/,
    );
  });
});

describe('squashedSample: the SAC actor head with a hand-written backward', () => {
  it('values and gradients equal tfjs autodiff through TanhGaussian on a non-symmetric 3-D Box', () => {
    // A different centre and half-range per dim: a backward that mixes up dims or drops the centre shows here.
    const bounds = new Box([-1, 0, 2], [1, 4, 2.5]);
    const d = bounds.dim;
    const head = squashedSample(bounds);
    const rng = new Rng('nn/head');
    const out = tf.mul(standardNormal(rng, [6, 2 * d]), 1.5) as tf.Tensor2D; // reaches the tanh tails and the log-std clamp
    const eps = standardNormal(rng, [6, d]) as tf.Tensor2D;
    const c = standardNormal(rng, [6, d + 1]);
    const viaHead = (o: tf.Tensor) => tf.sum(tf.mul(head(o as tf.Tensor2D, eps), c));
    const viaTape = (o: tf.Tensor) => {
      const s = policyFromOutput(o as tf.Tensor2D, bounds).rsampleWithLogProb(eps);
      return tf.sum(tf.mul(tf.concat([s.action, tf.reshape(s.logProb, [-1, 1])], 1), c));
    };
    const r = tf.tidy(() => ({
      headOut: head(out, eps).dataSync(),
      tapeAction: policyFromOutput(out, bounds).rsampleWithLogProb(eps).action.dataSync(),
      loss: [viaHead(out).dataSync()[0], viaTape(out).dataSync()[0]],
      gh: tf.grad(viaHead)(out).dataSync(),
      gt: tf.grad(viaTape)(out).dataSync(),
    }));
    // The head's actions [B, d] (then log π) match the tape's and land inside each dim's own bounds.
    for (let b = 0; b < 6; b++) {
      for (let j = 0; j < d; j++) {
        const a = r.headOut[b * (d + 1) + j];
        expect(a).toBeCloseTo(r.tapeAction[b * d + j], 5);
        expect(a).toBeGreaterThanOrEqual(bounds.low[j]);
        expect(a).toBeLessThanOrEqual(bounds.high[j]);
      }
    }
    expect(Math.abs(r.loss[0] - r.loss[1])).toBeLessThan(1e-4);
    expect(maxAbsDiff(r.gh, r.gt)).toBeLessThan(1e-4);
    // Every column (each dim's mean and log-std) gets a gradient, so a missing one cannot pass as zeros = zeros.
    for (let j = 0; j < 2 * d; j++) {
      const col = Array.from({ length: 6 }, (_, b) => Math.abs(r.gt[b * 2 * d + j]));
      expect(Math.max(...col)).toBeGreaterThan(1e-3);
    }
    tf.dispose([out, eps, c]);
  });
});

describe('Adam', () => {
  it('fused flat Adam on the fused Mlp matches tf.train.adam on the per-layer baseline', () => {
    const sizes = [3, 10, 10, 2];
    const fused = new Mlp({ sizes }, new Rng(7));
    const plain = new Mlp({ sizes, impl: 'autodiff' }, new Rng(7));
    const opt = new Adam(fused.params, { lr: 0.01 });
    const ref = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    const rng = new Rng(8);
    const x = randn(rng, [16, 3]);
    const y = randn(rng, [16, 2]);
    const loss = (net: Mlp) => () => tf.mean(tf.square(tf.sub(net.apply(x), y))) as tf.Scalar;
    let first = 0;
    let last = 0;
    for (let i = 0; i < 50; i++) {
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss(fused), fused.params);
        opt.step(fused.params.map((v) => grads[v.name]));
        if (i === 0) first = value.dataSync()[0];
        last = value.dataSync()[0];
      });
      ref.minimize(loss(plain), false, plain.params);
    }
    expect(last).toBeLessThan(0.5 * first); // it does optimize
    expect(maxAbsDiff(fused.getWeights(), plain.getWeights())).toBeLessThan(1e-4);
    expect(opt.t).toBe(50);
  });

  it('clips the global gradient norm and restores its state exactly (through JSON)', () => {
    const v = tf.variable(tf.tensor1d([0, 0, 0, 0]));
    const opt = new Adam([v], { lr: 0.1, clipNorm: 1 });
    // First Adam step moves each coordinate by lr·sign(g) whatever the scale: check the clipped moments instead.
    tf.tidy(() => opt.step([tf.tensor1d([3, 4, 0, 0])])); // ‖g‖ = 5 → g = [0.6, 0.8, 0, 0]
    const s = opt.getState();
    expect(Array.from(s.m[0]).map((z) => +z.toFixed(6))).toEqual([0.06, 0.08, 0, 0]);
    expect(Array.from(s.v[0]).map((z) => +z.toFixed(7))).toEqual([0.00036, 0.00064, 0, 0]);
    const w = tf.variable(v.clone());
    const opt2 = new Adam([w], { lr: 0.1, clipNorm: 1 });
    opt2.fromJSON(JSON.parse(JSON.stringify(opt))); // toJSON(): plain arrays, restored by fromJSON()
    tf.tidy(() => opt.step([tf.tensor1d([0.1, -0.2, 0.3, 0])]));
    tf.tidy(() => opt2.step([tf.tensor1d([0.1, -0.2, 0.3, 0])]));
    expect(Array.from(w.dataSync())).toEqual(Array.from(v.dataSync()));
    expect(() => new Adam([v], { lr: -1 })).toThrow(/Adam.lr: expected > 0, got -1/);
    // A schedule sets the learning rate between steps; lr = 0 leaves the weights (not the moments) unchanged.
    opt.lr = 0;
    const w0 = Array.from(v.dataSync());
    tf.tidy(() => opt.step([tf.tensor1d([1, 1, 1, 1])]));
    expect(Array.from(v.dataSync())).toEqual(w0);
    expect(() => (opt.lr = NaN)).toThrow(/Adam.lr: expected a finite number ≥ 0, got NaN/);
  });

  it('keeps the tensor count flat across updates', () => {
    const net = new Mlp({ sizes: [3, 8, 1], ensemble: 2 }, new Rng(9));
    const opt = new Adam(net.params, { lr: 1e-3, clipNorm: 1 });
    const x = tf.ones([4, 3]) as tf.Tensor2D;
    const step = () =>
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => tf.mean(net.apply(x)) as tf.Scalar, net.params);
        opt.step(net.params.map((v) => grads[v.name]));
      });
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) step();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('polyakUpdate', () => {
  it('moves the target τ of the way toward the online weights', () => {
    const online = tf.variable(tf.tensor1d([1, 2, 3]));
    const target = tf.variable(tf.tensor1d([0, 0, 1]));
    polyakUpdate([target], [online], 0.25);
    expect(Array.from(target.dataSync())).toEqual([0.25, 0.5, 1.5]);
    expect(() => polyakUpdate([target], [online], 1.5)).toThrow(/tau: expected in \[0, 1\], got 1.5/);
  });
});
