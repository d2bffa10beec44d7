/**
 * Everything the gridworld panel shows, computed without pixi or the DOM (so tests run it in Node):
 * the exact soft-optimal policy for an Objective (`src/agents/exact`), its exact visitation, KL and
 * entropy, and `rollouts` sampled episodes of the real env (`src/envs`) whose visit counts and outcomes
 * are the sampled statistics. Seeding uses common random numbers: for one seed, every prior sees the
 * same env stream and the same agent stream, so differences come from the policy alone.
 */
import { runEpisodes, tablePolicy } from '../../agents/episodes.js';
import { Rng } from '../../core/rng.js';
import { END_COLORS, ROUTE_COLORS } from '../palette.js';
import { entropyAt, klAt, softValueIteration, stateVisitation, weightedMean } from '../../agents/exact/index.js';
import type { GridWorld } from '../../envs/gridworld.js';
import { make, maxEpisodeStepsOf } from '../../envs/registry.js';
import {
  TWO_ROUTE_ALPHA,
  TWO_ROUTE_GAMMA,
  TWO_ROUTE_LEDGE,
  TWO_ROUTE_OUTCOMES,
  TWO_ROUTE_ROOM,
  classifyTwoRoute,
  twoRouteReference,
  type TwoRouteOutcome,
} from '../../envs/tworoute.js';
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
  /**
   * Named sets of cells drawn on the grid; with `classify`, an episode's label must depend only on which
   * of them it entered and on its final state (so the exact outcome shares can be computed, see `exactOutcomes`).
   */
  regions?: ReadonlyArray<{ name: string; cells: ReadonlySet<number> }>;
  /** Outcome labels in the order the bars stack them, each with the word shown for it. */
  outcomes: ReadonlyArray<{ key: string; name: string; color: number }>;
}

/** Episode ends of an env without a route classifier. */
const ENDS = (['goal', 'hazard', 'timeout'] as const).map((key) => ({ key, name: key, color: END_COLORS[key] }));

/** The gridworlds the panel offers, keyed by the name shown in the env menu. */
export const GRID_ENVS: Record<string, GridEnvEntry> = {
  'TwoRoute-v0': {
    id: 'TwoRoute-v0',
    options: {},
    gamma: TWO_ROUTE_GAMMA,
    defaultAlpha: TWO_ROUTE_ALPHA,
    reference: twoRouteReference,
    classify: classifyTwoRoute,
    regions: [
      { name: 'ledge', cells: TWO_ROUTE_LEDGE },
      { name: 'room', cells: TWO_ROUTE_ROOM },
    ],
    outcomes: TWO_ROUTE_OUTCOMES.map((key) => ({ key, name: key, color: ROUTE_COLORS[key] })),
  },
  'CliffWalking-v1': {
    id: 'CliffWalking-v1',
    options: { maxEpisodeSteps: 200 },
    gamma: 0.99,
    defaultAlpha: 1,
    outcomes: ENDS,
  },
  'FrozenLake-v1': { id: 'FrozenLake-v1', options: {}, gamma: 0.99, defaultAlpha: 0.01, outcomes: ENDS },
  'FrozenLake-v1-8x8': {
    id: 'FrozenLake-v1',
    options: { mapName: '8x8' },
    gamma: 0.99,
    defaultAlpha: 0.005,
    outcomes: ENDS,
  },
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
  /** Expected visits per episode before the time limit (exact). */
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
  /** Expected steps per episode (exact, within the time limit). */
  expectedLength: number;
  meanReturn: number;
  meanLength: number;
  successRate: number;
  /** Fraction of rollouts per route label (env classifier) or per end (goal / hazard / timeout). */
  outcomes: Record<string, number>;
  /** The same shares, exact (`exactEpisodes`). */
  exactOutcomes: Record<string, number>;
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
  if (prior === 'reference' && reference === undefined)
    throw new RangeError(`prior 'reference': ${entry.id} defines no reference policy (allowed: uniform, none)`);
  return makeObjective(objectiveSpecOf({ prior, alpha }), grid, { reference: () => ({ table: reference!(grid) }) });
}

/** The exact soft-optimal policy π* of an Objective on this env, its V and exact visitation. */
export function exactOptimum(
  entry: GridEnvEntry,
  grid: GridWorld,
  objective: Objective,
): { alpha: number; table: Float64Array; V: Float64Array; pi: Float64Array; visitation: Float64Array } {
  const { alpha, prior: table } = objective.tabular();
  const { V, pi } = softValueIteration(grid.model, { alpha, prior: table, gamma: entry.gamma });
  return { alpha, table, V, pi, visitation: stateVisitation(grid.model, pi) };
}

/** What the exact solver says about an Objective's π* on this env (one α), with the env's time limit. */
export interface ExactSummary {
  alpha: number;
  table: Float64Array;
  V: Float64Array;
  pi: Float64Array;
  /** Expected visits per episode, counting only the steps before the time limit. */
  visitation: Float64Array;
  expectedLength: number;
  /** Probability of each outcome label (`entry.outcomes` keys). */
  outcomes: Record<string, number>;
  /** Visitation-weighted mean KL(π ‖ prior) (for `none`, the uniform prior its α = 0 multiplies). */
  klPrior: number;
  /** Visitation-weighted mean KL(π ‖ reference), NaN without a reference. */
  klReference: number;
  /** Visitation-weighted mean policy entropy (nats). */
  entropy: number;
}

/**
 * The exact distribution of episodes under π, step by step up to the time limit, over (state, which
 * regions entered so far): the visits per state before the limit and the probability of each outcome
 * label. An episode ends on a terminating transition or after `maxEpisodeSteps` steps (timeout).
 */
export function exactEpisodes(
  entry: GridEnvEntry,
  grid: GridWorld,
  pi: Float64Array,
): { visitation: Float64Array; outcomes: Record<string, number> } {
  const { nStates: nS, nActions: nA, P, initialDistribution } = grid.model;
  const limit = maxEpisodeStepsOf(entry.id, entry.options);
  if (limit === undefined)
    throw new RangeError(`${entry.id}: the exact episode statistics need a time limit (maxEpisodeSteps)`);
  const regions = entry.regions ?? [];
  const nM = 1 << regions.length;
  const bits = new Uint8Array(nS);
  regions.forEach((r, i) => r.cells.forEach((s) => (bits[s] |= 1 << i)));
  // The classifier only sees which regions were entered and the final state, so one cell per region stands for the path.
  const reps = regions.map((r) => r.cells.values().next().value as number);
  const keys = entry.outcomes.map((o) => o.key);
  const labelOf = (mask: number, last: number, terminated: boolean): number => {
    const label = entry.classify
      ? entry.classify([...reps.filter((_, i) => (mask >> i) & 1), last])
      : terminated
        ? grid.cells[last].kind === 'goal'
          ? 'goal'
          : 'hazard'
        : 'timeout';
    const k = keys.indexOf(label);
    if (k < 0)
      throw new RangeError(`${entry.id}: outcome '${label}' is not among the listed outcomes (${keys.join(', ')})`);
    return k;
  };
  const labels = new Int16Array(2 * nM * nS);
  for (let t = 0; t < 2; t++)
    for (let m = 0; m < nM; m++) for (let s = 0; s < nS; s++) labels[(t * nM + m) * nS + s] = labelOf(m, s, t === 1);
  const out = new Float64Array(keys.length);
  const visitation = new Float64Array(nS);
  let d = new Float64Array(nS * nM);
  for (let s = 0; s < nS; s++) d[s * nM + bits[s]] += initialDistribution[s];
  for (let step = 0; step < limit; step++) {
    const nd = new Float64Array(nS * nM);
    for (let s = 0; s < nS; s++) {
      for (let m = 0; m < nM; m++) {
        const w = d[s * nM + m];
        if (w === 0) continue;
        visitation[s] += w;
        for (let a = 0; a < nA; a++) {
          const wa = w * pi[s * nA + a];
          if (wa === 0) continue;
          for (const tr of P[s][a]) {
            const m2 = m | bits[tr.next];
            if (tr.terminated) out[labels[(nM + m2) * nS + tr.next]] += wa * tr.prob;
            else nd[tr.next * nM + m2] += wa * tr.prob;
          }
        }
      }
    }
    d = nd;
  }
  for (let s = 0; s < nS; s++)
    for (let m = 0; m < nM; m++) if (d[s * nM + m] > 0) out[labels[m * nS + s]] += d[s * nM + m];
  return { visitation, outcomes: Object.fromEntries(keys.map((k, i) => [k, out[i]])) };
}

export function exactSummary(
  entry: GridEnvEntry,
  grid: GridWorld,
  objective: Objective,
  reference = entry.reference?.(grid),
): ExactSummary {
  const nA = grid.model.nActions;
  const { alpha, table, V, pi } = exactOptimum(entry, grid, objective);
  const { visitation, outcomes } = exactEpisodes(entry, grid, pi);
  return {
    alpha,
    table,
    V,
    pi,
    visitation,
    expectedLength: visitation.reduce((x, y) => x + y, 0),
    outcomes,
    klPrior: weightedMean(visitation, (s) => klAt(pi, table, s, nA)),
    klReference: reference ? weightedMean(visitation, (s) => klAt(pi, reference, s, nA)) : NaN,
    entropy: weightedMean(visitation, (s) => entropyAt(pi, s, nA)),
  };
}

/** The α grid of the sweep chart: 10^-3 … 10^1, ten points a decade. */
export const SWEEP_ALPHAS: readonly number[] = Array.from({ length: 41 }, (_, i) => 10 ** (-3 + i / 10));

export interface SweepPoint {
  /** The slider's α (the Objective's own α may differ: 0 for `none`). */
  alpha: number;
  summary: ExactSummary;
}

/** The exact summary of one prior at every α of `SWEEP_ALPHAS` (one solve per distinct Objective α). */
export function alphaSweep(entry: GridEnvEntry, grid: GridWorld, prior: PriorName): SweepPoint[] {
  const reference = entry.reference?.(grid);
  const solved = new Map<number, ExactSummary>();
  return SWEEP_ALPHAS.map((alpha) => {
    const objective = gridObjective(entry, grid, prior, alpha);
    try {
      let summary = solved.get(objective.alpha);
      if (!summary) solved.set(objective.alpha, (summary = exactSummary(entry, grid, objective, reference)));
      return { alpha, summary };
    } finally {
      objective.dispose();
    }
  });
}

export function computeScene(
  entry: GridEnvEntry,
  objective: Objective,
  seed: number,
  rollouts: number,
  grid = makeGridEnv(entry).grid,
): GridScene {
  const env = make(entry.id, entry.options);
  const model = grid.model;
  const nA = model.nActions;
  const exact = exactSummary(entry, grid, objective);
  const { pi } = exact;

  const visits = new Float64Array(model.nStates);
  const episodes: number[][] = [];
  const outcomes: Record<string, number> = Object.fromEntries(entry.outcomes.map((o) => [o.key, 0]));
  const act = { deterministic: false, rng: new Rng(`${seed}/agent`) } as const;
  const eps = runEpisodes(tablePolicy(pi, nA), () => env, rollouts, [seed], { sequential: true, record: true, act });
  let totalReturn = 0;
  let totalLength = 0;
  let successes = 0;
  for (const e of eps) {
    const states = e.trajectory!.obs.map((o) => o[0]);
    const s = states[states.length - 1];
    const end = e.terminated ? (grid.cells[s].kind === 'goal' ? 'goal' : 'hazard') : 'timeout';
    const ret = e.return;
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
    startValue: exact.V[start],
    klPrior: exact.klPrior,
    klReference: exact.klReference,
    entropy: exact.entropy,
    expectedLength: exact.expectedLength,
    meanReturn: totalReturn / rollouts,
    meanLength: totalLength / rollouts,
    successRate: successes / rollouts,
    outcomes,
    exactOutcomes: exact.outcomes,
    piStart: Array.from(pi.subarray(start * nA, start * nA + nA)),
  };
  return {
    env: grid,
    prior: objective.spec.prior,
    alpha: exact.alpha,
    priorTable: exact.table,
    priorLabel: objective.prior.label,
    V: exact.V,
    pi,
    visitation: exact.visitation,
    visits,
    episodes,
    stats,
  };
}
