/**
 * Sequence data for the world model: episodes collected from any `Env` (random policy or a saved agent),
 * a sequence replay buffer that samples fixed-length windows, and the time-major `SequenceBatch` the RSSM
 * trains on.
 *
 * Time convention (as in PlaNet/Dreamer): step t of a sequence holds the observation o_t together with the
 * action a_{t−1} that LED to it and the reward r_{t−1} received on that transition. At the first step of
 * an episode there is no previous action: zeros and reward 0.
 */
import type { Rng } from '../core/rng.js';
import type { Env } from '../envs/env.js';

/** One episode: `obs` has `length + 1` rows (the reset observation first), `actions`/`rewards` `length`. */
export interface Episode {
  readonly obsDim: number;
  readonly actDim: number;
  readonly length: number;
  /** `(length + 1) × obsDim`, row-major. */
  readonly obs: Float32Array;
  /** `length × actDim`: actions[i] was taken after obs[i]. */
  readonly actions: Float32Array;
  /** `length`: rewards[i] was received for actions[i]. */
  readonly rewards: Float32Array;
  /** Optional evaluation-only state per observation (`info.fullObs`, e.g. the hidden θ̇), `(length + 1) × truthDim`. */
  readonly truth?: Float32Array;
  readonly truthDim?: number;
}

/**
 * A batch of B windows of length T, time-major: `obs[(t·B + b)·obsDim + i]`. `prevActions[t]` and
 * `rewards[t]` are the action and reward that led to `obs[t]`.
 */
export interface SequenceBatch {
  readonly T: number;
  readonly B: number;
  readonly obsDim: number;
  readonly actDim: number;
  readonly obs: Float32Array;
  readonly prevActions: Float32Array;
  readonly rewards: Float32Array;
  /** Present when every episode carried `truth`: `(T·B) × truthDim`. */
  readonly truth?: Float32Array;
  readonly truthDim?: number;
}

/** A policy for collection: maps an observation to an action (Box envs). */
export type CollectPolicy = (obs: Float32Array, rng: Rng) => ArrayLike<number>;

/** Uniform random actions in the env's Box action space. */
export function randomPolicy(env: Env): CollectPolicy {
  const space = env.actionSpace;
  if (space.kind !== 'box') throw new RangeError(`randomPolicy(${env.id}): needs a Box action space, got ${space}`);
  return (_obs, rng) => space.sample(rng);
}

/**
 * Runs `episodes` episodes of at most `maxSteps` steps each. The env is seeded once with `seed` (then its
 * own stream continues); the policy draws from `rng`.
 */
export function collectEpisodes(
  env: Env,
  policy: CollectPolicy,
  opts: { episodes: number; maxSteps: number; seed: number; rng: Rng },
): Episode[] {
  const { observationSpace: os, actionSpace: as } = env;
  if (os.kind !== 'box' || as.kind !== 'box')
    throw new RangeError(
      `collectEpisodes(${env.id}): needs Box observation and action spaces, got observationSpace ${os}, actionSpace ${as}`,
    );
  const out: Episode[] = [];
  for (let e = 0; e < opts.episodes; e++) {
    const first = env.reset(e === 0 ? { seed: opts.seed } : {});
    const obs: number[] = Array.from(first.obs as Float32Array);
    const truthRows: ArrayLike<number>[] = [];
    if (first.info.fullObs !== undefined) truthRows.push(first.info.fullObs as ArrayLike<number>);
    const actions: number[] = [];
    const rewards: number[] = [];
    let o = first.obs as Float32Array;
    for (let t = 0; t < opts.maxSteps; t++) {
      const a = policy(o, opts.rng);
      const r = env.step(a);
      actions.push(...Array.from(a));
      rewards.push(r.reward);
      o = r.obs as Float32Array;
      obs.push(...Array.from(o));
      if (r.info.fullObs !== undefined) truthRows.push(r.info.fullObs as ArrayLike<number>);
      if (r.terminated || r.truncated) break;
    }
    const length = rewards.length;
    const truthDim = truthRows.length === length + 1 ? truthRows[0].length : undefined;
    out.push({
      obsDim: os.dim,
      actDim: as.dim,
      length,
      obs: Float32Array.from(obs),
      actions: Float32Array.from(actions),
      rewards: Float32Array.from(rewards),
      ...(truthDim !== undefined
        ? { truth: Float32Array.from(truthRows.flatMap((r) => Array.from(r))), truthDim }
        : {}),
    });
  }
  return out;
}

/** Checks an episode's array sizes; errors name the field, the size and the expected one. */
export function checkEpisode(ep: Episode, where = 'episode'): void {
  const expect = (field: string, got: number, want: number) => {
    if (got !== want)
      throw new RangeError(
        `${where}.${field}: has ${got} values, expected ${want} (length=${ep.length}, obsDim=${ep.obsDim}, actDim=${ep.actDim})`,
      );
  };
  if (!Number.isInteger(ep.length) || ep.length < 1)
    throw new RangeError(`${where}.length: must be a positive integer, got ${ep.length}`);
  expect('obs', ep.obs.length, (ep.length + 1) * ep.obsDim);
  expect('actions', ep.actions.length, ep.length * ep.actDim);
  expect('rewards', ep.rewards.length, ep.length);
  if (ep.truth !== undefined) expect('truth', ep.truth.length, (ep.length + 1) * (ep.truthDim ?? 0));
}

/**
 * Builds a batch from windows `(episode, start)`: step t of window b is observation `start + t` of its
 * episode, with the action/reward that led to it (zeros before the episode's first observation).
 */
export function windowsToBatch(
  episodes: readonly Episode[],
  windows: ReadonlyArray<{ episode: number; start: number }>,
  T: number,
): SequenceBatch {
  if (windows.length === 0) throw new RangeError('windowsToBatch: windows is empty');
  windows.forEach((w, b) => {
    if (episodes[w.episode] === undefined)
      throw new RangeError(
        `windowsToBatch: windows[${b}].episode = ${w.episode} is not an episode index (have ${episodes.length})`,
      );
  });
  const first = episodes[windows[0].episode];
  const { obsDim, actDim } = first;
  const B = windows.length;
  const truthDim = windows.every((w) => episodes[w.episode].truth !== undefined) ? first.truthDim : undefined;
  const obs = new Float32Array(T * B * obsDim);
  const prevActions = new Float32Array(T * B * actDim);
  const rewards = new Float32Array(T * B);
  const truth = truthDim !== undefined ? new Float32Array(T * B * truthDim) : undefined;
  windows.forEach((w, b) => {
    const ep = episodes[w.episode];
    if (ep.obsDim !== obsDim || ep.actDim !== actDim) {
      throw new RangeError(
        `windowsToBatch: episode ${w.episode} has obsDim=${ep.obsDim}, actDim=${ep.actDim}; expected ${obsDim}, ${actDim} like the first window`,
      );
    }
    if (!Number.isInteger(w.start) || w.start < 0 || w.start + T > ep.length + 1) {
      throw new RangeError(
        `windowsToBatch: windows[${b}].start = ${w.start} does not fit T=${T} in an episode of ${ep.length + 1} observations`,
      );
    }
    for (let t = 0; t < T; t++) {
      const k = w.start + t;
      const row = t * B + b;
      obs.set(ep.obs.subarray(k * obsDim, (k + 1) * obsDim), row * obsDim);
      if (k > 0) {
        prevActions.set(ep.actions.subarray((k - 1) * actDim, k * actDim), row * actDim);
        rewards[row] = ep.rewards[k - 1];
      }
      if (truth && ep.truth && truthDim !== undefined)
        truth.set(ep.truth.subarray(k * truthDim, (k + 1) * truthDim), row * truthDim);
    }
  });
  return { T, B, obsDim, actDim, obs, prevActions, rewards, ...(truth ? { truth, truthDim } : {}) };
}

/** Stores whole episodes (oldest dropped beyond `capacity` steps) and samples uniform windows. */
export class SequenceReplayBuffer {
  private readonly episodes: Episode[] = [];
  private steps = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`SequenceReplayBuffer.capacity: must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.steps;
  }

  get numEpisodes(): number {
    return this.episodes.length;
  }

  /** Adds an episode (checked). */
  add(ep: Episode): void {
    checkEpisode(ep, 'SequenceReplayBuffer.add: episode');
    const ref = this.episodes[0];
    if (ref && (ref.obsDim !== ep.obsDim || ref.actDim !== ep.actDim)) {
      throw new RangeError(
        `SequenceReplayBuffer.add: episode has obsDim=${ep.obsDim}, actDim=${ep.actDim}; the buffer holds ${ref.obsDim}, ${ref.actDim}`,
      );
    }
    this.episodes.push(ep);
    this.steps += ep.length;
    while (this.steps > this.capacity && this.episodes.length > 1) this.steps -= this.episodes.shift()!.length;
  }

  /** Forgets every episode (before a checkpoint's are added back). */
  clear(): void {
    this.episodes.length = 0;
    this.steps = 0;
  }

  /** The stored episodes, oldest first (a checkpoint's). */
  held(): readonly Episode[] {
    return this.episodes;
  }

  /** B windows of T observations, each from a uniformly chosen episode long enough, at a uniform start. */
  sample(B: number, T: number, rng: Rng): SequenceBatch {
    const eligible = this.episodes.map((ep, i) => (ep.length + 1 >= T ? i : -1)).filter((i) => i >= 0);
    if (eligible.length === 0)
      throw new RangeError(
        `SequenceReplayBuffer.sample: no stored episode has ${T} observations (T too long or buffer empty)`,
      );
    const windows = Array.from({ length: B }, () => {
      const episode = eligible[rng.integer(eligible.length)];
      return { episode, start: rng.integer(this.episodes[episode].length + 2 - T) };
    });
    return windowsToBatch(this.episodes, windows, T);
  }
}
