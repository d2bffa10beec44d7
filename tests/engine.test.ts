/**
 * The wasm SAC engine (src/nn/engine) against the tfjs reference path: `SacContinuous` with `impl: 'engine'`
 * (the default) vs `impl: 'autodiff'`, same weights, batches and noise → same parameters, optimizer moments
 * and losses to float32 tolerance, for the uniform prior and the reference priors (a named controller, a
 * saved SAC agent); the engine's hand-written gradients (and ∂log p/∂ã of each reference) against finite differences; flat memory; bad input rejected; the committed `.wasm` rebuilt from
 * its source byte for byte.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../src/core/rng.js';
import { make } from '../src/envs/registry.js';
import { pendulumSwingUp } from '../src/envs/controllers.js';
import {
  controllerReference,
  makeObjective,
  type BoxPrior,
  type ObjectiveSpec,
  type ReferenceSource,
} from '../src/priors/index.js';
import { ReplayBuffer, type ReplayBatch } from '../src/agents/replay.js';
import {
  SAC_DEFAULTS,
  SAC_OBJECTIVE,
  SacContinuous,
  sacActorReference,
  type SacConfig,
} from '../src/agents/sac/continuous.js';
import {
  loadSacEngine,
  SacEngine,
  type SacEngineConfig,
  type SacEnginePriorParams,
  type SacEngineReference,
} from '../src/nn/engine/index.js';
import { initialWeights } from '../src/nn/init.js';
import type { Box } from '../src/core/spaces.js';
import { closeness } from './numeric.js';

let module: WebAssembly.Module;
beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
  module = await loadSacEngine();
});

const makeEnv = () => make('Pendulum-v1');

/** A saved SAC agent on Pendulum (obs 3, act 1) as a reference: a fresh actor of its own sizes, outputs scaled up. */
const SAVED_SIZES = [3, 12, 10, 2];
const savedWeights = () => initialWeights(SAVED_SIZES, 1, 3, new Rng('saved-actor'));
const savedAgent = (): ReferenceSource => sacActorReference(SAVED_SIZES, savedWeights(), makeEnv().actionSpace as Box);
const swingUp = (): ReferenceSource => controllerReference(pendulumSwingUp());

function fillBuffer(rng: Rng, n: number): ReplayBuffer {
  const buffer = new ReplayBuffer(n, 3, 1);
  for (let i = 0; i < n; i++) {
    const o = [rng.normal(), rng.normal(), rng.normal()];
    buffer.add(
      o,
      [rng.uniformRange(-2, 2)],
      -rng.uniform() * 10,
      [rng.normal(), rng.normal(), rng.normal()],
      i % 11 === 0,
    );
  }
  return buffer;
}

describe('SacContinuous: the engine vs the tfjs autodiff path', () => {
  const cases: {
    name: string;
    objective: ObjectiveSpec;
    cfg: Partial<SacConfig>;
    reference?: () => ReferenceSource;
  }[] = [
    { name: "SAC's objective (uniform prior, auto α)", objective: SAC_OBJECTIVE, cfg: {} },
    {
      name: 'uniform prior, fixed α, clipNorm 1, policyFrequency 2',
      objective: { prior: 'uniform', alpha: 0.3 },
      cfg: { clipNorm: 1, policyFrequency: 2 },
    },
    { name: 'no prior (α ≡ 0)', objective: { prior: 'none' }, cfg: {} },
    {
      name: 'named controller (swing-up), fixed α',
      objective: { prior: 'reference', alpha: 0.3 },
      cfg: {},
      reference: swingUp,
    },
    {
      name: 'named controller (swing-up), learned α, policyFrequency 2',
      objective: { prior: 'reference', alpha: 'auto_0.1', targetKl: 1.69 },
      cfg: { policyFrequency: 2 },
      reference: swingUp,
    },
    {
      name: 'saved agent (frozen tanh-Gaussian actor, other widths), fixed α',
      objective: { prior: 'reference', alpha: 0.3 },
      cfg: {},
      reference: savedAgent,
    },
    {
      name: 'saved agent, learned α, clipNorm 1',
      objective: { prior: 'reference', alpha: 'auto_0.1', targetKl: 1.69 },
      cfg: { clipNorm: 1 },
      reference: savedAgent,
    },
  ];
  for (const { name, objective, cfg: over, reference } of cases) {
    it(`${name}: 6 updates give the same parameters, moments, α and losses`, () => {
      const env = makeEnv();
      const cfg: SacConfig = { ...SAC_DEFAULTS, hidden: [36, 20], batchSize: 18, ...over };
      const objectiveOf = () => makeObjective(objective, env, reference ? { reference } : {});
      const agent = new SacContinuous({ ...cfg, impl: 'autodiff' }, env, objectiveOf(), new Rng('init'));
      const fast = new SacContinuous({ ...cfg, impl: 'engine' }, env, objectiveOf(), new Rng('init'));
      expect(fast.usesEngine).toBe(true);
      expect(agent.usesEngine).toBe(false);
      expect(fast.getState().actor).toEqual(agent.getState().actor);
      expect(fast.getState().criticTarget).toEqual(agent.getState().criticTarget);

      const data = new Rng('data');
      const buffer = fillBuffer(data, 64);
      const [rngTf, rngEngine] = [new Rng('noise'), new Rng('noise')];
      for (let k = 0; k < 6; k++) {
        const batch: ReplayBatch = buffer.sample(cfg.batchSize, data);
        agent.update(batch, rngTf);
        fast.update(batch, rngEngine);
        const m = fast.readMetrics();
        const ref = agent.readMetrics();
        expect(Object.keys(m).sort()).toEqual(Object.keys(ref).sort());
        for (const key of Object.keys(ref))
          expect(Math.abs(m[key] - ref[key]), `${key} at update ${k}`).toBeLessThan(1e-5 * (1 + Math.abs(ref[key])));
        // A reference's KL is not the uniform prior's −H − log|A| (the engine did take log p(ã|s)).
        if (reference && 'kl' in m) expect(Math.abs(m.kl - (-m.entropy + Math.log(4)))).toBeGreaterThan(1e-2);
      }
      const s = fast.getState();
      const r = agent.getState();
      // Measured worst differences are ~3e-8 (float32 rounding in different summation orders); the tolerance
      // leaves 30× room and still catches any real slip (one Adam step moves a weight by up to lr = 1e-3).
      for (const f of ['actor', 'critic', 'criticTarget'] as const)
        expect(closeness(s[f], r[f], 1e-6, 1e-5), f).toBeLessThan(1);
      const cat = (xs: Float32Array[]) => Float32Array.from(xs.flatMap((x) => Array.from(x)));
      for (const f of ['actorOpt', 'criticOpt'] as const) {
        expect(s[f].t, `${f}.t`).toBe(r[f].t);
        expect(closeness(s[f].m[0], cat(r[f].m), 1e-6, 1e-3), `${f}.m`).toBeLessThan(1);
        expect(closeness(s[f].v[0], cat(r[f].v), 1e-9, 1e-3), `${f}.v`).toBeLessThan(1);
      }
      expect(s.updates).toBe(6);
      expect(s.alphaOpt.t).toBe(r.alphaOpt.t);
      expect(Math.abs(s.logAlpha - r.logAlpha)).toBeLessThan(1e-7);
      // The tfjs networks the engine path exposes follow the engine's weights.
      expect(closeness(fast.actor.getWeights(), r.actor, 1e-6, 1e-5)).toBeLessThan(1);
      // Both paths' deterministic and sampled actions on fresh observations.
      const obs = Float32Array.from({ length: 15 }, () => data.normal());
      expect(
        closeness(fast.act(obs, { deterministic: true }), agent.act(obs, { deterministic: true }), 1e-5, 1e-4),
      ).toBeLessThan(1);
      const sampled = agent.act(obs, { deterministic: false, rng: new Rng('act') });
      expect(closeness(fast.act(obs, { deterministic: false, rng: new Rng('act') }), sampled, 1e-5, 1e-4)).toBeLessThan(
        1,
      );
      agent.dispose();
      fast.dispose();
      agent.objective.dispose();
      fast.objective.dispose();
    });
  }

  it('a checkpoint moves both ways: tfjs state → engine → tfjs, and training continues identically', () => {
    const env = makeEnv();
    const cfg: SacConfig = { ...SAC_DEFAULTS, hidden: [16], batchSize: 8, impl: 'autodiff' };
    const agent = new SacContinuous(cfg, env, makeObjective(SAC_OBJECTIVE, env), new Rng(5));
    const data = new Rng(6);
    const buffer = fillBuffer(data, 32);
    const noise = new Rng(7);
    for (let k = 0; k < 3; k++) agent.update(buffer.sample(8, data), noise);
    const fast = new SacContinuous({ ...cfg, impl: 'engine' }, env, makeObjective(SAC_OBJECTIVE, env), new Rng(99));
    fast.setState(agent.getState());
    const round = fast.getState();
    const orig = agent.getState();
    expect(round.actor).toEqual(orig.actor);
    expect(round.criticOpt.v[0]).toEqual(Float32Array.from(orig.criticOpt.v.flatMap((x) => Array.from(x))));
    expect(round.updates).toBe(3);
    expect(round.alphaOpt.t).toBe(3);
    expect(Math.fround(round.logAlpha)).toBe(Math.fround(orig.logAlpha));
    const back = new SacContinuous(cfg, env, makeObjective(SAC_OBJECTIVE, env), new Rng(99));
    back.setState(round);
    expect(back.getState().critic).toEqual(orig.critic);
    // One more identical step on both sides.
    const batch = buffer.sample(8, data);
    fast.update(batch, new Rng(8));
    back.update(batch, new Rng(8));
    expect(closeness(fast.getState().actor, back.getState().actor, 1e-6, 1e-5)).toBeLessThan(1);
    agent.dispose();
    back.dispose();
    fast.dispose();
  });

  it('runs every reference on the engine: named, saved, and a tensor-only Gaussian (read back once per batch)', () => {
    const env = makeEnv();
    const tensorOnly = (): ReferenceSource => {
      const { gaussian, squash } = swingUp() as Extract<ReferenceSource, { gaussian: unknown }>;
      return { gaussian, squash }; // no host view: the prior reads `gaussian` back per batch
    };
    const rng = new Rng(2);
    const batches = Array.from({ length: 3 }, () => fillBuffer(rng, 16).sample(4, rng));
    const losses: number[] = [];
    for (const reference of [swingUp, savedAgent, tensorOnly]) {
      const objective = makeObjective({ prior: 'reference', alpha: 0.1 }, env, { reference });
      const agent = new SacContinuous({ ...SAC_DEFAULTS, hidden: [8], batchSize: 4 }, env, objective, new Rng(1));
      expect(agent.usesEngine).toBe(true);
      const tensors = tf.memory().numTensors;
      for (const b of batches) agent.update(b, new Rng(3));
      expect(agent.updates).toBe(3);
      expect(tf.memory().numTensors, 'no tensor left behind by an update').toBe(tensors);
      losses.push(agent.readMetrics().criticLoss);
      agent.dispose();
      objective.dispose();
    }
    // The controller with and without its host view: the same numbers exactly.
    expect(losses[2]).toBe(losses[0]);
    const saved = savedAgent() as Extract<ReferenceSource, { gaussian: unknown }>;
    const unsquashed = { ...saved, squash: false };
    expect(() => makeObjective({ prior: 'reference', alpha: 0.1 }, env, { reference: unsquashed })).toThrow(
      'reference.squash: got false with an actor, allowed: true (a SAC actor is squashed)',
    );
    saved.dispose?.();
  });
});

describe('the reference priors on the engine: log p(a|s) and ∂log p/∂a', () => {
  const env = makeEnv();
  const box = env.actionSpace as Box;
  const base = (reference: SacEngineReference): SacEngineConfig => ({
    obsDim: 3,
    actDim: 1,
    hidden: [8],
    low: box.low,
    high: box.high,
    gamma: 0.99,
    tau: 0.005,
    actorLr: 1e-3,
    criticLr: 1e-3,
    alphaLr: 1e-3,
    clipNorm: 0,
    alpha: 0.2,
    targetKl: null,
    reference,
  });
  const cases: { name: string; source: () => ReferenceSource; reference: SacEngineReference }[] = [
    {
      name: 'named controller: N(μ_ref(s), σ_ref²) of the raw action',
      source: swingUp,
      reference: { kind: 'gaussian', squash: false },
    },
    {
      name: 'saved agent: the frozen tanh-Gaussian actor, with the tanh Jacobian',
      source: savedAgent,
      reference: { kind: 'actor', sizes: SAVED_SIZES, weights: savedWeights() },
    },
  ];
  for (const { name, source, reference } of cases) {
    it(`${name}: log p as the prior's tfjs logProb, ∂log p/∂a as central differences`, () => {
      const prior = makeObjective({ prior: 'reference', alpha: 0.2 }, env, { reference: source }).prior as BoxPrior;
      const engine = new SacEngine(module, base(reference));
      const rng = new Rng(`logp-${reference.kind}`);
      const n = 40;
      const obs = Float32Array.from({ length: 3 * n }, () => rng.normal());
      // Actions across the Box, some near its edges (|a| up to 1.98 of 2).
      const action = Float32Array.from({ length: n }, () => rng.uniformRange(-1.98, 1.98));
      const host = prior.host!;
      const params = 'params' in host ? host.params(obs, n) : undefined;
      const { logP, grad } = engine.priorLogProb(obs, action, params);
      const ref = tf.tidy(() => prior.logProb(tf.tensor2d(obs, [n, 3]), tf.tensor2d(action, [n, 1])).dataSync());
      expect(closeness(logP, ref, 1e-4, 1e-5)).toBeLessThan(1);
      const h = 1e-3;
      for (let i = 0; i < n; i++) {
        const at = (x: number) => {
          const a = action.slice();
          a[i] = x;
          return engine.priorLogProb(obs, a, params).logP[i];
        };
        const numeric = (at(action[i] + h) - at(action[i] - h)) / (2 * h);
        expect(Math.abs(grad[i] - numeric), `row ${i}: a = ${action[i]}, ${grad[i]} vs ${numeric}`).toBeLessThan(
          1e-2 * Math.abs(numeric) + 2e-2,
        );
      }
      expect(grad.some((g) => Math.abs(g) > 0.1)).toBe(true);
      engine.dispose();
      prior.dispose();
    });
  }
});

describe('SacEngine gradients against finite differences', () => {
  /** Directional derivative of each layer's W and b (a random ±1 direction) vs central differences in float32. */
  function checkPhase(
    which: 'critic' | 'actor',
    sizes: readonly number[],
    copies: number,
    reference?: SacEngineReference,
  ) {
    const engine = new SacEngine(module, {
      reference,
      obsDim: 3,
      actDim: 2,
      hidden: [8, 6],
      low: [-2, -1],
      high: [2, 3],
      gamma: 0.9,
      tau: 0.1,
      actorLr: 1e-3,
      criticLr: 1e-3,
      alphaLr: 1e-3,
      clipNorm: 0,
      alpha: 0.7,
      targetKl: -1,
    });
    const rng = new Rng(`fd-${which}`);
    engine.initWeights(rng);
    const B = 5;
    const vec = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
    const batch = {
      batchSize: B,
      obs: vec(B * 3, () => rng.normal()),
      action: vec(B * 2, () => rng.uniformRange(-1, 1)),
      reward: vec(B, () => rng.normal()),
      nextObs: vec(B * 3, () => rng.normal()),
      terminated: vec(B, () => (rng.uniform() < 0.3 ? 1 : 0)),
    };
    const noise = { next: vec(B * 2, () => rng.normal()), actor: vec(B * 2, () => rng.normal()) };
    const prior: SacEnginePriorParams | undefined =
      reference?.kind === 'gaussian'
        ? {
            mean: vec(B * 2, () => rng.normal()),
            logStd: vec(B * 2, () => rng.uniformRange(-1, 0.5)),
            nextMean: vec(B * 2, () => rng.normal()),
            nextLogStd: vec(B * 2, () => rng.uniformRange(-1, 0.5)),
          }
        : undefined;
    const theta = engine.getState()[which];
    const { grad } = engine.lossAndGrad(which, batch, noise, prior);
    const lossAt = (p: Float32Array) => {
      engine.setParams(which, p);
      return engine.lossAndGrad(which, batch, noise, prior).loss;
    };
    let off = 0;
    let checked = 0;
    for (let k = 0; k < copies; k++) {
      for (let l = 0; l + 1 < sizes.length; l++) {
        for (const [part, n] of [
          ['W', sizes[l] * sizes[l + 1]],
          ['b', sizes[l + 1]],
        ] as const) {
          const dir = vec(n, () => (rng.uniform() < 0.5 ? -1 : 1));
          let analytic = 0;
          for (let i = 0; i < n; i++) analytic += grad[off + i] * dir[i];
          const h = 2e-3; // small enough to step over no ReLU or min kink here, large for float32 noise
          const plus = theta.slice();
          const minus = theta.slice();
          for (let i = 0; i < n; i++) {
            plus[off + i] += h * dir[i];
            minus[off + i] -= h * dir[i];
          }
          const numeric = (lossAt(plus) - lossAt(minus)) / (2 * h);
          expect(
            Math.abs(analytic - numeric),
            `${which} copy ${k} layer ${l} ${part}: ${analytic} vs ${numeric}`,
          ).toBeLessThan(2e-2 * Math.abs(numeric) + 2e-3);
          expect(Math.abs(analytic), `${which} copy ${k} layer ${l} ${part} has signal`).toBeGreaterThan(1e-3);
          off += n;
          checked++;
        }
      }
    }
    expect(off).toBe(theta.length);
    engine.dispose();
    return checked;
  }

  it('critic loss: every W and b of both critics (ReLU hidden layers, linear output, the clipped double-Q target fixed)', () => {
    expect(checkPhase('critic', [5, 8, 6, 1], 2)).toBe(12);
  });

  it('actor loss: every W and b of the actor, through the tanh-Gaussian head, the min of the twin critics and their input gradient', () => {
    expect(checkPhase('actor', [3, 8, 6, 4], 1)).toBe(6);
  });

  it('actor loss with a reference: α(log π − log p(ã|s)) through ∂log p/∂ã (a raw Gaussian, a squashed one, a frozen actor)', () => {
    expect(checkPhase('actor', [3, 8, 6, 4], 1, { kind: 'gaussian', squash: false })).toBe(6);
    expect(checkPhase('actor', [3, 8, 6, 4], 1, { kind: 'gaussian', squash: true })).toBe(6);
    const frozen = [3, 5, 4];
    // Outputs near 0: σ_ref ≈ e^−1.5, so log p(a′|s′) stays O(10) and float32 differences resolve the loss.
    const weights = initialWeights(frozen, 1, 0.3, new Rng('frozen'));
    expect(checkPhase('actor', [3, 8, 6, 4], 1, { kind: 'actor', sizes: frozen, weights })).toBe(6);
  });

  it('critic loss with a reference: the soft target takes log p(a′|s′) (a frozen actor)', () => {
    const frozen = [3, 5, 4];
    // Outputs near 0: σ_ref ≈ e^−1.5, so log p(a′|s′) stays O(10) and float32 differences resolve the loss.
    const weights = initialWeights(frozen, 1, 0.3, new Rng('frozen'));
    expect(checkPhase('critic', [5, 8, 6, 1], 2, { kind: 'actor', sizes: frozen, weights })).toBe(12);
  });
});

describe('SacEngine resources and input checks', () => {
  const base: SacEngineConfig = {
    obsDim: 3,
    actDim: 1,
    hidden: [8],
    low: [-2],
    high: [2],
    gamma: 0.99,
    tau: 0.005,
    actorLr: 1e-3,
    criticLr: 1e-3,
    alphaLr: 1e-3,
    clipNorm: 0,
    alpha: 1,
    targetKl: 1 + Math.log(4), // SAC's entropy target −1 on [−2, 2]
  };

  it('keeps wasm memory flat over 10^5 updates (grows once for a larger batch, never again)', () => {
    const engine = new SacEngine(module, base);
    engine.initWeights(new Rng(1));
    const rng = new Rng(2);
    const buffer = fillBuffer(rng, 64);
    const batches = Array.from({ length: 8 }, () => buffer.sample(8, rng));
    const noise = Array.from({ length: 8 }, () => ({
      next: Float32Array.from({ length: 8 }, () => rng.normal()),
      actor: Float32Array.from({ length: 8 }, () => rng.normal()),
    }));
    engine.update(batches[0], noise[0]);
    const before = engine.memoryBytes;
    for (let k = 0; k < 100_000; k++) engine.update(batches[k & 7], noise[k & 7]);
    expect(engine.memoryBytes).toBe(before);
    expect(Number.isFinite(engine.readMetrics().criticLoss)).toBe(true);
    // A batch far larger than any before needs more scratch: memory grows, then stays.
    engine.act(
      Float32Array.from({ length: 3 * 5000 }, () => rng.normal()),
      { deterministic: true },
    );
    const grown = engine.memoryBytes;
    expect(grown).toBeGreaterThan(before);
    for (let k = 0; k < 100; k++) engine.update(batches[k & 7], noise[k & 7]);
    expect(engine.memoryBytes).toBe(grown);
    engine.dispose();
    expect(() => engine.memoryBytes).toThrow(/after dispose/);
    expect(() => engine.update(batches[0], noise[0])).toThrow(/after dispose/);
  });

  it('rejects bad sizes and values with the field, the value and what is allowed', () => {
    const bad: [Partial<SacEngineConfig>, RegExp][] = [
      [{ obsDim: 0 }, /obsDim: got 0, allowed: a positive integer/],
      [{ actDim: 1.5 }, /actDim: got 1.5, allowed: a positive integer/],
      [{ hidden: [] }, /hidden: got \[\], allowed: 1 to 16 positive integers/],
      [{ hidden: [64, 0] }, /hidden: got \[64,0\]/],
      [{ low: [-2, -2] }, /low: got \[-2,-2\], allowed: 1 numbers \(actDim\)/],
      [{ low: [2], high: [2] }, /low\/high\[0\]: got \[2,2\], allowed: finite numbers with low < high/],
      [{ tau: 0 }, /tau: got 0, allowed: a number in \(0, 1\]/],
      [{ criticLr: NaN }, /criticLr: got NaN/],
      [{ targetKl: NaN }, /targetKl: got NaN, allowed: a finite number, or null \(α fixed\)/],
      [{ alpha: 0 }, /alpha: got 0, allowed: an initial value > 0 when α is learned/],
      [{ policyFrequency: 0 }, /policyFrequency: got 0/],
      [
        { reference: { kind: 'actor', sizes: [3, 8, 4], weights: new Float32Array(68) } },
        /reference.sizes: got \[3,8,4\], allowed: \[3, 1 to 16 hidden widths, 2\]/,
      ],
      [
        { reference: { kind: 'actor', sizes: [3, 8, 2], weights: new Float32Array(5) } },
        /reference.weights.length: got 5, allowed: 50 \(the sizes' parameters\)/,
      ],
    ];
    for (const [over, msg] of bad)
      expect(() => new SacEngine(module, { ...base, ...over }), JSON.stringify(over)).toThrow(msg);
    const engine = new SacEngine(module, base);
    const rng = new Rng(3);
    const batch = fillBuffer(rng, 16).sample(4, rng);
    expect(() =>
      engine.update(
        { ...batch, reward: new Float32Array(3) },
        { next: new Float32Array(4), actor: new Float32Array(4) },
      ),
    ).toThrow('SacEngine.update: reward must hold 4 floats (batch 4), got 3');
    expect(() => engine.update(batch, { next: new Float32Array(4) })).toThrow(
      /noise.actor \(the actor steps this update\) must hold 4 floats/,
    );
    const withRef = new SacEngine(module, { ...base, reference: { kind: 'gaussian', squash: false } });
    const noise = { next: new Float32Array(4), actor: new Float32Array(4) };
    expect(() => withRef.update(batch, noise)).toThrow(
      "SacEngine.update: prior got undefined, allowed: μ_ref, log σ_ref at s and s′ (a 'gaussian' reference)",
    );
    const params = { mean: new Float32Array(4), logStd: new Float32Array(4), nextMean: new Float32Array(4) };
    expect(() => withRef.update(batch, noise, { ...params, nextLogStd: new Float32Array(3) })).toThrow(
      'SacEngine.update: prior.nextLogStd must hold 4 floats (batch 4), got 3',
    );
    withRef.dispose();
    expect(() => engine.act(new Float32Array(4), { deterministic: true })).toThrow(
      'SacEngine.act: obs must hold n·3 floats (n ≥ 1), got 4',
    );
    expect(() => engine.setState({ ...engine.getState(), actor: new Float32Array(5) })).toThrow(
      /setState: actor must hold \d+ floats, got 5/,
    );
    engine.dispose();
  });
});

describe('the committed WebAssembly', () => {
  it.each(['asconfig.json', 'asconfig.kernels.json'])(
    'is what %s compiles (rebuild with `npm run build:engine`)',
    async (file) => {
      const asc = (await import('assemblyscript/asc')).default;
      const config = JSON.parse(readFileSync(file, 'utf8'));
      const outputs: Record<string, Uint8Array | string> = {};
      const { error, stderr } = await asc.main(['--config', file, '--outFile', 'out.wasm'], {
        writeFile: (name: string, contents: Uint8Array | string) => void (outputs[name] = contents),
      });
      expect(error, stderr.toString()).toBeFalsy();
      const rebuilt = outputs['out.wasm'] as Uint8Array;
      const committed = readFileSync(config.options.outFile);
      expect(rebuilt.length).toBe(committed.length);
      expect(Buffer.from(rebuilt).equals(committed)).toBe(true);
    },
    120_000,
  );
});
