/**
 * The one episode runner: any policy that acts on a batch of observations (a learner, a saved agent, a bare
 * SAC agent) runs `episodes` episodes in lockstep, one `act` call per time step for all the live ones. Every
 * evaluation, replay and `eval`/`enjoy` rollout in the project goes through it. Browser-safe.
 */
import type { Rng } from '../core/rng.js';
import type { Env, Observation } from '../envs/env.js';

/** How a policy acts: its mode (`deterministic: true`) or a sample drawn with `rng`. */
export type ActOptions = { deterministic: true } | { deterministic: false; rng: Rng };

/**
 * What the runner needs of a policy: actions for a batch, row-major `[n, actionWidth]`. A policy with memory
 * (a recurrent agent) also takes `begin(slot)` when an episode starts in a slot and, with each batch, the
 * slot of every row; a memoryless one ignores both.
 */
export interface BatchPolicy {
  /** Numbers per action: 1 for a Discrete space (the index), else the Box's dimension. */
  readonly actionWidth: number;
  /** Actions for a batch of observations, row-major `[n, actionWidth]`: the mode, or sampled with `opts.rng`. */
  act(obs: readonly Observation[], opts: ActOptions, slots?: readonly number[]): Float32Array;
  /** An episode starts in `slot` (before its first `act`). */
  begin?(slot: number): void;
}

/** One episode's outcome (and, with `record`, its trajectory). */
export interface EpisodeResult {
  return: number;
  length: number;
  terminated: boolean;
  /** The last step's reward and info (what success criteria read). */
  lastReward: number;
  info: Record<string, unknown>;
  /** With `record`: observations s_0 … s_T, the actions and the rewards. */
  trajectory?: { obs: number[][]; actions: number[][]; rewards: number[] };
}

/**
 * Longest episode: envs without a time limit (CliffWalking-v1) would loop forever under a deterministic
 * policy that never reaches the goal; such an episode is cut here, as if truncated.
 */
export const MAX_EPISODE_STEPS = 1000;

/** Options of `runEpisodes`: how to act, whether to record, a per-step observer. */
export interface EpisodeOptions {
  /** Deterministic (the mode) by default. */
  act?: ActOptions;
  /** Keep each episode's observations, actions and rewards. */
  record?: boolean;
  /** One env, the episodes one after another (only the first reset seeded); default: lockstep. */
  sequential?: boolean;
  /** Sees every live episode's observation before the policy acts (for KL / entropy statistics). */
  onStep?(live: Observation[]): void;
}

const toArray = (o: Observation): number[] => (typeof o === 'number' ? [o] : Array.from(o));

/**
 * `episodes` episodes of `policy`, each reset with a seed: drawn from `seeds` (all up front, in order), or
 * the given list's. With `opts.sequential` they run one after another on one env instead: the first reset is
 * seeded, the later ones continue the env's own stream (Gymnasium's `reset()` without a seed).
 */
export function runEpisodes(
  policy: BatchPolicy,
  makeEnv: () => Env,
  episodes: number,
  seeds: Rng | readonly number[],
  opts: EpisodeOptions = {},
): EpisodeResult[] {
  const steps = episodeSteps(policy, makeEnv, episodes, seeds, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * `runEpisodes` one time step at a time: yields the episodes so far after every step (a page draws between
 * steps, or stops early keeping what it has) and returns them at the end.
 */
export function* episodeSteps(
  policy: BatchPolicy,
  makeEnv: () => Env,
  episodes: number,
  seeds: Rng | readonly number[],
  opts: EpisodeOptions = {},
): Generator<readonly EpisodeResult[], EpisodeResult[]> {
  const seedOf = (i: number) => (Array.isArray(seeds) ? (seeds as readonly number[])[i] : (seeds as Rng).uint32());
  const fresh = (obs: Observation): EpisodeResult => ({
    return: 0,
    length: 0,
    terminated: false,
    lastReward: 0,
    info: {},
    ...(opts.record ? { trajectory: { obs: [toArray(obs)], actions: [], rewards: [] } } : {}),
  });
  const w = policy.actionWidth;
  const out: EpisodeResult[] = [];
  // Lockstep: every episode on its own env, one act per time step for all live ones. Sequential: one env.
  const envs = Array.from({ length: opts.sequential ? 1 : episodes }, makeEnv);
  const discrete = envs[0]?.actionSpace.kind === 'discrete';
  const obs: Observation[] = [];
  const start = (slot: number, ep: number) => {
    obs[slot] = envs[slot].reset(opts.sequential && ep > 0 ? {} : { seed: seedOf(ep) }).obs;
    out[ep] = fresh(obs[slot]);
    policy.begin?.(slot);
  };
  let live: { slot: number; ep: number }[] = [];
  let next = 0;
  for (; next < envs.length; next++) {
    start(next, next);
    live.push({ slot: next, ep: next });
  }
  const act = opts.act ?? { deterministic: true };
  // Plain loops, no typed-array view per step for a Discrete action: the gridworld view runs 5·10⁴ steps per frame.
  while (live.length > 0) {
    const batch: Observation[] = new Array(live.length);
    const slots: number[] = new Array(live.length);
    for (let k = 0; k < live.length; k++) {
      slots[k] = live[k].slot;
      batch[k] = obs[slots[k]];
    }
    opts.onStep?.(batch);
    const actions = policy.act(batch, act, slots);
    const still: typeof live = [];
    for (let k = 0; k < live.length; k++) {
      const { slot, ep } = live[k];
      const a = discrete ? actions[k * w] : actions.subarray(k * w, (k + 1) * w);
      const r = envs[slot].step(a);
      const e = out[ep];
      e.return += r.reward;
      e.length += 1;
      e.lastReward = r.reward;
      e.info = r.info;
      if (e.trajectory) {
        e.trajectory.actions.push(typeof a === 'number' ? [a] : Array.from(a));
        e.trajectory.rewards.push(r.reward);
        e.trajectory.obs.push(toArray(r.obs));
      }
      obs[slot] = r.obs;
      if (r.terminated) e.terminated = true;
      if (!(r.terminated || r.truncated || e.length >= MAX_EPISODE_STEPS)) still.push(live[k]);
      else if (next < episodes) {
        start(slot, next);
        still.push({ slot, ep: next++ });
      }
    }
    live = still;
    yield out;
  }
  envs.forEach((e) => e.close());
  return out;
}

/** Mean return of `episodes` deterministic episodes (`charts/eval_return`). */
export function meanReturn(
  policy: BatchPolicy,
  makeEnv: () => Env,
  episodes: number,
  seeds: Rng | readonly number[],
): number {
  return runEpisodes(policy, makeEnv, episodes, seeds).reduce((s, e) => s + e.return, 0) / episodes;
}

/** One recorded episode (the viewer's and the experiments' format, with the final step's info). */
export interface Rollout {
  /** Observations s_0 … s_T (the reset one and the one after every step). */
  obs: number[][];
  actions: number[][];
  rewards: number[];
  info: Record<string, unknown>;
  return: number;
}

/** `runEpisodes` with every trajectory kept. */
export function rollouts(
  policy: BatchPolicy,
  makeEnv: () => Env,
  episodes: number,
  seeds: Rng | readonly number[],
  act: ActOptions = { deterministic: true },
): Rollout[] {
  return runEpisodes(policy, makeEnv, episodes, seeds, { act, record: true }).map((e) => ({
    ...e.trajectory!,
    info: e.info,
    return: e.return,
  }));
}

/** A tabular policy π(a|s) (nS·nA row-major, the exact solver's layout) acting: its mode, or a draw of it. */
export function tablePolicy(
  pi: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> },
  nA: number,
): BatchPolicy {
  return {
    actionWidth: 1,
    act: (obs, opts) => {
      const out = new Float32Array(obs.length);
      for (let i = 0; i < obs.length; i++) {
        const s = Number(obs[i]);
        const row = pi.subarray(s * nA, s * nA + nA);
        if (!opts.deterministic) out[i] = opts.rng.categorical(row);
        else {
          let best = 0;
          for (let a = 1; a < nA; a++) if (row[a] > row[best]) best = a;
          out[i] = best;
        }
      }
      return out;
    },
  };
}
