/**
 * The wasm discrete SAC engine against the tfjs path (`DiscreteSacAgent`): same weights and batches → same
 * parameters, moments, α and statistics to float32 tolerance, under the three priors, ReLU / tanh / linear
 * nets; its hand-written gradients (softmax head, exact expectations, tanh layers) against finite differences.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Rng, RngStreams } from '../src/core/rng.js';
import type { TabularEnv } from '../src/envs/env.js';
import { make } from '../src/envs/registry.js';
import { twoRouteReference } from '../src/envs/tworoute.js';
import { makePrior, type DiscretePrior, type PriorKind } from '../src/priors/index.js';
import { DiscreteSacAgent, type DiscreteSacConfig } from '../src/agents/sac/discrete.js';
import { DiscreteSacEngine, loadSacEngine, type DiscreteEngineBatch } from '../src/nn/engine/index.js';

let module: WebAssembly.Module;
beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  module = await loadSacEngine();
});

function setup(kind: PriorKind, over: Partial<DiscreteSacConfig>) {
  const env = make('TwoRoute-v0') as unknown as TabularEnv;
  const prior = makePrior(kind, env, { reference: { table: twoRouteReference(env) } });
  const agent = new DiscreteSacAgent(env, prior, { seed: 3, ...over });
  const c = agent.cfg;
  const nS = env.model.nStates;
  const nA = agent.actionSpace.n;
  const engine = new DiscreteSacEngine(module, {
    obsDim: nS, nActions: nA, hidden: c.hidden, activation: c.activation, prior: kind, gamma: c.gamma, tau: c.tau,
    targetUpdateEvery: c.targetUpdateEvery, actorLr: c.actorLr, criticLr: c.criticLr, alphaLr: c.alphaLr, clipNorm: c.clipNorm,
    alpha: c.alpha, autoAlpha: c.autoAlpha, klTarget: agent.klTarget,
  });
  engine.initWeights(new RngStreams(3).get('init'));
  return { env, prior: prior as DiscretePrior, agent, engine, nS, nA };
}

/** A random batch of one-hot states, in both forms. */
function batchOf(rng: Rng, B: number, nS: number, nA: number, prior: DiscretePrior) {
  const s = Array.from({ length: B }, () => rng.integer(nS));
  const s2 = Array.from({ length: B }, () => rng.integer(nS));
  const oneHot = (xs: number[]) => {
    const out = new Float32Array(B * nS);
    xs.forEach((x, b) => (out[b * nS + x] = 1));
    return out;
  };
  const obs = oneHot(s);
  const nextObs = oneHot(s2);
  const actions = Int32Array.from({ length: B }, () => rng.integer(nA));
  const rewards = Float32Array.from({ length: B }, () => rng.normal());
  const terminated = Float32Array.from({ length: B }, () => (rng.uniform() < 0.2 ? 1 : 0));
  const logOf = (o: Float32Array) => tf.tidy(() => prior.logProbs(tf.tensor2d(o, [B, nS])).dataSync() as Float32Array);
  const flat: DiscreteEngineBatch = { batchSize: B, obs, actions, rewards, nextObs, terminated, logP: logOf(obs), logPNext: logOf(nextObs) };
  const tensors = () => ({
    obs: tf.tensor2d(obs, [B, nS]),
    actions: tf.tensor1d(actions, 'int32'),
    rewards: tf.tensor1d(rewards),
    nextObs: tf.tensor2d(nextObs, [B, nS]),
    terminated: tf.tensor1d(terminated),
  });
  return { flat, tensors };
}

function worst(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): number {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i])));
  return w;
}

describe('DiscreteSacEngine vs DiscreteSacAgent (tfjs)', () => {
  const cases: { name: string; kind: PriorKind; cfg: Partial<DiscreteSacConfig> }[] = [
    { name: 'uniform prior, auto α, ReLU [24, 12]', kind: 'uniform', cfg: { hidden: [24, 12], autoAlpha: true, alpha: 0.2 } },
    { name: 'reference prior, auto α, tanh [20], clip 1, target every 2', kind: 'reference', cfg: { hidden: [20], activation: 'tanh', autoAlpha: true, clipNorm: 1, targetUpdateEvery: 2 } },
    { name: 'reference prior, fixed α, linear (tabular)', kind: 'reference', cfg: { hidden: [], autoAlpha: false, alpha: 0.15, actorLr: 0.03, criticLr: 0.03, tau: 0.05 } },
    { name: 'no prior: greedy actor, max backup', kind: 'none', cfg: { hidden: [16], autoAlpha: false, alpha: 0 } },
  ];
  for (const { name, kind, cfg } of cases) {
    it(`${name}: 6 updates give the same parameters, moments, α and statistics`, () => {
      const { prior, agent, engine, nS, nA } = setup(kind, cfg);
      const ckpt = agent.saveCheckpoint();
      expect(Array.from(engine.getState().actor)).toEqual(ckpt.actor);
      expect(Array.from(engine.getState().criticTarget)).toEqual(ckpt.criticTarget);
      const rng = new Rng(`batches-${name}`);
      for (let k = 0; k < 6; k++) {
        const { flat, tensors } = batchOf(rng, 20, nS, nA, prior);
        const t = tensors();
        agent.update(t);
        tf.dispose(Object.values(t));
        const mine = engine.update(flat);
        const ref = agent.lastStats()!;
        for (const key of Object.keys(ref)) {
          expect(Math.abs(mine[key as keyof typeof mine] - ref[key]), `${key} at update ${k}: ${mine[key as keyof typeof mine]} vs ${ref[key]}`).toBeLessThan(1e-5 * (1 + Math.abs(ref[key])));
        }
      }
      const s = engine.getState();
      const r = agent.saveCheckpoint();
      for (const f of ['actor', 'critic', 'criticTarget'] as const) expect(worst(s[f], r[f], 1e-6, 1e-5), f).toBeLessThan(1);
      for (const f of ['actorOpt', 'criticOpt'] as const) {
        expect(s[f].t).toBe(r[f].t);
        expect(worst(s[f].m[0], r[f].m.flat(), 1e-6, 1e-3), `${f}.m`).toBeLessThan(1);
      }
      expect(s.alphaOpt.t).toBe(r.alphaOpt.t);
      expect(s.gradientSteps).toBe(r.gradientSteps);
      expect(Math.abs(s.logAlpha - r.logAlpha)).toBeLessThan(1e-6);
      // π(·|s) of every state.
      const all = new Float32Array(nS * nS);
      for (let i = 0; i < nS; i++) all[i * nS + i] = 1;
      const refProbs = tf.tidy(() => agent.probs(tf.tensor2d(all, [nS, nS])).dataSync() as Float32Array);
      expect(worst(engine.probs(all), refProbs, 1e-6, 1e-5)).toBeLessThan(1);
      engine.dispose();
    });
  }
});

describe('DiscreteSacEngine gradients against finite differences', () => {
  for (const [which, kind, activation, alpha] of [
    ['critic', 'reference', 'tanh', 0.3],
    ['actor', 'reference', 'tanh', 0.3],
    ['actor', 'uniform', 'relu', 0.3],
    ['actor', 'none', 'relu', 0],
  ] as const) {
    it(`${which} loss (${kind} prior, ${activation}${kind === 'none' ? ', greedy' : ''}): every W and b along a random direction`, () => {
      const { prior, engine, nS, nA } = setup(kind, { hidden: [10, 7], activation, autoAlpha: false, alpha });
      const rng = new Rng(`fd-${which}-${kind}`);
      // Random (not one-hot) inputs so every first-layer weight gets a gradient.
      const { flat } = batchOf(rng, 6, nS, nA, prior);
      const batch = { ...flat, obs: flat.obs.map(() => rng.normal()), nextObs: flat.nextObs.map(() => rng.normal()) };
      const theta = engine.getState()[which];
      const { grad } = engine.lossAndGrad(which, batch);
      const lossAt = (p: Float32Array) => {
        engine.setParams(which, p);
        return engine.lossAndGrad(which, batch).loss;
      };
      const sizes = [nS, 10, 7, nA];
      let off = 0;
      for (let k = 0; k < (which === 'critic' ? 2 : 1); k++) {
        for (let l = 0; l + 1 < sizes.length; l++) {
          for (const [part, n] of [['W', sizes[l] * sizes[l + 1]], ['b', sizes[l + 1]]] as const) {
            const dir = Float32Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1));
            let analytic = 0;
            for (let i = 0; i < n; i++) analytic += grad[off + i] * dir[i];
            const h = 5e-4; // random inputs on ~30 units: a larger step crosses ReLU kinks
            const plus = theta.slice();
            const minus = theta.slice();
            for (let i = 0; i < n; i++) {
              plus[off + i] += h * dir[i];
              minus[off + i] -= h * dir[i];
            }
            const numeric = (lossAt(plus) - lossAt(minus)) / (2 * h);
            expect(Math.abs(analytic - numeric), `copy ${k} layer ${l} ${part}: ${analytic} vs ${numeric}`).toBeLessThan(2e-2 * Math.abs(numeric) + 2e-3);
            expect(Math.abs(analytic), `copy ${k} layer ${l} ${part} has signal`).toBeGreaterThan(1e-3);
            off += n;
          }
        }
      }
      expect(off).toBe(theta.length);
      engine.dispose();
    });
  }
});

describe('DiscreteSacEngine input checks', () => {
  it('rejects bad sizes, actions and values naming the field, the value and what is allowed', () => {
    const { engine, prior, nS, nA } = setup('uniform', { hidden: [8] });
    const { flat } = batchOf(new Rng(1), 4, nS, nA, prior);
    expect(() => engine.update({ ...flat, actions: [0, 1, nA, 0] })).toThrow(`DiscreteSacEngine.update: actions[2] = ${nA}, allowed: an integer in [0, ${nA})`);
    expect(() => engine.update({ ...flat, logP: new Float32Array(3) })).toThrow(`DiscreteSacEngine.update: logP must hold ${4 * nA} values (batch 4), got 3`);
    const base = { obsDim: 4, nActions: 2, hidden: [], activation: 'relu', prior: 'uniform', gamma: 0.9, tau: 0.1, targetUpdateEvery: 1, actorLr: 1e-3, criticLr: 1e-3, alphaLr: 1e-3, clipNorm: 0, alpha: 0.1, autoAlpha: false, klTarget: 0.1 } as const;
    expect(() => new DiscreteSacEngine(module, { ...base, nActions: 0 })).toThrow('DiscreteSacEngineConfig.nActions: got 0, allowed: a positive integer');
    expect(() => new DiscreteSacEngine(module, { ...base, activation: 'gelu' as 'relu' })).toThrow(`DiscreteSacEngineConfig.activation: got "gelu", allowed: 'relu' or 'tanh'`);
    expect(() => new DiscreteSacEngine(module, { ...base, hidden: [3, -1] })).toThrow('DiscreteSacEngineConfig.hidden: got [3,-1], allowed: 0 to 16 positive integers');
    engine.dispose();
  });
});
