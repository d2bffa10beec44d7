/**
 * Partial observability by hiding observation components. `ObservationSubset(env, keep, id)` shows only
 * the components `keep` of a Box observation; the full observation is still available, for evaluation
 * only, as `info.fullObs` on every `reset` and `step`. Registered use: `PendulumNoVel-v1` is `Pendulum-v1`
 * observed as `[cos θ, sin θ]` (the angular velocity θ̇ is hidden and must be inferred from the history,
 * e.g. by the RSSM's latent state).
 */
import { Box } from '../core/spaces.js';
import type { Action, Env, Info, ResetOptions, ResetResult, StepResult } from './env.js';

export class ObservationSubset<A extends Action = Action> implements Env<Float32Array, A> {
  readonly observationSpace: Box;

  constructor(
    readonly env: Env<Float32Array, A>,
    readonly keep: readonly number[],
    readonly id: string,
  ) {
    const space = env.observationSpace;
    if (space.kind !== 'box') throw new RangeError(`ObservationSubset(${env.id}): needs a Box observation space, got ${space}`);
    keep.forEach((k, i) => {
      if (!Number.isInteger(k) || k < 0 || k >= space.dim) {
        throw new RangeError(`ObservationSubset(${env.id}): keep[${i}] = ${k} is not an index in {0, ..., ${space.dim - 1}}`);
      }
    });
    if (keep.length === 0) throw new RangeError(`ObservationSubset(${env.id}): keep must list at least one component`);
    this.observationSpace = new Box(keep.map((k) => space.low[k]), keep.map((k) => space.high[k]), space.dtype);
  }

  get actionSpace() {
    return this.env.actionSpace;
  }

  private select(obs: Float32Array, info: Info): { obs: Float32Array; info: Info } {
    return { obs: Float32Array.from(this.keep, (k) => obs[k]), info: { ...info, fullObs: obs } };
  }

  reset(opts?: ResetOptions): ResetResult<Float32Array> {
    const r = this.env.reset(opts);
    return this.select(r.obs, r.info);
  }

  step(action: A): StepResult<Float32Array> {
    const r = this.env.step(action);
    return { ...r, ...this.select(r.obs, r.info) };
  }

  close(): void {
    this.env.close();
  }
}
