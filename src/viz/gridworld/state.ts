/**
 * The Gridworld panel's state (no DOM): which env, prior, α, seed and view, the transitions the controls
 * call, and what the state implies (the exact scenes, cached per env where α does not enter).
 */
import type { GridWorld } from '../../envs/gridworld.js';
import { PRIOR_NAMES, type PriorName } from '../../priors/objective.js';
import type { ViewState } from '../state.js';
import {
  GRID_ENVS,
  alphaSweep,
  computeScene,
  gridObjective,
  makeGridEnv,
  type GridEnvEntry,
  type GridScene,
  type SweepPoint,
} from './compute.js';
import { valueRange } from './draw.js';

export const ROLLOUTS = 1000;

/** The env the "what to notice" presets show (the env built for the lesson). */
const PRESET_ENV = 'TwoRoute-v0';

export type GridMode = 'single' | 'compare';

export class GridPanelState {
  envName: string;
  prior: PriorName;
  alpha: number;
  seed: number;
  mode: GridMode;

  /** From the URL hash: an unknown env opens TwoRoute-v0 at its default α (unless the hash names α). */
  constructor(st: ViewState) {
    this.envName = GRID_ENVS[st.env] ? st.env : PRESET_ENV;
    this.prior = st.prior;
    this.alpha = 'alpha' in st.extra || st.env === this.envName ? st.alpha : GRID_ENVS[this.envName].defaultAlpha;
    this.seed = st.seed;
    this.mode = st.extra.mode === 'compare' ? 'compare' : 'single';
    this.keepPriorValid();
  }

  get entry(): GridEnvEntry {
    return GRID_ENVS[this.envName];
  }

  /** The priors this env supports (the reference prior only where the env has one). */
  priors(): PriorName[] {
    return PRIOR_NAMES.filter((p) => p !== 'reference' || this.entry.reference);
  }

  /** The priors on screen: every one side by side, else the chosen one. */
  shownPriors(): PriorName[] {
    return this.mode === 'compare' ? this.priors() : [this.prior];
  }

  /** Another env opens at its own default α; a prior it lacks falls back to uniform. */
  setEnv(name: string): void {
    this.envName = name;
    this.alpha = GRID_ENVS[name].defaultAlpha;
    this.keepPriorValid();
  }

  /** A preset's view: its prior and α on the preset env. */
  applyPreset(prior: PriorName, alpha: number): void {
    this.envName = PRESET_ENV;
    this.prior = prior;
    this.alpha = alpha;
  }

  /** A typed seed: negative or non-numeric input reads as 0. */
  setSeed(raw: string): void {
    this.seed = Math.max(0, Math.floor(Number(raw)) || 0);
  }

  /** What the URL hash records. */
  hashPatch(): { state: Pick<ViewState, 'env' | 'prior' | 'alpha' | 'seed'>; extra: { mode: GridMode } } {
    return {
      state: { env: this.envName, prior: this.prior, alpha: +this.alpha.toPrecision(4), seed: this.seed },
      extra: { mode: this.mode },
    };
  }

  private keepPriorValid(): void {
    if (!this.priors().includes(this.prior)) this.prior = 'uniform';
  }
}

/** What does not depend on α, kept per env: the env itself and the exact α sweep of each prior. */
export class GridSolutions {
  private readonly grids = new Map<string, GridWorld>();
  private readonly sweeps = new Map<string, SweepPoint[]>();

  grid(name: string): GridWorld {
    return this.grids.get(name) ?? this.grids.set(name, makeGridEnv(GRID_ENVS[name]).grid).get(name)!;
  }

  sweep(name: string, p: PriorName): SweepPoint[] {
    const key = `${name}/${p}`;
    return this.sweeps.get(key) ?? this.sweeps.set(key, alphaSweep(GRID_ENVS[name], this.grid(name), p)).get(key)!;
  }

  /** The value colour scale of an env: V's range over every prior and every α of the sweep, so it stays put as α moves. */
  valueScale(name: string, priors: readonly PriorName[]): [number, number] {
    const ranges = priors.flatMap((p) => this.sweep(name, p).map((pt) => valueRange(this.grid(name), pt.summary.V)));
    return [Math.min(...ranges.map((r) => r[0])), Math.max(...ranges.map((r) => r[1]))];
  }

  /** The exact optimum and its seeded rollouts for each prior on screen. */
  scenes(s: GridPanelState): GridScene[] {
    const grid = this.grid(s.envName);
    return s.shownPriors().map((p) => {
      const objective = gridObjective(s.entry, grid, p, s.alpha);
      try {
        return computeScene(s.entry, objective, s.seed, ROLLOUTS, grid);
      } finally {
        objective.dispose();
      }
    });
  }
}
