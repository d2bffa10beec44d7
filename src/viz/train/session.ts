/**
 * Live training of a gridworld agent in the page, one slice at a time so drawing stays interleaved:
 * discrete SAC (the linear one-hot configuration that reaches the exact optimum on TwoRoute-v0) or KL-PPO,
 * both built and stepped through the one learner protocol (`createLearner`, `step()`, `loop.metrics`,
 * `policyTable()`). A session adds what the panel shows beside it: gradient updates so far and the size of
 * one press of "step", so the panel can set the learned policy against the exact soft-optimal one for the
 * same prior and α.
 */
import { klAt, weightedMean } from '../../agents/exact/index.js';
import { createLearner, type Learner } from '../../agents/learner.js';
import type { MetricsLine } from '../../agents/loop.js';
import { TABULAR_DISCRETE_SAC, TABULAR_DISCRETE_SAC_PLAIN } from '../../agents/sac/discrete-config.js';
import { RngStreams } from '../../core/rng.js';
import type { Objective } from '../../priors/index.js';
import { makeGridEnv, type GridEnvEntry } from '../gridworld/compute.js';

export const AGENTS = ['sac', 'klppo'] as const;
export type AgentName = (typeof AGENTS)[number];
export const AGENT_LABELS: Record<AgentName, string> = { sac: 'discrete SAC', klppo: 'KL-PPO' };

/** One logged line: env steps so far plus the agent's namespaced scalars. */
export type LogLine = MetricsLine;

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
  /** π(a|s), nS·nA row-major (the exact solver's layout). */
  policy(): Float64Array;
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
    policy: () => learner.policyTable(),
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
