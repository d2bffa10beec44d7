/**
 * The environment contract, with Gymnasium's semantics:
 * - `reset({ seed })` re-seeds the env's own generator; `reset()` continues its stream.
 * - `step(a)` returns `terminated` (a true end of the MDP: do not bootstrap) separately from
 *   `truncated` (cut off by a time limit: bootstrap from `obs`, which is the true next observation).
 * - Calling `step` after an episode ended, without `reset`, is an error.
 */
import type { Rng, Seed } from '../core/rng.js';
import type { Space } from '../core/spaces.js';

/** Discrete envs observe an integer state; continuous envs a Float32Array (or Float64Array). */
export type Observation = number | Float32Array | Float64Array;
/** Discrete envs take an integer action; continuous envs an array of numbers. */
export type Action = number | ArrayLike<number>;
/** Extra per-step information an env returns (`info`). */
export type Info = Record<string, unknown>;

/** The argument of `reset`: a seed (re-seeds the env) and env-specific options. */
export interface ResetOptions {
  seed?: Seed;
  options?: Record<string, unknown>;
}

/** What `reset` returns: the first observation and `info`. */
export interface ResetResult<O = Observation> {
  obs: O;
  info: Info;
}

/** What `step` returns: observation, reward, `terminated` (a terminal state), `truncated` (a time limit), `info`. */
export interface StepResult<O = Observation> {
  obs: O;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: Info;
}

/** The environment contract (Gymnasium semantics): spaces, `reset({ seed })`, `step(a)`, `close()`. */
export interface Env<O extends Observation = Observation, A extends Action = Action> {
  /** Registry id, versioned like Gymnasium's (e.g. `Pendulum-v1`). */
  readonly id: string;
  readonly observationSpace: Space;
  readonly actionSpace: Space;
  /** The env's own generator, if it has one (Gymnasium's `np_random`); `checkEnv` inspects its state. */
  readonly rng?: Rng;
  /** Starts an episode: `seed` re-seeds the env, no seed continues its stream. */
  reset(opts?: ResetOptions): ResetResult<O>;
  /** Takes one action; `terminated` ends the episode in a terminal state, `truncated` by a limit. */
  step(action: A): StepResult<O>;
  /** Frees what the env holds; calling it twice is safe. */
  close(): void;
}

/** One outcome of taking action `a` in state `s` of a finite MDP. */
export interface Transition {
  prob: number;
  next: number;
  reward: number;
  terminated: boolean;
}

/**
 * The exact model of a finite MDP (Gymnasium's `env.P`): `P[s][a]` lists the outcomes with their
 * probabilities. Terminal states are absorbing (their value is 0).
 */
export interface TabularModel {
  readonly nStates: number;
  readonly nActions: number;
  readonly P: ReadonlyArray<ReadonlyArray<ReadonlyArray<Transition>>>;
  /** Distribution of the state after `reset()`. */
  readonly initialDistribution: Float64Array;
  /** States in which an episode has already ended (goal, hole, ...), if any. */
  readonly terminalStates: ReadonlySet<number>;
}

/** A finite-MDP env that exposes its exact model. */
export interface TabularEnv extends Env<number, number> {
  readonly model: TabularModel;
}

/** True when `env` exposes its exact finite-MDP model (`model`), as the exact solver needs. */
export function isTabular(env: Env): env is TabularEnv {
  return (env as Partial<TabularEnv>).model !== undefined;
}
