/**
 * The Inverse RL panel's state (no DOM): the env, prior, α, seed and N shown, and the setting they imply:
 * a demonstrator soft-optimal for the env reward, 10,000 seeded demonstrations, and the max-ent IRL fits
 * by N (cached, so the KL-vs-N curve fills in one fit at a time).
 */
import { softOptimalPrecise, type PreciseResult } from '../../agents/exact/index.js';
import {
  alignShaping,
  correlation,
  fitMaxEntIrl,
  gridCellFeatures,
  gridCellReward,
  MaxEntIrl,
  sampleDemonstrations,
  shapingDirection,
  visitedKl,
  type Demonstration,
} from '../../agents/irl/index.js';
import { Rng } from '../../core/rng.js';
import { makeCliffWalking } from '../../envs/cliffwalking.js';
import type { GridWorld } from '../../envs/gridworld.js';
import { makeTwoRoute, TWO_ROUTE_ALPHA, TWO_ROUTE_GAMMA, twoRouteReference } from '../../envs/tworoute.js';
import { makeObjective } from '../../priors/objective.js';
import { extraNumber, type ViewState } from '../state.js';

export const COUNTS = [10, 30, 100, 300, 1000, 3000, 10000] as const;
export const ENVS: Record<string, { make: () => GridWorld; alpha: number; reference: boolean }> = {
  'TwoRoute-v0': { make: () => makeTwoRoute(), alpha: TWO_ROUTE_ALPHA, reference: true },
  'CliffWalking-v1': { make: () => makeCliffWalking(), alpha: 1, reference: false },
};
const GAMMA = TWO_ROUTE_GAMMA;
export type IrlPrior = 'uniform' | 'reference';

export interface Fit {
  n: number;
  kl: number;
  featureGap: number;
  corr: number;
  rms: number;
  logLik: number;
  iterations: number;
  /** Recovered reward per cell, shaping aligned to the truth. */
  reward: Float64Array;
  entered: Set<number>;
  pi: Float64Array;
}

/** Everything for one (env, prior, α, seed): the demonstrator, 10,000 demonstrations, and fits by N. */
export interface Setting {
  grid: GridWorld;
  prior: Float64Array;
  alpha: number;
  demonstrator: PreciseResult;
  pool: Demonstration[];
  truth: Float64Array;
  fits: Map<number, Fit>;
}

export function makeSetting(envName: string, prior: IrlPrior, alpha: number, seed: number): Setting {
  const grid = ENVS[envName].make();
  const objective = makeObjective({ prior, alpha }, grid, {
    reference: () => ({ table: twoRouteReference(grid.model) }),
  });
  const { prior: table } = objective.tabular();
  objective.dispose();
  const demonstrator = softOptimalPrecise(grid.model, { alpha, gamma: GAMMA, prior: table });
  const pool = sampleDemonstrations(grid.model, demonstrator.pi, {
    count: COUNTS.at(-1)!,
    rng: new Rng(`irl/${seed}`),
    maxSteps: 200,
  });
  return { grid, prior: table, alpha, demonstrator, pool, truth: gridCellReward(grid), fits: new Map() };
}

export function fitAt(s: Setting, n: number): Fit {
  const cached = s.fits.get(n);
  if (cached) return cached;
  const model = s.grid.model;
  const irl = new MaxEntIrl({
    model,
    objective: { alpha: s.alpha, prior: s.prior },
    gamma: GAMMA,
    demonstrations: s.pool.slice(0, n),
    features: gridCellFeatures(s.grid),
  });
  const fit = fitMaxEntIrl(irl);
  const entered = irl.touchedFeatures();
  const { aligned } = alignShaping(fit.theta, s.truth, shapingDirection(model, GAMMA), entered);
  const rms = Math.sqrt(entered.reduce((acc, j) => acc + (aligned[j] - s.truth[j]) ** 2, 0) / entered.length);
  const out: Fit = {
    n,
    kl: visitedKl(model, s.demonstrator.logPi, fit.logPi),
    featureGap: fit.featureGap,
    corr: correlation(s.truth, aligned, entered),
    rms,
    logLik: fit.value,
    iterations: fit.optimizer.iterations,
    reward: aligned,
    entered: new Set(entered),
    pi: fit.pi,
  };
  s.fits.set(n, out);
  return out;
}

export class IrlPanelState {
  envName: string;
  prior: IrlPrior;
  alpha: number;
  seed: number;
  /** Index into `COUNTS` of the N shown. */
  countIndex: number;
  private built: Setting | null = null;

  /** From the URL hash: an unknown env opens TwoRoute-v0 at its own α; the prior none reads as uniform. */
  constructor(st: ViewState) {
    this.envName = ENVS[st.env] ? st.env : 'TwoRoute-v0';
    this.prior = st.prior === 'reference' && ENVS[this.envName].reference ? 'reference' : 'uniform';
    this.alpha = st.env === this.envName && st.alpha > 0 ? st.alpha : ENVS[this.envName].alpha;
    this.seed = st.seed;
    this.countIndex = Math.max(0, COUNTS.indexOf(extraNumber(st, 'n', 1000) as (typeof COUNTS)[number]));
  }

  get n(): (typeof COUNTS)[number] {
    return COUNTS[this.countIndex];
  }

  /** The priors the env has (none is not offered: at α = 0 the demonstrations have no likelihood). */
  priors(): readonly IrlPrior[] {
    return ENVS[this.envName].reference ? ['uniform', 'reference'] : ['uniform'];
  }

  /** Another env opens at its own α; without a reference policy the prior falls back to uniform. */
  setEnv(name: string): void {
    this.envName = name;
    this.alpha = ENVS[name].alpha;
    if (!ENVS[name].reference) this.prior = 'uniform';
  }

  /** The setting of the current env, prior, α and seed: built on first use after `forgetSetting`. */
  setting(): Setting {
    return (this.built ??= makeSetting(this.envName, this.prior, this.alpha, this.seed));
  }

  /** After a change of env, prior, α or seed: the next `setting()` builds anew. */
  forgetSetting(): void {
    this.built = null;
  }

  /** Whether `s` is still the setting shown (a background fit of an older one is dropped). */
  isCurrent(s: Setting): boolean {
    return s === this.built;
  }

  /** What the URL hash records. */
  hashPatch(): { state: Pick<ViewState, 'env' | 'prior' | 'alpha' | 'seed'>; extra: { n: string } } {
    return {
      state: { env: this.envName, prior: this.prior, alpha: +this.alpha.toPrecision(4), seed: this.seed },
      extra: { n: String(this.n) },
    };
  }
}

/** How often the demonstrations occupy each state (the final state of each included). */
export function visitCounts(grid: GridWorld, demos: readonly Demonstration[]): Float64Array {
  const v = new Float64Array(grid.model.nStates);
  for (const d of demos) for (const s of d.states) v[s] += 1;
  return v;
}
