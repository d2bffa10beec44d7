/**
 * `SyncVectorEnv`: n copies of an env stepped in lockstep in one thread.
 *
 * Autoreset convention (Gymnasium's "same-step" mode, as in gym ≤ 0.29 and SB3's VecEnv): when copy
 * i terminates or is truncated at a step, it is reset within that same step, so `obs[i]` is already
 * the FIRST observation of its next episode, while `rewards[i]`, `terminated[i]` and `truncated[i]`
 * belong to the step that ended the episode. The true last observation of the finished episode is
 * `infos[i].finalObs` (and its info `infos[i].finalInfo`): bootstrap from `finalObs` on truncation,
 * never on termination.
 *
 * Seeding: `reset({ seed })` seeds copy i with `seed + i` (Gymnasium's rule); later autoresets continue
 * each copy's own stream.
 */
import type { Space } from '../core/spaces.js';
import type { Action, Env, Info, Observation } from './env.js';

/** What `SyncVectorEnv.step` returns: one entry per copy. */
export interface VectorStepResult<O> {
  obs: O[];
  rewards: Float64Array;
  terminated: boolean[];
  truncated: boolean[];
  infos: Info[];
}

/** N copies of an env stepped together, auto-resetting (Gymnasium's `SyncVectorEnv`). */
export class SyncVectorEnv<O extends Observation = Observation, A extends Action = Action> {
  readonly envs: Env<O, A>[];
  readonly singleObservationSpace: Space;
  readonly singleActionSpace: Space;

  constructor(factories: ReadonlyArray<() => Env<O, A>>) {
    if (factories.length === 0) throw new RangeError('SyncVectorEnv: needs at least one env factory, got 0');
    this.envs = factories.map((f) => f());
    this.singleObservationSpace = this.envs[0].observationSpace;
    this.singleActionSpace = this.envs[0].actionSpace;
    this.envs.forEach((e, i) => {
      if (
        e.observationSpace.toString() !== this.singleObservationSpace.toString() ||
        e.actionSpace.toString() !== this.singleActionSpace.toString()
      ) {
        throw new RangeError(
          `SyncVectorEnv: env ${i} (${e.id}) has spaces ${e.observationSpace}/${e.actionSpace}, env 0 has ${this.singleObservationSpace}/${this.singleActionSpace}`,
        );
      }
    });
  }

  get numEnvs(): number {
    return this.envs.length;
  }

  /** Resets every copy (copy i with seed + i when a seed is given). */
  reset(opts: { seed?: number; options?: Record<string, unknown> } = {}): { obs: O[]; infos: Info[] } {
    const obs: O[] = [];
    const infos: Info[] = [];
    this.envs.forEach((e, i) => {
      const r = e.reset({ seed: opts.seed === undefined ? undefined : opts.seed + i, options: opts.options });
      obs.push(r.obs);
      infos.push(r.info);
    });
    return { obs, infos };
  }

  /** Steps every copy with its action; a finished copy resets and reports its final observation in info. */
  step(actions: ArrayLike<A>): VectorStepResult<O> {
    const n = this.envs.length;
    if (actions.length !== n)
      throw new RangeError(`SyncVectorEnv: expected ${n} actions (one per env), got ${actions.length}`);
    const obs: O[] = new Array(n);
    const rewards = new Float64Array(n);
    const terminated: boolean[] = new Array(n);
    const truncated: boolean[] = new Array(n);
    const infos: Info[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const r = this.envs[i].step(actions[i]);
      rewards[i] = r.reward;
      terminated[i] = r.terminated;
      truncated[i] = r.truncated;
      if (r.terminated || r.truncated) {
        const next = this.envs[i].reset();
        obs[i] = next.obs;
        infos[i] = { ...next.info, finalObs: r.obs, finalInfo: r.info };
      } else {
        obs[i] = r.obs;
        infos[i] = r.info;
      }
    }
    return { obs, rewards, terminated, truncated, infos };
  }

  /** Closes every copy. */
  close(): void {
    for (const e of this.envs) e.close();
  }
}
