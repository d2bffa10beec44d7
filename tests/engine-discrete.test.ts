/**
 * Discrete SAC on the wasm engine (`DiscreteSacAgent` with `impl: 'engine'`, the default) against the tfjs
 * autodiff path (`impl: 'autodiff'`): same weights and batches → same parameters, moments, α and statistics
 * to float32 tolerance, under the three priors, fixed and learned α, the greedy α ≡ 0 variant, ReLU / tanh /
 * linear nets; checkpoints move between the paths; the engine's hand-written gradients (softmax head, exact
 * expectations, tanh layers) against finite differences.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../src/core/rng.js';
import type { TabularEnv } from '../src/envs/env.js';
import { make } from '../src/envs/registry.js';
import { twoRouteReference } from '../src/envs/tworoute.js';
import { makeObjective, type DiscretePrior, type ObjectiveSpec } from '../src/priors/index.js';
import { DiscreteSacAgent } from '../src/agents/sac/discrete.js';
import { discreteEngineConfig, type DiscreteSacConfig } from '../src/agents/sac/discrete-config.js';
import { DiscreteSacEngine, loadSacEngine, type DiscreteEngineBatch } from '../src/nn/engine/index.js';
import { closeness } from './numeric.js';

let module: WebAssembly.Module;
beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  module = await loadSacEngine();
});

function setup(spec: ObjectiveSpec, over: Partial<DiscreteSacConfig>) {
  const env = make('TwoRoute-v0') as unknown as TabularEnv;
  const objective = () => makeObjective(spec, env, { reference: () => ({ table: twoRouteReference(env) }) });
  const agent = new DiscreteSacAgent(env, objective(), { seed: 3, ...over, impl: 'autodiff' });
  const fast = new DiscreteSacAgent(env, objective(), { seed: 3, ...over, impl: 'engine' });
  // The engine on its own (the gradient checks), with the agents' initial weights.
  const engine = new DiscreteSacEngine(module, discreteEngineConfig(agent.cfg, env, agent.objective));
  for (const which of ['actor', 'critic', 'criticTarget'] as const) engine.setParams(which, agent[which].getWeights());
  return { env, prior: agent.prior, agent, fast, engine, nS: env.model.nStates, nA: agent.actionSpace.n };
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
  const flat: DiscreteEngineBatch = {
    batchSize: B,
    obs,
    actions,
    rewards,
    nextObs,
    terminated,
    logP: logOf(obs),
    logPNext: logOf(nextObs),
  };
  const tensors = () => ({
    obs: tf.tensor2d(obs, [B, nS]),
    actions: tf.tensor1d(actions, 'int32'),
    rewards: tf.tensor1d(rewards),
    nextObs: tf.tensor2d(nextObs, [B, nS]),
    terminated: tf.tensor1d(terminated),
  });
  return { flat, tensors };
}

describe('DiscreteSacAgent: the engine vs the tfjs autodiff path', () => {
  const cases: { name: string; spec: ObjectiveSpec; cfg: Partial<DiscreteSacConfig> }[] = [
    {
      name: 'uniform prior, auto α, ReLU [24, 12]',
      spec: { prior: 'uniform', alpha: 'auto_0.2', targetEntropy: 1 },
      cfg: { hidden: [24, 12] },
    },
    {
      name: 'reference prior, auto α, tanh [20], clip 1, target every 2',
      spec: { prior: 'reference', alpha: 'auto_0.2', targetKl: 0.1 },
      cfg: { hidden: [20], activation: 'tanh', clipNorm: 1, targetUpdateEvery: 2 },
    },
    {
      name: 'reference prior, fixed α, linear (tabular)',
      spec: { prior: 'reference', alpha: 0.15 },
      cfg: { hidden: [], actorLr: 0.03, criticLr: 0.03, tau: 0.05 },
    },
    { name: 'no prior, soft updates at α = 0', spec: { prior: 'none' }, cfg: { hidden: [16] } },
    {
      name: "no prior, atZeroAlpha 'greedy': greedy actor, max backup",
      spec: { prior: 'none' },
      cfg: { hidden: [16], atZeroAlpha: 'greedy' },
    },
  ];
  for (const { name, spec, cfg } of cases) {
    it(`${name}: 6 updates give the same parameters, moments, α and statistics`, () => {
      const { prior, agent, fast, engine, nS, nA } = setup(spec, cfg);
      engine.dispose();
      expect(fast.getState().actor).toEqual(agent.getState().actor);
      expect(fast.getState().criticTarget).toEqual(agent.getState().criticTarget);
      const rng = new Rng(`batches-${name}`);
      for (let k = 0; k < 6; k++) {
        const { flat } = batchOf(rng, 20, nS, nA, prior);
        const host = {
          batchSize: 20,
          obs: flat.obs,
          action: flat.actions,
          reward: flat.rewards,
          nextObs: flat.nextObs,
          terminated: flat.terminated,
        };
        agent.updateFrom(host);
        fast.updateFrom(host);
        const mine = fast.readMetrics();
        const ref = agent.readMetrics();
        expect(Object.keys(mine).sort()).toEqual(Object.keys(ref).sort());
        for (const key of Object.keys(ref)) {
          expect(Math.abs(mine[key] - ref[key]), `${key} at update ${k}: ${mine[key]} vs ${ref[key]}`).toBeLessThan(
            1e-5 * (1 + Math.abs(ref[key])),
          );
        }
      }
      const s = fast.getState();
      const r = agent.getState();
      for (const f of ['actor', 'critic', 'criticTarget'] as const)
        expect(closeness(s[f], r[f], 1e-6, 1e-5), f).toBeLessThan(1);
      for (const f of ['actorOpt', 'criticOpt'] as const) {
        expect(s[f].t).toBe(r[f].t);
        expect(
          closeness(
            s[f].m[0],
            r[f].m.flatMap((x) => Array.from(x)),
            1e-6,
            1e-3,
          ),
          `${f}.m`,
        ).toBeLessThan(1);
      }
      expect(s.alphaOpt.t).toBe(r.alphaOpt.t);
      expect(s.gradientSteps).toBe(6);
      expect(r.gradientSteps).toBe(6);
      expect(Math.abs(s.logAlpha - r.logAlpha)).toBeLessThan(1e-6);
      expect(Math.abs(fast.alpha - agent.alpha)).toBeLessThan(1e-6 * (1 + agent.alpha));
      // π(·|s) of every state, from the engine and from the tfjs networks the engine path keeps in step.
      const all = new Float32Array(nS * nS);
      for (let i = 0; i < nS; i++) all[i * nS + i] = 1;
      const probs = (a: DiscreteSacAgent) =>
        tf.tidy(() => a.probs(tf.tensor2d(all, [nS, nS])).dataSync() as Float32Array);
      const fromNets = tf.tidy(
        () => tf.softmax(fast.actor.apply(tf.tensor2d(all, [nS, nS])) as tf.Tensor2D).dataSync() as Float32Array,
      );
      expect(closeness(probs(fast), probs(agent), 1e-6, 1e-5)).toBeLessThan(1);
      expect(closeness(fromNets, probs(agent), 1e-6, 1e-5)).toBeLessThan(1);
      // The checkpoint moves: the tfjs agent restored from the engine's continues as the engine does.
      agent.setState(s);
      const { flat } = batchOf(rng, 20, nS, nA, prior);
      const host = {
        batchSize: 20,
        obs: flat.obs,
        action: flat.actions,
        reward: flat.rewards,
        nextObs: flat.nextObs,
        terminated: flat.terminated,
      };
      agent.updateFrom(host);
      fast.updateFrom(host);
      expect(closeness(fast.getState().critic, agent.getState().critic, 1e-6, 1e-5)).toBeLessThan(1);
      agent.dispose();
      fast.dispose();
    });
  }
});

describe('DiscreteSacEngine gradients against finite differences', () => {
  for (const [which, spec, activation, atZeroAlpha] of [
    ['critic', { prior: 'reference', alpha: 0.3 }, 'tanh', 'soft'],
    ['actor', { prior: 'reference', alpha: 0.3 }, 'tanh', 'soft'],
    ['actor', { prior: 'uniform', alpha: 0.3 }, 'relu', 'soft'],
    ['actor', { prior: 'none' }, 'relu', 'greedy'],
  ] as const) {
    it(`${which} loss (${spec.prior} prior, ${activation}, ${atZeroAlpha}): every W and b along a random direction`, () => {
      const { prior, agent, fast, engine, nS, nA } = setup(spec, { hidden: [10, 7], activation, atZeroAlpha });
      agent.dispose();
      fast.dispose();
      const rng = new Rng(`fd-${which}-${spec.prior}`);
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
          for (const [part, n] of [
            ['W', sizes[l] * sizes[l + 1]],
            ['b', sizes[l + 1]],
          ] as const) {
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
            expect(
              Math.abs(analytic - numeric),
              `copy ${k} layer ${l} ${part}: ${analytic} vs ${numeric}`,
            ).toBeLessThan(2e-2 * Math.abs(numeric) + 2e-3);
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
    const { engine, agent, fast, prior, nS, nA } = setup({ prior: 'uniform', alpha: 0.1 }, { hidden: [8] });
    agent.dispose();
    fast.dispose();
    const { flat } = batchOf(new Rng(1), 4, nS, nA, prior);
    expect(() => engine.update({ ...flat, actions: [0, 1, nA, 0] })).toThrow(
      `DiscreteSacEngine.update: actions[2] = ${nA}, allowed: an integer in [0, ${nA})`,
    );
    expect(() => engine.update({ ...flat, logP: new Float32Array(3) })).toThrow(
      `DiscreteSacEngine.update: logP must hold ${4 * nA} values (batch 4), got 3`,
    );
    const base = {
      obsDim: 4,
      nActions: 2,
      hidden: [],
      activation: 'relu',
      gamma: 0.9,
      tau: 0.1,
      targetUpdateEvery: 1,
      actorLr: 1e-3,
      criticLr: 1e-3,
      alphaLr: 1e-3,
      clipNorm: 0,
      alpha: 0.1,
      targetKl: null,
      greedy: false,
    } as const;
    expect(() => new DiscreteSacEngine(module, { ...base, nActions: 0 })).toThrow(
      'DiscreteSacEngineConfig.nActions: got 0, allowed: a positive integer',
    );
    expect(() => new DiscreteSacEngine(module, { ...base, activation: 'gelu' as 'relu' })).toThrow(
      `DiscreteSacEngineConfig.activation: got "gelu", allowed: 'relu' or 'tanh'`,
    );
    expect(() => new DiscreteSacEngine(module, { ...base, hidden: [3, -1] })).toThrow(
      'DiscreteSacEngineConfig.hidden: got [3,-1], allowed: 0 to 16 positive integers',
    );
    expect(() => new DiscreteSacEngine(module, { ...base, greedy: true })).toThrow(
      'DiscreteSacEngineConfig.greedy: got {"alpha":0.1,"targetKl":null}, allowed: true only with α fixed at 0 (targetKl null)',
    );
    engine.dispose();
  });
});
