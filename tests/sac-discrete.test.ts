import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { evaluatePolicy, klAt, softValueIteration, stateVisitation, weightedMean } from '../src/agents/exact/index.js';
import { DiscreteSacAgent, policyTable, type DiscreteSacCheckpoint } from '../src/agents/sac/discrete.js';
import {
  DiscreteSacTrainer,
  type DiscreteSacResult,
  type DiscreteSacTrainerCheckpoint,
} from '../src/agents/sac/discrete-trainer.js';
import {
  resolveDiscreteSacConfig,
  TABULAR_DISCRETE_SAC,
  TABULAR_DISCRETE_SAC_PLAIN,
  type DiscreteSacConfig,
} from '../src/agents/sac/discrete-config.js';
import { decodeF32Json, encodeF32Json } from '../src/core/f32json.js';
import { Rng } from '../src/core/rng.js';
import { Discrete } from '../src/core/spaces.js';
import type { Env, Observation, StepResult, TabularEnv } from '../src/envs/env.js';
import { meanReturn } from '../src/agents/episodes.js';
import { policyReference } from '../src/agents/learner.js';
import { make } from '../src/envs/registry.js';
import {
  classifyTwoRoute,
  TWO_ROUTE_ALPHA,
  TWO_ROUTE_GAMMA,
  TWO_ROUTE_START,
  twoRouteReference,
  type TwoRouteOutcome,
} from '../src/envs/tworoute.js';
import { initNodeBackend } from '../src/node/backend.js';
import {
  isDiscretePrior,
  makeObjective,
  type AlphaSpec,
  type ObjectiveSpec,
  type PriorName,
  type PriorSpaces,
} from '../src/priors/index.js';
import { DivergedError } from '../src/agents/diverged.js';
import { exploringStarts } from '../src/envs/gridworld.js';
import { trackTensors } from './own-tensors.js';

/** Steps a trainer to its budget (the learner protocol's `run` does this with hooks; these tests read the trainer). */
function trainToEnd(trainer: DiscreteSacTrainer) {
  while (trainer.step());
  return trainer.result();
}

const twoRoute = () => make('TwoRoute-v0') as unknown as TabularEnv;
const N_A = 4;

/** The tabular preset at TwoRoute's α and γ: the exact soft optimum in 6,000 env steps. */
const EXACT_CFG: Partial<DiscreteSacConfig> = {
  ...TABULAR_DISCRETE_SAC,
  seed: 1,
  totalSteps: 6000,
  gamma: TWO_ROUTE_GAMMA,
};

/** Plain RL (α = 0): the same with εz-greedy collection and a gentler Adam step (`TABULAR_DISCRETE_SAC_PLAIN`). */
const NONE_CFG: Partial<DiscreteSacConfig> = {
  ...TABULAR_DISCRETE_SAC_PLAIN,
  seed: 1,
  totalSteps: 6000,
  gamma: TWO_ROUTE_GAMMA,
};

/** The Objective of `prior` at TwoRoute's α (or `alpha`: 'auto_x' with `targets`); the reference is the guide. */
function objective(
  prior: PriorName,
  env: PriorSpaces,
  alpha: AlphaSpec = TWO_ROUTE_ALPHA,
  targets: Partial<ObjectiveSpec> = {},
) {
  return makeObjective(prior === 'none' ? { prior } : { prior, alpha, ...targets }, env, {
    reference: () => ({ table: twoRouteReference(make('TwoRoute-v0') as unknown as TabularEnv) }),
  });
}
/** A learned α from 0.15 toward the uniform prior's entropy target 0.5·log 4 (the old default scale). */
const autoUniform = (env: PriorSpaces) => objective('uniform', env, 'auto_0.15', { targetEntropy: 0.5 * Math.log(4) });

/** Short runs for the plumbing tests. */
const SMALL_CFG: Partial<DiscreteSacConfig> = {
  ...EXACT_CFG,
  totalSteps: 300,
  learningStarts: 100,
  batchSize: 32,
  logEvery: 100,
  hidden: [16],
};

/**
 * Trains from exploring starts (every free cell a start: the soft optimum is the same, but the ledge cells the
 * uniform-prior optimum uses get visited; from S alone, 3 of 5 seeds had not found them at 6,000 steps) and
 * returns the plain env, from whose start every result is judged.
 */
function train(kind: PriorName, cfg: Partial<DiscreteSacConfig>): { env: TabularEnv; result: DiscreteSacResult } {
  const env = twoRoute();
  return { env, result: trainToEnd(new DiscreteSacTrainer(exploringStarts(twoRoute()), objective(kind, env), cfg)) };
}

/**
 * Route frequencies over 500 seeded rollouts (`classifyTwoRoute`); the action entropy and KL to the
 * reference averaged over the states π visits (exact visitation).
 */
function behaviour(env: TabularEnv, pi: Float64Array) {
  const ref = twoRouteReference(env);
  const rng = new Rng(7);
  const routes: Record<TwoRouteOutcome, number> = { ledge: 0, room: 0, both: 0, lava: 0, timeout: 0 };
  const n = 500;
  for (let ep = 0; ep < n; ep++) {
    let s = env.reset({ seed: ep }).obs;
    const states = [s];
    for (;;) {
      const r = env.step(rng.categorical(pi.subarray(s * N_A, s * N_A + N_A)));
      states.push((s = r.obs));
      if (r.terminated || r.truncated) break;
    }
    routes[classifyTwoRoute(states)] += 1 / n;
  }
  const d = stateVisitation(env.model, pi);
  const entropy = (s: number) => {
    let h = 0;
    for (let a = 0; a < N_A; a++) if (pi[s * N_A + a] > 0) h -= pi[s * N_A + a] * Math.log(pi[s * N_A + a]);
    return h;
  };
  return {
    routes,
    entropy: weightedMean(d, entropy),
    klToReference: weightedMean(d, (s) => klAt(pi, ref, s, N_A)),
  };
}

/** Mean KL(π_learned ‖ π*) over the states π* visits, weighted by π*'s exact visitation. */
function klToSoftOptimal(env: TabularEnv, learned: Float64Array, kind: 'uniform' | 'reference'): number {
  const prior = kind === 'reference' ? twoRouteReference(env) : undefined;
  const star = softValueIteration(env.model, { alpha: TWO_ROUTE_ALPHA, gamma: TWO_ROUTE_GAMMA, prior });
  const d = stateVisitation(env.model, star.pi);
  return weightedMean(d, (s) => klAt(learned, star.pi, s, N_A));
}

const learned: Partial<Record<PriorName, { env: TabularEnv; result: DiscreteSacResult }>> = {};

beforeAll(async () => {
  await initNodeBackend();
});

describe('discrete SAC converges to the soft-optimal policy of the exact solver (TwoRoute-v0, α = 0.15, γ = 0.95)', () => {
  for (const kind of ['uniform', 'reference'] as const) {
    it(`${kind} prior: visitation-weighted KL(π_learned ‖ π*) ≤ 0.05 nats on seeds 1–3 (all must pass)`, () => {
      for (const seed of [2, 3]) {
        const other = train(kind, { ...EXACT_CFG, seed });
        const kl = klToSoftOptimal(other.env, other.result.policyTable!, kind);
        console.log(`[sac-discrete] ${kind} prior, seed ${seed}: KL(π_learned ‖ π*) = ${kl.toFixed(4)} nats`);
        expect(kl, `seed ${seed}`).toBeLessThanOrEqual(0.05);
        other.result.agent.dispose();
      }
      learned[kind] = train(kind, EXACT_CFG);
      const { env, result } = learned[kind]!;
      const kl = klToSoftOptimal(env, result.policyTable!, kind);
      console.log(`[sac-discrete] ${kind} prior, seed 1: KL(π_learned ‖ π*) = ${kl.toFixed(4)} nats`);
      expect(kl).toBeLessThanOrEqual(0.05);
      // The learner is not trivially there: the initial (near-uniform) policy is far from π*.
      const init = new DiscreteSacAgent(env, result.agent.objective, EXACT_CFG);
      expect(klToSoftOptimal(env, policyTable(init, env.model.nStates), kind)).toBeGreaterThan(0.2);
      init.dispose();
    });
  }
});

describe('plain RL (no prior, α = 0) finds the shortcut the exact solver predicts', () => {
  it('εz-greedy collection + greedy actor + max backup: the learned policy walks the ledge, return γ^7 from the start', () => {
    learned.none = train('none', NONE_CFG);
    const { env, result } = learned.none;
    const pi = result.policyTable!;
    const v = evaluatePolicy(env.model, pi, { alpha: 0, gamma: TWO_ROUTE_GAMMA }).V[TWO_ROUTE_START];
    const { routes } = behaviour(env, pi);
    console.log(
      `[sac-discrete] none prior: V^π(start) = ${v.toFixed(4)} (optimum γ^7 = ${(TWO_ROUTE_GAMMA ** 7).toFixed(4)}), routes ${JSON.stringify(routes)}`,
    );
    expect(routes.ledge).toBeGreaterThan(0.9);
    // The 12-step room route is worth γ^11 = 0.81·γ^7: above 0.95·γ^7 only the 8-step shortcut qualifies.
    expect(v).toBeGreaterThan(0.95 * TWO_ROUTE_GAMMA ** 7);
    // No prior: α stays 0; the logged KL is to the uniform prior α = 0 multiplies, i.e. log 4 − H(π).
    const last = result.metrics[result.metrics.length - 1].scalars;
    expect(last['charts/alpha']).toBe(0);
    expect(Math.abs(last['charts/kl_prior'] - (Math.log(4) - last['charts/entropy']))).toBeLessThan(1e-5);
  });
});

describe('the prior changes behaviour in the direction the exact solver predicts', () => {
  it('uniform vs reference vs none: route, action entropy, KL to the reference (exact and learned)', () => {
    const env = twoRoute();
    const ref = twoRouteReference(env);
    const exact = {
      uniform: behaviour(env, softValueIteration(env.model, { alpha: TWO_ROUTE_ALPHA, gamma: TWO_ROUTE_GAMMA }).pi),
      reference: behaviour(
        env,
        softValueIteration(env.model, { alpha: TWO_ROUTE_ALPHA, gamma: TWO_ROUTE_GAMMA, prior: ref }).pi,
      ),
      none: behaviour(env, softValueIteration(env.model, { alpha: 0, gamma: TWO_ROUTE_GAMMA }).pi),
    };
    const uniform = (learned.uniform ??= train('uniform', EXACT_CFG));
    const reference = (learned.reference ??= train('reference', EXACT_CFG));
    const none = (learned.none ??= train('none', NONE_CFG));
    const got = {
      uniform: behaviour(uniform.env, uniform.result.policyTable!),
      reference: behaviour(reference.env, reference.result.policyTable!),
      none: behaviour(none.env, none.result.policyTable!),
    };
    console.log(
      '[sac-discrete] behaviour (exact → learned):',
      JSON.stringify({ exact, got }, (_k, v) => (typeof v === 'number' ? +v.toFixed(3) : v)),
    );

    for (const b of [exact, got]) {
      // Route: none → the ledge; reference → the guide's room route; uniform → both routes.
      expect(b.none.routes.ledge).toBeGreaterThan(0.9);
      expect(b.reference.routes.room).toBeGreaterThan(0.9);
      expect(b.uniform.routes.ledge + b.uniform.routes.both).toBeGreaterThan(0.1);
      expect(b.uniform.routes.room).toBeGreaterThan(0.3);
      // Entropy: plain RL (deterministic) < KL-regularized (reference) < max-ent (uniform).
      expect(b.reference.entropy - b.none.entropy).toBeGreaterThan(0.3);
      expect(b.uniform.entropy - b.reference.entropy).toBeGreaterThan(0.3);
      expect(b.none.entropy).toBeLessThan(0.1);
      // KL to the reference: smallest under the reference prior, largest with no prior.
      expect(b.reference.klToReference).toBeLessThan(0.1);
      expect(b.uniform.klToReference - b.reference.klToReference).toBeGreaterThan(0.2);
      expect(b.none.klToReference - b.uniform.klToReference).toBeGreaterThan(0.3);
    }
    expect(exact.none.entropy).toBe(0);
    // Greedy (mode) evaluation: the reference-guided agent reaches the goal (+1) with its mode action.
    const agent = reference.result.agent;
    const greedy = {
      actionWidth: 1,
      act: (obs: readonly Observation[]) => agent.act(obs, { deterministic: true }),
    };
    expect(meanReturn(greedy, twoRoute, 3, [0, 1, 2])).toBe(1);
    for (const r of [uniform, reference, none]) r.result.agent.dispose();
  });
});

describe('plumbing', () => {
  it("no tensor leaks across many updates: the agent's own tensors stay flat and dispose frees them all (engine and autodiff)", () => {
    for (const impl of ['engine', 'autodiff'] as const) {
      const env = twoRoute();
      const own = trackTensors(); // this run's tensors only (issue #16): the objective's, the agent's
      const objective = autoUniform(env);
      const trainer = new DiscreteSacTrainer(env, objective, { ...SMALL_CFG, impl, totalSteps: 1000 });
      const counts: number[] = [];
      for (let i = 0; i < 700; i++) {
        trainer.step();
        if (i % 100 === 49) counts.push(own.alive());
      }
      console.log(`[sac-discrete] ${impl}: own tensors every 100 steps:`, counts.join(' '));
      expect(trainer.agent.updates).toBe(600);
      // Before the first update, then flat: no growth over 600 updates and 6 log steps.
      expect(new Set(counts.slice(1)).size, impl).toBe(1);
      trainer.agent.dispose();
      objective.dispose();
      expect(own.alive(), impl).toBe(0);
      own.stop();
    }
  });

  it('auto-temperature moves α toward its target: up when KL(π‖p) is above the target, down when below', () => {
    const env = twoRoute();
    const batch = () => ({
      obs: tf.oneHot(tf.tensor1d([36, 27, 18, 9], 'int32'), 54).toFloat() as tf.Tensor2D,
      actions: tf.tensor1d([0, 1, 2, 3], 'int32'),
      rewards: tf.tensor1d([0, 0, 0, 0]),
      nextObs: tf.oneHot(tf.tensor1d([27, 18, 9, 0], 'int32'), 54).toFloat() as tf.Tensor2D,
      terminated: tf.tensor1d([0, 0, 0, 0]),
    });
    const alphaAfter = (kind: PriorName, targets: Partial<ObjectiveSpec>) => {
      const agent = new DiscreteSacAgent(env, objective(kind, env, 'auto_0.15', targets), {
        ...SMALL_CFG,
        alphaLr: 0.01,
      });
      for (let i = 0; i < 100; i++) tf.tidy(() => agent.update(batch()));
      const alpha = agent.alpha;
      agent.dispose();
      return alpha;
    };
    // Reference prior: the near-uniform initial π is ~0.5 nats from the guide's 0.7-confidence rows.
    expect(alphaAfter('reference', { targetKl: 0.01 })).toBeGreaterThan(0.15 * 1.3);
    expect(alphaAfter('reference', { targetKl: 2 })).toBeLessThan(0.15 / 1.3);
    // Uniform prior: target entropy log 4 (scale 1, KL target 0) is above any entropy (α up); 0.1·log 4 is below the initial one (α down).
    expect(alphaAfter('uniform', { targetEntropy: Math.log(4) })).toBeGreaterThan(0.15);
    expect(alphaAfter('uniform', { targetEntropy: 0.1 * Math.log(4) })).toBeLessThan(0.15 / 1.3);
  });

  it('same seed → same numbers; another seed → different numbers', () => {
    const a = train('uniform', SMALL_CFG).result;
    const b = train('uniform', SMALL_CFG).result;
    const c = train('uniform', { ...SMALL_CFG, seed: 2 }).result;
    expect(b.metrics).toEqual(a.metrics);
    expect(b.policyTable).toEqual(a.policyTable);
    expect(c.policyTable).not.toEqual(a.policyTable);
    for (const r of [a, b, c]) r.agent.dispose();
  });

  it('checkpoint round trip (through encodeF32Json) restores networks, optimizers, α and RNG streams', () => {
    const env = twoRoute();
    const prior = autoUniform(env);
    const a = trainToEnd(new DiscreteSacTrainer(env, prior, SMALL_CFG)).agent;
    const ckpt = decodeF32Json<DiscreteSacCheckpoint>(encodeF32Json(a.getState()));
    const b = new DiscreteSacAgent(env, prior, { ...SMALL_CFG, seed: 99 });
    expect(policyTable(b, 54)).not.toEqual(policyTable(a, 54));
    b.setState(ckpt);
    expect(policyTable(b, 54)).toEqual(policyTable(a, 54));
    expect(b.alpha).toBe(a.alpha);
    expect(b.updates).toBe(a.updates);
    // The same update on both gives the same weights (Adam moments restored), and the same sampled actions (RNG restored).
    const batch = () => ({
      obs: tf.oneHot(tf.tensor1d([36, 27, 18], 'int32'), 54).toFloat() as tf.Tensor2D,
      actions: tf.tensor1d([0, 1, 2], 'int32'),
      rewards: tf.tensor1d([0, 0, 1]),
      nextObs: tf.oneHot(tf.tensor1d([27, 18, 19], 'int32'), 54).toFloat() as tf.Tensor2D,
      terminated: tf.tensor1d([0, 0, 1]),
    });
    tf.tidy(() => a.update(batch()));
    tf.tidy(() => b.update(batch()));
    expect(tf.tidy(() => b.critic.getWeights())).toEqual(tf.tidy(() => a.critic.getWeights()));
    expect(tf.tidy(() => b.actor.getWeights())).toEqual(tf.tidy(() => a.actor.getWeights()));
    expect(b.alpha).toBe(a.alpha);
    expect(
      Array.from({ length: 20 }, () => b.act([36], { deterministic: false, rng: b.streams.get('explore') })[0]),
    ).toEqual(
      Array.from({ length: 20 }, () => a.act([36], { deterministic: false, rng: a.streams.get('explore') })[0]),
    );
    // A checkpoint of another env is rejected naming the field.
    const other = { observationSpace: new Discrete(48), actionSpace: new Discrete(4) };
    expect(() => new DiscreteSacAgent(other, objective('uniform', other), SMALL_CFG).setState(ckpt)).toThrow(
      /checkpoint.observationSpace: Discrete\(54\) does not match the env's Discrete\(48\)/,
    );
    a.dispose();
    b.dispose();
  });

  it('resume from a trainer checkpoint (replay buffer, counters, RNG streams) gives exactly the uninterrupted run', () => {
    const cfg: Partial<DiscreteSacConfig> = {
      ...SMALL_CFG,
      totalSteps: 600,
      explorationEpsilon: 0.2,
      explorationRepeatMu: 2,
    };
    const uniform = (env: Env) => autoUniform(env);
    const fullEnv = twoRoute();
    const full = trainToEnd(new DiscreteSacTrainer(fullEnv, uniform(fullEnv), cfg));

    const env = twoRoute();
    const first = new DiscreteSacTrainer(env, uniform(env), cfg);
    while (first.step() && !(first.stepCount >= 250 && first.atEpisodeBoundary));
    const ckpt = decodeF32Json<DiscreteSacTrainerCheckpoint>(encodeF32Json(first.saveCheckpoint()));
    expect(ckpt.loop.step).toBeGreaterThanOrEqual(250);
    expect(ckpt.loop.step).toBeLessThan(600);
    expect(ckpt.buffer.size).toBe(ckpt.loop.step);
    // Inside an episode there is env state the checkpoint does not hold: refused, naming when it is allowed.
    while (first.step() && first.atEpisodeBoundary);
    expect(() => first.saveCheckpoint()).toThrow(
      /saveCheckpoint: step \d+ is inside an episode \(allowed: when atEpisodeBoundary is true, or training is over\)/,
    );
    first.agent.dispose();

    // A fresh env and prior: everything the rest of the run needs comes from the checkpoint.
    const env2 = twoRoute();
    const resumed = trainToEnd(DiscreteSacTrainer.resume(env2, uniform(env2), ckpt));
    expect(resumed.agent.updates).toBe(full.agent.updates);
    expect(resumed.metrics).toEqual(full.metrics);
    expect(resumed.policyTable).toEqual(full.policyTable);
    expect(tf.tidy(() => resumed.agent.critic.getWeights())).toEqual(tf.tidy(() => full.agent.critic.getWeights()));
    expect(resumed.agent.alpha).toBe(full.agent.alpha);
    full.agent.dispose();
    resumed.agent.dispose();
  });

  it('a saved agent as a frozen reference prior: training against it leaves it unchanged and sends it no gradient', () => {
    const env = twoRoute();
    const teacher = trainToEnd(new DiscreteSacTrainer(env, objective('uniform', env), SMALL_CFG)).agent;
    const own = trackTensors(); // from here: the reference prior's and the student's tensors only (issue #16)
    const toTeacher = makeObjective({ prior: 'reference', alpha: 'auto_0.15', targetKl: 0.05 }, env, {
      reference: policyReference(
        'sac-discrete',
        { actor: [54, ...teacher.cfg.hidden, 4] },
        { actor: teacher.actor.getWeights() },
        teacher.cfg,
        env,
      ),
    });
    const prior = toTeacher.prior;
    if (!isDiscretePrior(prior)) throw new Error('expected a discrete prior');
    const before = prior.table();
    expect(before.every((p) => p > 0)).toBe(true);
    const teacherTable = policyTable(teacher, 54);
    before.forEach((p, i) => expect(p).toBeCloseTo(teacherTable[i], 6));
    const student = trainToEnd(new DiscreteSacTrainer(env, toTeacher, { ...SMALL_CFG, seed: 5 })).agent;
    expect(prior.table()).toEqual(before);
    // Gradients of the learner's KL term w.r.t. EVERY trainable variable: the reference's are zero.
    const { grads } = tf.variableGrads(() =>
      tf.tidy(() => {
        const obs = tf.eye(54) as tf.Tensor2D;
        return tf.sum(prior.kl(obs, student.actor.apply(obs) as tf.Tensor2D)) as tf.Scalar;
      }),
    );
    // (tfjs leaves out variables no gradient path reaches; any that appear must be exactly zero.)
    const refVars = Object.keys(tf.engine().registeredVariables).filter((name) =>
      name.startsWith('saved_sac-discrete_actor'),
    );
    expect(refVars.length).toBeGreaterThan(0);
    for (const name of refVars) if (grads[name]) expect(tf.max(tf.abs(grads[name])).dataSync()[0]).toBe(0);
    const studentGrad = Object.entries(grads).find(([name]) => student.actor.params.some((v) => v.name === name))![1];
    expect(tf.max(tf.abs(studentGrad)).dataSync()[0]).toBeGreaterThan(0);
    tf.dispose(Object.values(grads));
    teacher.dispose();
    student.dispose();
    const tensors = own.alive();
    prior.dispose(); // frees the frozen network
    expect(refVars.every((name) => !(name in tf.engine().registeredVariables))).toBe(true);
    expect(own.alive()).toBeLessThan(tensors);
    own.stop();
  });

  it('construct, load a checkpoint and dispose leaves no tensor behind', () => {
    const env = twoRoute();
    const prior = objective('uniform', env);
    const ckpt = new DiscreteSacAgent(env, prior, SMALL_CFG);
    const saved = ckpt.getState();
    ckpt.dispose();
    const own = trackTensors(); // this agent's tensors only (issue #16)
    const agent = new DiscreteSacAgent(env, prior, SMALL_CFG);
    agent.setState(saved);
    expect(own.alive()).toBeGreaterThan(0);
    agent.dispose();
    expect(own.alive()).toBe(0);
    own.stop();
  });

  it('a non-finite loss stops training with a clear error that keeps the last good checkpoint', () => {
    const inner = twoRoute();
    let t = 0;
    // Rewards turn NaN after 250 env steps.
    const env: Env = {
      id: 'NaNAfter250',
      observationSpace: inner.observationSpace,
      actionSpace: inner.actionSpace,
      reset: (o) => inner.reset(o),
      step: (a): StepResult => ({ ...inner.step(a as number), ...(++t > 250 ? { reward: NaN } : {}) }),
      close: () => inner.close(),
    };
    const trainer = new DiscreteSacTrainer(env, objective('uniform', env), SMALL_CFG);
    let err: unknown;
    try {
      trainToEnd(trainer);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DivergedError);
    // Caught at the first place the NaN shows: the policy used to act, or the next log step.
    expect((err as Error).message).toMatch(
      /^discrete SAC: (policy π\(·\|s\)|losses\/critic) = NaN at step (2[5-9]\d|300); training stopped, the last good checkpoint is kept/,
    );
    const ckpt = (err as DivergedError).lastGood as DiscreteSacCheckpoint;
    expect(ckpt.gradientSteps).toBe(100); // from the log at step 200
    expect(ckpt.critic.every(Number.isFinite)).toBe(true);
    trainer.agent.dispose();
  });

  it('config and prior validation errors name the field, the value and what is allowed', () => {
    expect(() => resolveDiscreteSacConfig({ gamma: 1.5 })).toThrow(
      /DiscreteSacConfig.gamma: got 1.5, allowed: a number in \[0, 1\]/,
    );
    expect(() => resolveDiscreteSacConfig({ gamma: NaN })).toThrow(
      /DiscreteSacConfig.gamma: got NaN, allowed: a number in \[0, 1\]/,
    );
    expect(() => resolveDiscreteSacConfig({ batchSize: 0 })).toThrow(
      /DiscreteSacConfig.batchSize: got 0, allowed: a positive integer/,
    );
    expect(() => resolveDiscreteSacConfig({ hidden: [8, -1] })).toThrow(
      /DiscreteSacConfig.hidden: got \[8,-1\], allowed: list of at most 16 positive integers ≤ 4096/,
    );
    expect(() => resolveDiscreteSacConfig({ explorationEpsilon: 1.5 })).toThrow(
      /DiscreteSacConfig.explorationEpsilon: got 1.5, allowed: a number in \[0, 1\] \(0 = off\)/,
    );
    expect(() => resolveDiscreteSacConfig({ explorationRepeatMu: 1 })).toThrow(
      /DiscreteSacConfig.explorationRepeatMu: got 1, allowed: 0 \(off\) or a finite number > 1/,
    );
    expect(() => resolveDiscreteSacConfig({ atZeroAlpha: 'max' as never })).toThrow(
      /DiscreteSacConfig.atZeroAlpha: got "max", allowed: 'soft' or 'greedy'/,
    );
    expect(() => new DiscreteSacAgent(twoRoute(), objective('uniform', twoRoute()), { atZeroAlpha: 'greedy' })).toThrow(
      /DiscreteSacConfig.atZeroAlpha: 'greedy' needs an objective with α fixed at 0, got uniform α=0.15/,
    );
    expect(() => resolveDiscreteSacConfig({ learningRate: 1 } as Partial<DiscreteSacConfig>)).toThrow(
      /DiscreteSacConfig.learningRate: got 1, allowed: a known field \(seed, /,
    );
    const env = twoRoute();
    const wrong = objective('uniform', { observationSpace: env.observationSpace, actionSpace: new Discrete(3) });
    expect(() => new DiscreteSacAgent(env, wrong)).toThrow(
      /objective.prior.actionSpace: Discrete\(3\) does not match the env's actionSpace Discrete\(4\)/,
    );
    const pm = make('PointMass-v0');
    expect(() => new DiscreteSacAgent(pm, makeObjective({ prior: 'uniform', alpha: 0.1 }, pm))).toThrow(
      /actionSpace must be Discrete, got Box/,
    );
  });
});
