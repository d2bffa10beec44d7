/**
 * The dreamer agent (src/agents/dreamer): its imagination gradient on the host tape against tfjs autodiff
 * (same weights, noise and prior), determinism and exact resume through the one checkpoint envelope, and
 * its config errors.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { imaginationAutodiff } from '../src/agents/dreamer/autodiff.js';
import { DreamerAgent, DREAMER_SCHEMA, LOG_STD_RANGE } from '../src/agents/dreamer/dreamer.js';
import { createLearner, dreamerAgentOf } from '../src/agents/learner.js';
import { decodeF32Json, encodeF32Json } from '../src/core/f32json.js';
import { Rng, RngStreams } from '../src/core/rng.js';
import type { Box } from '../src/core/spaces.js';
import { make } from '../src/envs/registry.js';
import { initNodeBackend } from '../src/node/backend.js';
import { buildObjective } from '../src/node/train/setup.js';
import type { ObjectiveSpec } from '../src/priors/objective.js';

beforeAll(async () => {
  await initNodeBackend('cpu');
});

const SMALL = {
  deterDim: 12,
  stochDim: 3,
  hiddenDim: 10,
  actorHidden: [10, 10],
  criticHidden: [10],
  batchSize: 3,
  seqLen: 6,
  horizon: 5,
  imagineStarts: 8,
  prefill: 200,
  trainEvery: 25,
};

describe('imagination: the host tape against tfjs autodiff', () => {
  const env = make('Pendulum-v1');
  const priors: [string, ObjectiveSpec][] = [
    ['uniform prior, α = 0.3', { prior: 'uniform', alpha: 0.3 }],
    ['reference prior (swing-up), α = 0.5', { prior: 'reference', alpha: 0.5, reference: 'swing-up' }],
    ['no prior (α = 0)', { prior: 'none' }],
  ];
  it.each(priors)('%s: loss to 1e-5, the actor gradient to 1e-4 of its scale', (_name, spec) => {
    const objective = buildObjective(spec, env);
    const cfg = { ...DREAMER_SCHEMA.defaults, ...SMALL };
    const agent = new DreamerAgent({ obsDim: 3, actDim: 1 }, env.actionSpace as Box, cfg, objective, new Rng(4));
    // Train the actor a little first so its outputs are not the near-zero initial ones.
    const rng = new Rng(8);
    const start = (n: number, w: number) => Float32Array.from({ length: n * w }, () => 0.5 * rng.normal());
    const h0 = start(8, 12);
    const z0 = start(8, 3);
    const tape = agent.imagination(h0, z0, 8, new Rng(21), () => 2.5);
    const ref = imaginationAutodiff(agent, h0, z0, 8, new Rng(21), 2.5);
    expect(Math.abs(tape.actorLoss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref.loss)));
    const g = agent.actor.grad!;
    const scale = Math.max(...ref.grad.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-6);
    let worst = 0;
    for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i] - ref.grad[i]));
    expect(worst / scale).toBeLessThan(1e-4);
    objective.dispose();
  });
});

/** Small agents on Pendulum-v1 under the uniform prior; `build()` gives one of init seed 3 (the same weights each time). */
function smallPendulumAgents() {
  const env = make('Pendulum-v1');
  const objective = buildObjective({ prior: 'uniform', alpha: 0.1 }, env);
  const box = env.actionSpace as Box;
  const build = () =>
    new DreamerAgent({ obsDim: 3, actDim: 1 }, box, { ...DREAMER_SCHEMA.defaults, ...SMALL }, objective, new Rng(3));
  return { objective, box, build };
}

describe("the actor's action moments and density (what dreamer-lqg compares with the exact policy)", () => {
  // A constant actor: zero weights, the last layer's biases (μ_u, r) with log σ_u = −1 = min + (max − min)·sigmoid(r).
  const [mu, logStd] = [0.4, -1];
  function constantActor() {
    const { objective, box, build } = smallPendulumAgents();
    const agent = build();
    const [lmin, lmax] = LOG_STD_RANGE;
    const q = (logStd - lmin) / (lmax - lmin);
    const w = agent.actor.weights;
    w.fill(0);
    w[w.length - 2] = mu;
    w[w.length - 1] = Math.log(q / (1 - q));
    const n = 3;
    const rng = new Rng(9);
    const h = Float32Array.from({ length: n * 12 }, () => rng.normal());
    const z = Float32Array.from({ length: n * 3 }, () => rng.normal());
    return { objective, box, agent, n, h, z };
  }

  it('mode, Monte Carlo mean and std of the squashed action against quadrature over the pre-squash Gaussian', () => {
    const { objective, box, agent, n, h, z } = constantActor();
    const draws = 4000;
    const m = agent.actionMoments(h, z, n, new Rng(10), draws);
    // a = lo + half·(tanh(μ + σε) + 1), ε ~ N(0, 1): its moments on a fine grid over ε.
    const half = (box.high[0] - box.low[0]) / 2;
    const a = (e: number) => box.low[0] + half * (Math.tanh(mu + Math.exp(logStd) * e) + 1);
    let [m1, m2] = [0, 0];
    for (let e = -8; e <= 8; e += 1e-3) {
      const p = (Math.exp(-0.5 * e * e) / Math.sqrt(2 * Math.PI)) * 1e-3;
      m1 += p * a(e);
      m2 += p * a(e) ** 2;
    }
    const std = Math.sqrt(m2 - m1 * m1);
    for (let i = 0; i < n; i++) {
      expect(m.mode[i]).toBeCloseTo(a(0), 5);
      expect(Math.abs(m.mean[i] - m1)).toBeLessThan((4 * std) / Math.sqrt(draws));
      expect(Math.abs(m.std[i] - std)).toBeLessThan((4 * std) / Math.sqrt(2 * draws));
    }
    objective.dispose();
  });

  it('log π(a) is the change of variables of N(μ, σ²) through the squash, and integrates to 1 over the box', () => {
    const { objective, box, agent, n, h, z } = constantActor();
    const half = (box.high[0] - box.low[0]) / 2;
    const logDensity = (a: number) => {
      const t = (a - box.low[0]) / half - 1;
      const u = Math.atanh(t);
      const sigma = Math.exp(logStd);
      return -0.5 * ((u - mu) / sigma) ** 2 - Math.log(sigma * Math.sqrt(2 * Math.PI)) - Math.log(half * (1 - t * t));
    };
    const actions = Float32Array.from([-1.5, 0.3, 1.9]);
    const lp = agent.logProb(h, z, n, actions);
    for (let i = 0; i < n; i++) expect(lp[i]).toBeCloseTo(logDensity(actions[i]), 4);
    // ∫ π(a) da over the box by the midpoint rule on the agent's own log π.
    const cells = 20000;
    const da = (2 * half) / cells;
    const grid = Float32Array.from({ length: cells }, (_, k) => box.low[0] + (k + 0.5) * da);
    const hs = Float32Array.from({ length: cells * 12 }, (_, k) => h[k % 12]);
    const zs = Float32Array.from({ length: cells * 3 }, (_, k) => z[k % 3]);
    const mass = agent.logProb(hs, zs, cells, grid).reduce((s, v) => s + Math.exp(v) * da, 0);
    expect(mass).toBeCloseTo(1, 3);
    objective.dispose();
  });
});

describe('actionNoise: the collecting policy explores around the actor', () => {
  it('adds noise·N(0, 1) to the sampled action, clips it to the bounds, and filters on the action it returned', () => {
    const { objective, box, build } = smallPendulumAgents();
    const [plain, noisy] = [build(), build()];
    const n = 64;
    const slots = Array.from({ length: n }, (_, i) => i);
    const data = new Rng(4);
    const obs = () => Float32Array.from({ length: n * 3 }, () => data.normal());
    const [o0, o1] = [obs(), obs()];
    const a = plain.act(o0, slots, new Rng(5));
    const noise = 1.5;
    const b = noisy.act(o0, slots, new Rng(5), noise);
    // The same stream: first the actor's n draws, then the noise's n.
    const replay = new Rng(5);
    for (let i = 0; i < n; i++) replay.normal();
    let clipped = 0;
    for (let i = 0; i < n; i++) {
      const raw = a[i] + noise * replay.normal();
      const want = Math.min(box.high[0], Math.max(box.low[0], raw));
      if (want !== raw) clipped++;
      expect(b[i]).toBeCloseTo(want, 5);
    }
    expect(clipped).toBeGreaterThan(0);
    // The next filter step reads the noisy action, not the actor's own.
    const { h, z } = noisy.latent(0);
    noisy.act(o1.subarray(0, 3), [0], null);
    const want = noisy.model.filterStep(h, z, b.subarray(0, 1), o1.subarray(0, 3), 1, null);
    expect(Array.from(noisy.latent(0).h)).toEqual(Array.from(want.h));
    const wrong = noisy.model.filterStep(h, z, a.subarray(0, 1), o1.subarray(0, 3), 1, null);
    expect(Array.from(noisy.latent(0).h)).not.toEqual(Array.from(wrong.h));
    objective.dispose();
  });
});

describe('the dreamer learner: one shape, determinism, exact resume', () => {
  const makeEnv = () => make('Pendulum-v1');
  const build = (seed: number, more: object = {}) => {
    const objective = buildObjective({ prior: 'uniform', alpha: 0.1 }, makeEnv());
    return createLearner('dreamer', {
      makeEnv,
      objective,
      config: { ...SMALL, totalSteps: 600, evalEvery: 400, evalEpisodes: 2, checkpointEvery: 200, ...more },
      streams: new RngStreams(seed),
    });
  };
  const lines = (l: { loop: { metrics: readonly { step: number; scalars: Record<string, number> }[] } }) =>
    JSON.stringify(l.loop.metrics);

  it('the same seed gives the same metrics; another seed other ones', async () => {
    const [a, b, c] = [build(1), build(1), build(2)];
    await Promise.all([a.run(), b.run(), c.run()]);
    expect(a.loop.metrics.at(-1)!.scalars['charts/updates']).toBe(16); // (600 − 200) / 25
    expect(lines(a)).toBe(lines(b));
    expect(lines(a)).not.toBe(lines(c));
  });

  it('a checkpoint taken mid-run, stored as a run folder stores it, resumes to the same numbers and weights', async () => {
    const whole = build(3);
    await whole.run();
    const first = build(3);
    let saved: unknown = null;
    const stop = new AbortController();
    await first.run({
      signal: stop.signal,
      checkpoint: (step, state) => {
        if (step >= 400) {
          saved = decodeF32Json(encodeF32Json(state));
          stop.abort();
        }
      },
    });
    expect(saved).not.toBeNull();
    const resumed = build(99);
    resumed.load(saved);
    await resumed.run();
    expect(JSON.stringify(resumed.loop.metrics.at(-1))).toBe(JSON.stringify(whole.loop.metrics.at(-1)));
    expect(resumed.policyWeights()).toEqual(whole.policyWeights());
  });

  it('actionNoise reaches the collecting policy: the prefill episode is the same, the ones after it are not', async () => {
    const [plain, noisy] = [build(7), build(7, { actionNoise: 0.5 })];
    await Promise.all([plain.run(), noisy.run()]);
    const returns = (l: typeof plain) =>
      l.loop.metrics
        .filter((m) => m.scalars['charts/episodic_return'] !== undefined)
        .map((m) => m.scalars['charts/episodic_return']);
    const [a, b] = [returns(plain), returns(noisy)];
    expect(a.length).toBe(3);
    expect(b[0]).toBe(a[0]);
    expect(b[1]).not.toBe(a[1]);
    expect(b[2]).not.toBe(a[2]);
  });

  it('modelWarmup: the world model alone takes that many ELBO steps before the first full train step', async () => {
    const warmed = build(6, { modelWarmup: 7 });
    await warmed.run();
    const s = dreamerAgentOf(warmed).getState();
    expect(s.updates).toBe(16);
    expect(s.actorAdam.t).toBe(16);
    expect(s.criticAdam.t).toBe(16);
    expect(s.model.adam.t).toBe(16 + 7);
  });

  it('acts the same after its policy weights move to a learner of another seed (world model and actor)', async () => {
    const trained = build(4);
    await trained.run();
    const other = build(5);
    const obs = [Float32Array.from([1, 0, 0.5]), Float32Array.from([0, 1, -2])];
    expect(other.act(obs, { deterministic: true })).not.toEqual(trained.act(obs, { deterministic: true }));
    other.setPolicyWeights(trained.policyWeights());
    expect(other.act(obs, { deterministic: true })).toEqual(trained.act(obs, { deterministic: true }));
  });

  it('refuses a config that does not fit, naming the field, the value and what is allowed', () => {
    const objective = buildObjective({ prior: 'uniform', alpha: 0.1 }, makeEnv());
    const make_ = (config: object) => () =>
      createLearner('dreamer', { makeEnv, objective, config, streams: new RngStreams(1) });
    expect(make_({ imagineStarts: 100, batchSize: 4, seqLen: 8 })).toThrow(
      /DreamerConfig\.imagineStarts: got 100, allowed: at most batchSize·seqLen = 32/,
    );
    expect(make_({ horizon: 0 })).toThrow(/DreamerConfig\.horizon: got 0, allowed: a positive integer/);
    expect(make_({ gamma: 1.5 })).toThrow(/DreamerConfig\.gamma: got 1.5, allowed: a number in \[0, 1\]/);
  });
});
