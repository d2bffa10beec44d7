/**
 * The host tape (src/nn/tape.ts) and the RSSM on it (src/worldmodel/tape-rssm.ts), checked two ways: every
 * op's gradient against central finite differences, and the whole ELBO's terms and gradient against the
 * tfjs `Rssm` (autodiff) from the same weights, batch and noise.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../src/core/rng.js';
import { initNodeBackend } from '../src/node/backend.js';
import { initialWeights } from '../src/nn/init.js';
import { setTapeKernels, tapeKernels } from '../src/nn/kernels.js';
import { type Node, Tape, trainableNet, frozen, netSize } from '../src/nn/tape.js';
import { Rssm, type RssmConfig } from '../src/worldmodel/rssm.js';
import { TapeRssm } from '../src/worldmodel/tape-rssm.js';
import type { SequenceBatch } from '../src/worldmodel/sequences.js';

beforeAll(async () => {
  await initNodeBackend('cpu');
});

const normals = (rng: Rng, n: number, s = 1) => Float32Array.from({ length: n }, () => s * rng.normal());

/** Max over entries of |analytic − numeric| / max(1, |numeric|), with central differences of step h. */
function fdError(f: (x: Float32Array) => number, x: Float32Array, grad: Float32Array, h = 1e-2): number {
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + h;
    const up = f(x);
    x[i] = keep - h;
    const down = f(x);
    x[i] = keep;
    const num = (up - down) / (2 * h);
    worst = Math.max(worst, Math.abs(grad[i] - num) / Math.max(1, Math.abs(num)));
  }
  return worst;
}

describe('tape ops: gradients against central finite differences', () => {
  const rng = new Rng(3);
  const n = 3;
  // Each case maps one input [n, c] to a scalar through the op(s) under test.
  const cases: [string, number, (t: Tape, x: Node) => Node][] = [
    [
      'mlp (relu, tanh) and its weights',
      4,
      (t, x) => {
        const net = {
          ...trainableNet([4, 5, 3], initialWeights([4, 5, 3], 1, 1, new Rng(1))),
          activation: 'tanh' as const,
        };
        return t.sum(
          t.mul(t.mlp(x, net), t.mlp(x, trainableNet([4, 6, 3], initialWeights([4, 6, 3], 1, 1, new Rng(2))))),
        );
      },
    ],
    [
      'concat, columns, stack, rowSum',
      4,
      (t, x) => {
        const a = t.rowSum(t.stack([t.columns(x, 1, 3), t.concat([t.columns(x, 0, 1), t.columns(x, 3, 4)])]));
        const b = t.rowSum(t.stack([t.columns(x, 0, 2), t.columns(x, 2, 4)]));
        return t.sum(t.mul(a, t.mul(b, b)));
      },
    ],
    [
      'add, mul, affine, dot',
      2,
      (t, x) => t.dot(t.add(t.mul(x, x), t.affine(x, -3, 1), 0.5), Float32Array.from([1, -2, 3, 0.5, 2, -1])),
    ],
    ['maxConst (free nats)', 2, (t, x) => t.sum(t.mul(t.maxConst(x, 0.3), x))],
    ['symexp', 2, (t, x) => t.sum(t.symexp(x))],
    ['gru', 9, (t, x) => t.sum(t.mul(t.gru(x, t.columns(x, 0, 3)), t.columns(x, 3, 6)))],
    [
      'gaussianHead, rsample, klDiag',
      8,
      (t, x) => {
        const q = t.gaussianHead(t.columns(x, 0, 4), 0.1);
        const p = t.gaussianHead(t.columns(x, 4, 8), 0.1);
        const z = t.rsample(q.mean, q.std, Float32Array.from([0.3, -1.2, 0.7, 0.1, -0.4, 2.0]));
        return t.add(t.sum(t.klDiag(q.mean, q.std, p.mean, p.std)), t.sum(t.mul(z, z)));
      },
    ],
    ['gaussLogLik', 2, (t, x) => t.gaussLogLik(Float32Array.from([0.5, -1, 2, 0, 1, 1]), x, 0.7)],
    [
      'gaussLogLik with a learned std (its mean and log σ)',
      3,
      (t, x) =>
        t.gaussLogLik(Float32Array.from([0.5, -1, 2, 0, 1, 1]), t.columns(x, 0, 2), {
          log: t.affine(t.sum(t.columns(x, 2, 3)), 0.3, -0.5),
        }),
    ],
    [
      'tanhGaussian (action and log π)',
      4,
      (t, x) => {
        const eps = Float32Array.from([0.4, -0.9, 1.3, 0.2, -0.5, 0.8]);
        const { action, logProb } = t.tanhGaussian(
          x,
          eps,
          Float32Array.from([-2, -1]),
          Float32Array.from([2, 3]),
          [-5, 2],
        );
        return t.add(t.sum(t.mul(action, action)), t.sum(logProb), 0.7);
      },
    ],
    [
      'given (an outside function with its derivative: here y = Σ_j sin x_j)',
      2,
      (t, x) => {
        const v = new Float32Array(x.rows);
        const d = x.value.map(Math.cos);
        for (let i = 0; i < x.rows; i++) v[i] = Math.sin(x.value[2 * i]) + Math.sin(x.value[2 * i + 1]);
        return t.sum(t.mul(t.given(x, v, d), t.given(x, v, d)));
      },
    ],
  ];
  it.each(cases)('%s', (_name, cols, f) => {
    const x = normals(rng, n * cols, 0.8);
    const value = (v: Float32Array) => f(new Tape(), new Tape().constant(v, n, cols)).scalar;
    const tape = new Tape();
    const leaf = tape.variable(x, n, cols);
    tape.backward(f(tape, leaf));
    expect(fdError(value, x, leaf.grad)).toBeLessThan(5e-3);
  });

  it("a net's weight gradient, and frozen nets pass gradients to the input only", () => {
    const sizes = [3, 4, 2];
    const w = initialWeights(sizes, 1, 1, new Rng(7));
    const x = normals(rng, 2 * 3);
    const net = trainableNet(sizes, w);
    const tape = new Tape();
    const input = tape.variable(x, 2, 3);
    tape.backward(tape.sum(tape.mul(tape.mlp(input, net), tape.mlp(input, net))));
    const value = (ws: Float32Array) => {
      const t = new Tape();
      const y = t.mlp(t.constant(x, 2, 3), trainableNet(sizes, ws));
      return t.sum(t.mul(y, y)).scalar;
    };
    expect(netSize(sizes)).toBe(w.length);
    expect(fdError(value, w, net.grad!)).toBeLessThan(5e-3);
    const still = frozen(trainableNet(sizes, w));
    const t2 = new Tape();
    const in2 = t2.variable(x, 2, 3);
    t2.backward(t2.sum(t2.mlp(in2, still)));
    expect(still.grad).toBeNull();
    expect(Math.max(...in2.grad.map(Math.abs))).toBeGreaterThan(0);
  });
});

describe('TapeRssm against the tfjs Rssm (autodiff), same weights, batch and noise', () => {
  const dims = { obsDim: 3, actDim: 1 };
  const T = 6;
  const B = 4;
  function batch(seed: number): SequenceBatch {
    const rng = new Rng(seed);
    return {
      T,
      B,
      ...dims,
      obs: normals(rng, T * B * 3),
      prevActions: normals(rng, T * B),
      rewards: normals(rng, T * B),
    };
  }
  const configs: [string, Partial<RssmConfig>][] = [
    ['the plain ELBO', { deterDim: 8, stochDim: 3, hiddenDim: 7 }],
    [
      'free nats and KL balancing',
      { deterDim: 8, stochDim: 3, hiddenDim: 7, freeNats: 0.3, klBalance: 0.8, klScale: 0.5 },
    ],
    ['a learned decoder std', { deterDim: 8, stochDim: 3, hiddenDim: 7, obsStd: 0.3, learnObsStd: true }],
  ];
  it.each(configs)('%s: terms to 1e-5, every gradient to 1e-4 of its scale', (_name, cfg) => {
    const fast = new TapeRssm(dims, cfg, new Rng(11));
    const ref = new Rssm(dims, cfg, new Rng(11));
    expect(fast.getState().weights).toEqual(ref.getState().weights);
    const b = batch(4);
    const eps = fast.noise(b, new Rng(9));
    const got = fast.lossAndGradient(b, eps);
    const want = ref.lossAndGradient(b, eps);
    for (const k of ['elbo', 'recon', 'reward', 'kl'] as const)
      expect(Math.abs(got.terms[k] - want.terms[k])).toBeLessThan(1e-5 * Math.max(1, Math.abs(want.terms[k])));
    expect(got.grads.length).toBe(cfg.learnObsStd ? 6 : 5);
    got.grads.forEach((g, i) => {
      const w = want.grads[i];
      const scale = Math.max(...w.map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      let worst = 0;
      for (let j = 0; j < g.length; j++) worst = Math.max(worst, Math.abs(g[j] - w[j]));
      expect(worst / scale).toBeLessThan(1e-4);
    });
    ref.dispose();
  });

  it("the WebAssembly kernels and the tape's own loops give the same terms and gradients", () => {
    const cfg = { deterDim: 12, stochDim: 3, hiddenDim: 9 };
    const b = batch(8);
    const run = () => {
      const m = new TapeRssm(dims, cfg, new Rng(2));
      const r = m.lossAndGradient(b, m.noise(b, new Rng(3)));
      return { terms: r.terms, grads: r.grads.map((g) => Float32Array.from(g)) };
    };
    expect(tapeKernels()).not.toBeNull();
    const withKernels = run();
    const kept = setTapeKernels(null);
    const loops = run();
    setTapeKernels(kept);
    expect(Math.abs(withKernels.terms.elbo - loops.terms.elbo)).toBeLessThan(1e-4);
    withKernels.grads.forEach((g, i) => {
      const scale = Math.max(...loops.grads[i].map(Math.abs));
      g.forEach((v, j) => expect(Math.abs(v - loops.grads[i][j])).toBeLessThan(1e-5 * Math.max(1, scale)));
    });
  });

  it("a learned decoder std: the loss's derivative in log σ_d equals central finite differences on both paths", () => {
    const cfg = { deterDim: 8, stochDim: 3, hiddenDim: 7, obsStd: 0.3, learnObsStd: true };
    const b = batch(6);
    const fast = new TapeRssm(dims, cfg, new Rng(12));
    const ref = new Rssm(dims, cfg, new Rng(12));
    const eps = fast.noise(b, new Rng(13));
    const state = fast.getState();
    const last = state.weights.length - 1;
    expect(state.weights[last]).toBeCloseTo(Math.log(0.3), 6);
    // loss = −(recon + reward) + KL (klScale 1, no free nats), as a function of log σ_d alone.
    const lossAt = (logStd: number) => {
      fast.setState({ ...state, weights: state.weights.map((w, i) => (i === last ? logStd : w)) });
      const t = fast.lossAndGradient(b, eps).terms;
      return -(t.recon + t.reward) + t.kl;
    };
    const h = 1e-2;
    const numeric = (lossAt(state.weights[last] + h) - lossAt(state.weights[last] - h)) / (2 * h);
    fast.setState(state);
    const tapeGrad = fast.lossAndGradient(b, eps).grads[5][0];
    const tfGrad = ref.lossAndGradient(b, eps).grads[5][0];
    expect(Math.abs(numeric)).toBeGreaterThan(1);
    expect(Math.abs(tapeGrad - numeric)).toBeLessThan(1e-3 * Math.abs(numeric));
    expect(Math.abs(tfGrad - numeric)).toBeLessThan(1e-3 * Math.abs(numeric));
    expect(fast.decoderStd()).toBeCloseTo(0.3, 6);
    ref.dispose();
  });

  it.each([
    ['a fixed decoder std', {}],
    ['a learned decoder std', { obsStd: 0.3, learnObsStd: true }],
  ] as const)(
    '%s: ten Adam steps on both paths from one state end at the same weights (float32 tolerance); states move both ways',
    (_name, extra) => {
      const cfg = { deterDim: 8, stochDim: 3, hiddenDim: 7, lr: 1e-2, ...extra };
      const fast = new TapeRssm(dims, cfg, new Rng(5));
      const ref = new Rssm(dims, cfg, new Rng(5));
      const [r1, r2] = [new Rng(1), new Rng(1)];
      for (let i = 0; i < 10; i++) {
        fast.trainStep(batch(100 + i), r1);
        ref.trainStep(batch(100 + i), r2).elbo.dispose();
      }
      const a = fast.getState();
      const b = ref.getState();
      let worst = 0;
      a.weights.forEach((w, i) => (worst = Math.max(worst, Math.abs(w - b.weights[i]))));
      expect(worst).toBeLessThan(1e-4);
      expect(a.adam.t).toBe(10);
      expect(Math.abs(fast.decoderStd() - ref.decoderStd())).toBeLessThan(1e-5);
      if (cfg.learnObsStd) expect(Math.abs(fast.decoderStd() - 0.3)).toBeGreaterThan(1e-3);
      const back = Rssm.fromState(a, new Rng(0));
      expect(back.getState().weights).toEqual(a.weights);
      const again = new TapeRssm(dims, cfg, new Rng(99));
      again.setState(b);
      expect(again.getState().weights).toEqual(b.weights);
      back.dispose();
      ref.dispose();
    },
  );
});
