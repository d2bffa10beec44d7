/**
 * The one episode runner: any policy that acts on a batch of observations (a learner, a saved agent, a bare
 * SAC agent) runs `episodes` episodes in lockstep, one `act` call per time step for all the live ones. Every
 * evaluation, replay and `eval`/`enjoy` rollout in the project goes through it. Browser-safe.
 */
import type { Rng } from '../core/rng.js';
import type { Env, Observation } from '../envs/env.js';

/** How a policy acts: its mode (`deterministic: true`) or a sample drawn with `rng`. */
export type ActOptions = { deterministic: true } | { deterministic: false; rng: Rng };

/** What the runner needs of a policy: actions for a batch, row-major `[n, actionWidth]`. */
export interface BatchPolicy {
  /** Numbers per action: 1 for a Discrete space (the index), else the Box's dimension. */
  readonly actionWidth: number;
  /** Actions for a batch of observations, row-major `[n, actionWidth]`: the mode, or sampled with `opts.rng`. */
  act(obs: readonly Observation[], opts: ActOptions): Float32Array;
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
  /** Sees every live episode's observation before the policy acts (for KL / entropy statistics). */
  onStep?(live: Observation[]): void;
}

const toArray = (o: Observation): number[] => (typeof o === 'number' ? [o] : Array.from(o));

/**
 * `episodes` episodes of `policy`, each reset with a seed: drawn from `seeds` (all up front, in order), or
 * the given list's.
 */
export function runEpisodes(
  policy: BatchPolicy,
  makeEnv: () => Env,
  episodes: number,
  seeds: Rng | readonly number[],
  opts: EpisodeOptions = {},
): EpisodeResult[] {
  const envs = Array.from({ length: episodes }, makeEnv);
  const seedOf = (i: number) => (Array.isArray(seeds) ? (seeds as readonly number[])[i] : (seeds as Rng).uint32());
  const obs = envs.map((e, i) => e.reset({ seed: seedOf(i) }).obs);
  const out: EpisodeResult[] = envs.map((_, i) => ({
    return: 0,
    length: 0,
    terminated: false,
    lastReward: 0,
    info: {},
    ...(opts.record ? { trajectory: { obs: [toArray(obs[i])], actions: [], rewards: [] } } : {}),
  }));
  let live = envs.map((_, i) => i);
  const w = policy.actionWidth;
  const discrete = envs[0]?.actionSpace.kind === 'discrete';
  while (live.length > 0) {
    const batch = live.map((i) => obs[i]);
    opts.onStep?.(batch);
    const actions = policy.act(batch, opts.act ?? { deterministic: true });
    live = live.filter((i, k) => {
      const a = actions.subarray(k * w, (k + 1) * w);
      const r = envs[i].step(discrete ? a[0] : a);
      const ep = out[i];
      ep.return += r.reward;
      ep.length += 1;
      ep.lastReward = r.reward;
      ep.info = r.info;
      ep.trajectory?.actions.push(Array.from(a));
      ep.trajectory?.rewards.push(r.reward);
      ep.trajectory?.obs.push(toArray(r.obs));
      obs[i] = r.obs;
      if (r.terminated) ep.terminated = true;
      return !(r.terminated || r.truncated || ep.length >= MAX_EPISODE_STEPS);
    });
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
