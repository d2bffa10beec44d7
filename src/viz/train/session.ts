/**
 * Live training in the page, one slice at a time so drawing stays interleaved, every learner built and
 * stepped through the one learner protocol (`createLearner`, `step()`, `loop.metrics`):
 * - a gridworld agent: discrete SAC (the linear one-hot configuration that reaches the exact optimum on
 *   TwoRoute-v0) or KL-PPO; its read-out is the policy table (`policyTable()`), which the panel sets against
 *   the exact soft-optimal one for the same prior and α;
 * - continuous SAC on PointMass-v0 or Pendulum-v1 (the WebAssembly engine under every prior); its read-out is
 *   a few rollouts of the current policy from fixed start states with fixed action noise, so from one
 *   read-out to the next only the policy changes.
 * A session adds what the panel shows beside it: gradient updates so far and the size of one press of "step".
 */
import { klAt, weightedMean } from '../../agents/exact/index.js';
import { runEpisodes } from '../../agents/episodes.js';
import { createLearner, type Learner } from '../../agents/learner.js';
import type { MetricsLine } from '../../agents/loop.js';
import { TABULAR_DISCRETE_SAC, TABULAR_DISCRETE_SAC_PLAIN } from '../../agents/sac/discrete-config.js';
import { SAC_DEFAULTS, type SacConfig } from '../../agents/sac/continuous.js';
import { POINT_MASS_ALPHA } from '../../agents/sac/pointmass.js';
import { Rng, RngStreams } from '../../core/rng.js';
import type { Env } from '../../envs/env.js';
import { make } from '../../envs/registry.js';
import { makeObjective, objectiveSpecOf, type Objective, type PriorName } from '../../priors/index.js';
import { NAMED_REFERENCES, referenceNames } from '../../priors/named.js';
import { makeGridEnv, type GridEnvEntry } from '../gridworld/compute.js';

export const AGENTS = ['sac', 'klppo'] as const;
export type AgentName = (typeof AGENTS)[number];
export const AGENT_LABELS: Record<AgentName, string> = { sac: 'discrete SAC', klppo: 'KL-PPO' };

/** One logged line: env steps so far plus the agent's namespaced scalars. */
export type LogLine = MetricsLine;

/** What the panel draws of a learner's current policy. */
export type Readout =
  | { kind: 'table'; /** π(a|s), nS·nA row-major (the exact solver's layout). */ policy: Float64Array }
  | {
      kind: 'rollouts';
      /** The env steps trained when they were rolled out. */
      step: number;
      /** Per rollout: observations s_0 … s_T, row-major `[T + 1, obsDim]`. */
      obs: Float32Array[];
      obsDim: number;
      returns: number[];
      /** PointMass: the goal each reached (null: none); Pendulum: all null. */
      goals: Array<string | null>;
    };

export interface TrainSession {
  readonly agent: AgentName;
  /** Environment steps taken. */
  readonly steps: number;
  /** Gradient updates applied. */
  readonly updates: number;
  /** Env steps one press of "step" advances (a SAC log interval, one PPO iteration). */
  readonly chunk: number;
  readonly log: readonly LogLine[];
  /** Trains until `budgetMs` of wall time has passed (at least one step). */
  advance(budgetMs: number): void;
  /** Trains exactly one chunk. */
  stepChunk(): void;
  /**
   * The current policy's read-out; null when there is nothing new since the last one. Rollouts are redone
   * after ROLLOUT_EVERY more steps, or after any progress when `fresh` (a Step or a Pause).
   */
  readout(fresh: boolean): Readout | null;
  /** Whether the WebAssembly engine runs the updates (continuous SAC), null for learners without one. */
  readonly usesEngine: boolean | null;
  /** The Objective's α (0 for the prior none, whatever the slider says). */
  readonly alpha: number;
  dispose(): void;
}

export interface SessionSpec {
  entry: GridEnvEntry;
  agent: AgentName;
  /** The prior and its fixed α (SAC's temperature, KL-PPO's β); the session owns it and disposes it. */
  objective: Objective;
  seed: number;
}

/** A session over a learner: `stepsPerChunk` learner steps a chunk, `updates` from its step count. */
function session(
  agent: AgentName,
  learner: Learner,
  objective: Objective,
  chunk: number,
  stepsPerChunk: number,
  updates: (steps: number) => number,
  readout: (fresh: boolean) => Readout | null = () => ({ kind: 'table', policy: learner.policyTable() }),
): TrainSession {
  return {
    agent,
    get steps() {
      return learner.loop.stepCount;
    },
    get updates() {
      return updates(learner.loop.stepCount);
    },
    chunk,
    get log() {
      return learner.loop.metrics;
    },
    advance(budgetMs) {
      const end = performance.now() + budgetMs;
      do learner.step();
      while (performance.now() < end);
    },
    stepChunk() {
      for (let i = 0; i < stepsPerChunk; i++) learner.step();
    },
    readout,
    alpha: objective.alpha,
    get usesEngine() {
      return 'usesEngine' in learner ? Boolean(learner.usesEngine) : null;
    },
    dispose: () => {
      learner.dispose();
      objective.dispose();
    },
  };
}

/** Long enough never to end while a page is open; no evaluations or checkpoints in the page. */
const OPEN_ENDED = { totalSteps: 1e9, evalEvery: 0, evalEpisodes: 1, checkpointEvery: 0 } as const;

/**
 * Discrete SAC with linear networks on one-hot states (tabular softmax policy and twin tabular Qs): the
 * tabular presets that reach the exact optimum of TwoRoute-v0 in `tests/sac-discrete.test.ts` (with no
 * prior, the εz-greedy plain-RL preset).
 */
const SAC_LOG_EVERY = 100;
function sacSession(spec: SessionSpec): TrainSession {
  const { objective } = spec;
  const learner = createLearner('sac-discrete', {
    makeEnv: () => makeGridEnv(spec.entry).env,
    objective,
    config: {
      ...(objective.alpha === 0 ? TABULAR_DISCRETE_SAC_PLAIN : TABULAR_DISCRETE_SAC),
      ...OPEN_ENDED,
      gamma: spec.entry.gamma,
      logEvery: SAC_LOG_EVERY,
    },
    streams: new RngStreams(spec.seed),
  });
  const { learningStarts, gradientSteps, updateEvery } = learner.config;
  const updates = (steps: number) => Math.floor(Math.max(0, steps - learningStarts) / updateEvery) * gradientSteps;
  return session('sac', learner, objective, SAC_LOG_EVERY, SAC_LOG_EVERY, updates);
}

/** KL-PPO with the per-step reward penalty (exact for multi-step tasks), linear policy on one-hot states. */
const PPO_ENVS = 16;
const PPO_STEPS = 32;
function klppoSession(spec: SessionSpec): TrainSession {
  const { objective } = spec;
  const learner = createLearner('klppo', {
    makeEnv: () => makeGridEnv(spec.entry).env,
    objective,
    config: {
      numEnvs: PPO_ENVS,
      numSteps: PPO_STEPS,
      hidden: [],
      gamma: spec.entry.gamma,
      learningRate: 0.01,
      ...OPEN_ENDED,
    },
    streams: new RngStreams(spec.seed),
  });
  const { updateEpochs, numMinibatches } = learner.config;
  const batch = PPO_ENVS * PPO_STEPS;
  return session('klppo', learner, objective, batch, 1, (steps) => (steps / batch) * updateEpochs * numMinibatches);
}

export function startSession(spec: SessionSpec): TrainSession {
  return spec.agent === 'sac' ? sacSession(spec) : klppoSession(spec);
}

/**
 * The continuous envs of live training: continuous SAC at a fixed α (the slider's, the same for every prior, so
 * the prior is the only difference), the reference being the env's first named controller. PointMass takes
 * `pointmass-priors`' settings (64×64, batch 64, 500 random steps, α 0.05); Pendulum SAC's defaults
 * (`sac-pendulum`'s: batch 128, 1,000 random steps) at CleanRL's fixed α 0.2.
 */
export const CONTINUOUS_ENVS: Readonly<
  Record<string, { label: string; defaultAlpha: number; config: Partial<SacConfig> }>
> = {
  'PointMass-v0': {
    label: 'PointMass',
    defaultAlpha: POINT_MASS_ALPHA,
    config: { hidden: [64, 64], batchSize: 64, learningStarts: 500 },
  },
  'Pendulum-v1': { label: 'Pendulum', defaultAlpha: 0.2, config: {} },
};

export interface ContinuousSessionSpec {
  /** A `CONTINUOUS_ENVS` id. */
  env: string;
  prior: PriorName;
  alpha: number;
  seed: number;
}

/** Continuous logs: about one episode per line (200-step episodes). */
const CONTINUOUS_LOG_EVERY = 200;
/** Rollouts per read-out, and the env steps between two read-outs. */
export const LIVE_ROLLOUTS = 6;
export const ROLLOUT_EVERY = 500;

/** The Objective of `prior` at a fixed α on `env` (the reference: the env's first named controller). */
export function continuousObjective(env: Env, prior: PriorName, alpha: number): Objective {
  const name = referenceNames(env.id)[0];
  if (prior === 'reference' && name === undefined)
    throw new RangeError(`prior 'reference': ${env.id} has no named reference (allowed: uniform, none)`);
  return makeObjective(objectiveSpecOf({ prior, alpha, reference: name }), env, {
    reference: () => NAMED_REFERENCES[env.id][name].make(env),
  });
}

export function startContinuousSession(spec: ContinuousSessionSpec): TrainSession {
  const entry = CONTINUOUS_ENVS[spec.env];
  if (!entry)
    throw new RangeError(`live training: env ${spec.env}; allowed: ${Object.keys(CONTINUOUS_ENVS).join(', ')}`);
  const makeEnv = () => make(spec.env);
  const probe = makeEnv();
  let objective: Objective;
  try {
    objective = continuousObjective(probe, spec.prior, spec.alpha);
  } finally {
    probe.close();
  }
  const learner = createLearner('sac', {
    makeEnv,
    objective,
    config: { ...SAC_DEFAULTS, ...entry.config, ...OPEN_ENDED, logEvery: CONTINUOUS_LOG_EVERY },
    streams: new RngStreams(spec.seed),
  });
  const { learningStarts, gradientSteps } = learner.config;
  const updates = (steps: number) => Math.max(0, steps - learningStarts) * gradientSteps;
  // The same start states and action noise at every read-out (their own streams: training draws nothing from them).
  const starts = new Rng(`${spec.seed}/live-starts`);
  const seeds = Array.from({ length: LIVE_ROLLOUTS }, () => starts.uint32());
  let rolledAt = -1;
  const readout = (fresh: boolean): Readout | null => {
    const step = learner.loop.stepCount;
    if (rolledAt >= 0 && (step === rolledAt || (!fresh && step - rolledAt < ROLLOUT_EVERY))) return null;
    rolledAt = step;
    const eps = runEpisodes(learner, makeEnv, LIVE_ROLLOUTS, seeds, {
      act: { deterministic: false, rng: new Rng(`${spec.seed}/live-actions`) },
      record: true,
    });
    return {
      kind: 'rollouts',
      step,
      obs: eps.map((e) => Float32Array.from(e.trajectory!.obs.flat())),
      obsDim: eps[0].trajectory!.obs[0].length,
      returns: eps.map((e) => e.return),
      goals: eps.map((e) => (e.terminated && typeof e.info.goal === 'string' ? e.info.goal : null)),
    };
  };
  return session('sac', learner, objective, CONTINUOUS_LOG_EVERY, CONTINUOUS_LOG_EVERY, updates, readout);
}

/**
 * Visitation-weighted KL between a learned policy and the exact π*, both directions, weighted by π*'s
 * exact state visitation (the states the optimum actually acts in). KL(learned ‖ π*) is infinite where
 * π* is deterministic (α = 0) and the learned policy is not; KL(π* ‖ learned) stays finite, and
 * `perState` then holds that direction.
 */
export function klToExact(
  learned: Float64Array,
  exact: Float64Array,
  visitation: Float64Array,
  nA: number,
): { learnedExact: number; exactLearned: number; perState: Float64Array } {
  const nS = visitation.length;
  const forward = new Float64Array(nS);
  const reverse = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    forward[s] = klAt(learned, exact, s, nA);
    reverse[s] = klAt(exact, learned, s, nA);
  }
  const learnedExact = weightedMean(visitation, (s) => forward[s]);
  return {
    learnedExact,
    exactLearned: weightedMean(visitation, (s) => reverse[s]),
    // Per-state distance for shading: KL(learned ‖ π*), or where that is infinite (greedy π*) KL(π* ‖ learned).
    perState: Number.isFinite(learnedExact) ? forward : reverse,
  };
}
