/**
 * Live training of a gridworld agent in the page, one slice at a time so drawing stays interleaved:
 * discrete SAC (`src/agents/sac/discrete.ts`, the linear one-hot configuration that reaches the exact
 * optimum on TwoRoute-v0) or KL-PPO (`src/agents/klppo`). Each session exposes the same read-outs: env
 * steps taken, gradient updates, the learned π(a|s) table, and the metric lines logged so far, so the
 * panel can set the learned policy against the exact soft-optimal one for the same prior and α.
 */
import {
  DiscreteSacTrainer,
  policyTable,
  TABULAR_DISCRETE_SAC,
  TABULAR_DISCRETE_SAC_PLAIN,
} from '../../agents/sac/discrete.js';
import { KlPpo } from '../../agents/klppo/ppo.js';
import { klAt, weightedMean } from '../../agents/exact/index.js';
import { RngStreams } from '../../core/rng.js';
import type { Objective } from '../../priors/index.js';
import { makeGridEnv, type GridEnvEntry } from '../gridworld/compute.js';
import type { GridWorld } from '../../envs/gridworld.js';

export const AGENTS = ['sac', 'klppo'] as const;
export type AgentName = (typeof AGENTS)[number];
export const AGENT_LABELS: Record<AgentName, string> = { sac: 'discrete SAC', klppo: 'KL-PPO' };

/** One logged line: env steps so far plus the agent's namespaced scalars. */
export interface LogLine {
  step: number;
  scalars: Record<string, number>;
}

export interface TrainSession {
  readonly agent: AgentName;
  /** Environment steps taken. */
  readonly steps: number;
  /** Gradient updates applied. */
  readonly updates: number;
  /** Env steps one press of "step" advances (a SAC log interval, one PPO iteration). */
  readonly chunk: number;
  readonly log: readonly LogLine[];
  /** Trains until `budgetMs` of wall time has passed (at least one chunk's first step). */
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

/**
 * Discrete SAC with linear networks on one-hot states (tabular softmax policy and twin tabular Qs): the
 * tabular presets that reach the exact optimum of TwoRoute-v0 in `tests/sac-discrete.test.ts` (with no
 * prior, the εz-greedy plain-RL preset).
 */
const SAC_LOG_EVERY = 100;
function sacSession(spec: SessionSpec, grid: GridWorld): TrainSession {
  const { objective } = spec;
  const log: LogLine[] = [];
  const trainer = new DiscreteSacTrainer(
    makeGridEnv(spec.entry).env,
    objective,
    {
      ...(objective.alpha === 0 ? TABULAR_DISCRETE_SAC_PLAIN : TABULAR_DISCRETE_SAC),
      seed: spec.seed,
      totalSteps: 1_000_000,
      gamma: spec.entry.gamma,
      logEvery: SAC_LOG_EVERY,
    },
    { onLog: (m) => void log.push({ step: m.step, scalars: m.scalars }) },
  );
  const { learningStarts } = trainer.agent.cfg;
  return {
    agent: 'sac',
    get steps() {
      return trainer.stepCount;
    },
    get updates() {
      return Math.max(0, trainer.stepCount - learningStarts);
    },
    chunk: SAC_LOG_EVERY,
    log,
    advance(budgetMs) {
      const end = performance.now() + budgetMs;
      do trainer.step();
      while (performance.now() < end);
    },
    stepChunk() {
      for (let i = 0; i < SAC_LOG_EVERY; i++) trainer.step();
    },
    policy: () => policyTable(trainer.agent, grid.model.nStates),
    dispose: () => {
      trainer.agent.dispose();
      objective.dispose();
    },
  };
}

/** KL-PPO with the per-step reward penalty (exact for multi-step tasks), linear policy on one-hot states. */
const PPO_ENVS = 16;
const PPO_STEPS = 32;
function klppoSession(spec: SessionSpec): TrainSession {
  const { objective } = spec;
  const log: LogLine[] = [];
  const agent = new KlPpo(
    () => makeGridEnv(spec.entry).env,
    objective,
    {
      numEnvs: PPO_ENVS,
      numSteps: PPO_STEPS,
      hidden: [],
      gamma: spec.entry.gamma,
      learningRate: 0.01,
    },
    new RngStreams(spec.seed),
  );
  const { updateEpochs, numMinibatches } = agent.config;
  const iterate = () => {
    const scalars = agent.iterate();
    log.push({ step: agent.globalStep, scalars });
  };
  return {
    agent: 'klppo',
    get steps() {
      return agent.globalStep;
    },
    get updates() {
      return agent.iteration * updateEpochs * numMinibatches;
    },
    chunk: PPO_ENVS * PPO_STEPS,
    log,
    advance(budgetMs) {
      const end = performance.now() + budgetMs;
      do iterate();
      while (performance.now() < end);
    },
    stepChunk: iterate,
    policy: () => agent.policyTable(),
    dispose: () => {
      agent.dispose();
      objective.dispose();
    },
  };
}

export function startSession(spec: SessionSpec, grid: GridWorld): TrainSession {
  return spec.agent === 'sac' ? sacSession(spec, grid) : klppoSession(spec);
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
