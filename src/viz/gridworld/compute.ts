/**
 * Everything the gridworld panel shows, computed without pixi or the DOM (so tests run it in Node):
 * the exact soft-optimal policy for an Objective (`src/agents/exact`), its exact visitation, KL and
 * entropy, and `rollouts` sampled episodes of the real env (`src/envs`) whose visit counts and outcomes
 * are the sampled statistics. Seeding uses common random numbers: for one seed, every prior sees the
 * same env stream and the same agent stream, so differences come from the policy alone.
 */
import { Rng } from '../../core/rng.js';
import { entropyAt, klAt, softValueIteration, stateVisitation, weightedMean } from '../../agents/exact/index.js';
import type { GridWorld } from '../../envs/gridworld.js';
import { make } from '../../envs/registry.js';
import { TWO_ROUTE_ALPHA, TWO_ROUTE_GAMMA, classifyTwoRoute, twoRouteReference } from '../../envs/tworoute.js';
import { unwrapped } from '../../envs/wrappers.js';
import type { Env } from '../../envs/env.js';
import { makeObjective, objectiveSpecOf, type Objective, type PriorName } from '../../priors/index.js';

export interface GridEnvEntry {
  /** Registry id plus options. */
  id: string;
  options: Record<string, unknown>;
  gamma: number;
  defaultAlpha: number;
  /** The fixed reference policy table, when the env defines one. */
  reference?: (env: GridWorld) => Float64Array;
  /** Route classifier: a label per episode (from its states, final included). */
  classify?: (states: readonly number[]) => string;
}

/** The gridworlds the panel offers, keyed by the name shown in the env menu. */
export const GRID_ENVS: Record<string, GridEnvEntry> = {
  'TwoRoute-v0': { id: 'TwoRoute-v0', options: {}, gamma: TWO_ROUTE_GAMMA, defaultAlpha: TWO_ROUTE_ALPHA, reference: twoRouteReference, classify: classifyTwoRoute },
  'CliffWalking-v1': { id: 'CliffWalking-v1', options: { maxEpisodeSteps: 200 }, gamma: 0.99, defaultAlpha: 1 },
  'FrozenLake-v1': { id: 'FrozenLake-v1', options: {}, gamma: 0.99, defaultAlpha: 0.01 },
  'FrozenLake-v1-8x8': { id: 'FrozenLake-v1', options: { mapName: '8x8' }, gamma: 0.99, defaultAlpha: 0.005 },
};

export interface GridScene {
  env: GridWorld;
  prior: PriorName;
  /** The Objective's α (0 for `none`). */
  alpha: number;
  priorTable: Float64Array;
  /** What p is, e.g. `uniform(Discrete(4))` (also for `none`, whose α = 0 multiplies it). */
  priorLabel: string;
  V: Float64Array;
  pi: Float64Array;
  /** Expected visits per episode (exact). */
  visitation: Float64Array;
  /** Visit counts over the sampled rollouts (every state occupied, the final one included). */
  visits: Float64Array;
  /** State sequences of the first few rollouts (for the animated agent). */
  episodes: number[][];
  stats: GridStats;
}

export interface GridStats {
  rollouts: number;
  startValue: number;
  /** Visitation-weighted mean KL(π ‖ prior) (for `none`, the uniform prior its α = 0 multiplies). */
  klPrior: number;
  /** Visitation-weighted mean KL(π ‖ reference), NaN without a reference. */
  klReference: number;
  /** Visitation-weighted mean policy entropy (nats). */
  entropy: number;
  expectedLength: number;
  meanReturn: number;
  meanLength: number;
  successRate: number;
  /** Fraction of rollouts per route label (env classifier) or per end (goal / hazard / timeout). */
  outcomes: Record<string, number>;
  /** π(·|start) in the env's action order. */
  piStart: number[];
}

const ANIMATED_EPISODES = 24;

export function makeGridEnv(entry: GridEnvEntry): { env: Env; grid: GridWorld } {
  const env = make(entry.id, entry.options);
  return { env, grid: unwrapped(env) as GridWorld };
}

/**
 * The Objective the panel's prior menu and α slider describe on this env (the reference is the env's own
 * table; the env menu offers `reference` only where one exists). Its priors hold no tensor until a
 * learner asks for one, so a redraw that only reads tables allocates none.
 */
export function gridObjective(entry: GridEnvEntry, grid: GridWorld, prior: PriorName, alpha: number): Objective {
  const reference = entry.reference;
  if (prior === 'reference' && reference === undefined) throw new RangeError(`prior 'reference': ${entry.id} defines no reference policy (allowed: uniform, none)`);
  return makeObjective(objectiveSpecOf({ prior, alpha }), grid, { reference: () => ({ table: reference!(grid) }) });
}

/** The exact soft-optimal policy π* of an Objective on this env, its V and exact visitation. */
export function exactOptimum(entry: GridEnvEntry, grid: GridWorld, objective: Objective): { alpha: number; table: Float64Array; V: Float64Array; pi: Float64Array; visitation: Float64Array } {
  const { alpha, prior: table } = objective.tabular();
  const { V, pi } = softValueIteration(grid.model, { alpha, prior: table, gamma: entry.gamma });
  return { alpha, table, V, pi, visitation: stateVisitation(grid.model, pi) };
}

export function computeScene(entry: GridEnvEntry, objective: Objective, seed: number, rollouts: number): GridScene {
  const { env, grid } = makeGridEnv(entry);
  const model = grid.model;
  const nA = model.nActions;
  const { alpha: a, table, V, pi, visitation } = exactOptimum(entry, grid, objective);
  const reference = entry.reference?.(grid);

  const visits = new Float64Array(model.nStates);
  const episodes: number[][] = [];
  const outcomes: Record<string, number> = {};
  const agent = new Rng(`${seed}/agent`);
  let totalReturn = 0;
  let totalLength = 0;
  let successes = 0;
  for (let i = 0; i < rollouts; i++) {
    let s = (i === 0 ? env.reset({ seed }) : env.reset()).obs as number;
    const states = [s];
    let ret = 0;
    let end = 'timeout';
    for (;;) {
      const action = agent.categorical(pi.subarray(s * nA, s * nA + nA));
      const r = env.step(action);
      s = r.obs as number;
      states.push(s);
      ret += r.reward;
      if (r.terminated) {
        end = grid.cells[s].kind === 'goal' ? 'goal' : 'hazard';
        break;
      }
      if (r.truncated) break;
    }
    for (const st of states) visits[st] += 1;
    if (end === 'goal') successes++;
    const label = entry.classify ? entry.classify(states) : end;
    outcomes[label] = (outcomes[label] ?? 0) + 1 / rollouts;
    totalReturn += ret;
    totalLength += states.length - 1;
    if (episodes.length < ANIMATED_EPISODES) episodes.push(states);
  }
  const start = grid.startStates[0];
  const stats: GridStats = {
    rollouts,
    startValue: V[start],
    klPrior: weightedMean(visitation, (s) => klAt(pi, table, s, nA)),
    klReference: reference ? weightedMean(visitation, (s) => klAt(pi, reference, s, nA)) : NaN,
    entropy: weightedMean(visitation, (s) => entropyAt(pi, s, nA)),
    expectedLength: visitation.reduce((x, y) => x + y, 0),
    meanReturn: totalReturn / rollouts,
    meanLength: totalLength / rollouts,
    successRate: successes / rollouts,
    outcomes,
    piStart: Array.from(pi.subarray(start * nA, start * nA + nA)),
  };
  return { env: grid, prior: objective.spec.prior, alpha: a, priorTable: table, priorLabel: objective.prior.label, V, pi, visitation, visits, episodes, stats };
}
