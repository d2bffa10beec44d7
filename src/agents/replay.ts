/**
 * Preallocated ring replay buffer over typed arrays (Stable-Baselines3's `ReplayBuffer` shape): `obs`,
 * `action`, `reward`, `nextObs`, `terminated`. Time-limit truncation is not stored as an end: the caller
 * passes the TRUE final observation as `nextObs` and `terminated = false`, so the target bootstraps
 * through it; only `terminated` stops bootstrapping (`done` in a TD target is `terminated`, never
 * `terminated || truncated`). Discrete actions are stored as one number per step (`actionDim = 1`).
 */
import type { Rng } from '../core/rng.js';

export interface ReplayBatch {
  /** `[batch, obsDim]`, row-major. */
  obs: Float32Array;
  /** `[batch, actionDim]`. */
  action: Float32Array;
  reward: Float32Array;
  /** `[batch, obsDim]`: the observation after the step (the true final one on truncation). */
  nextObs: Float32Array;
  /** 1 where the episode truly ended (no bootstrapping), else 0. */
  terminated: Float32Array;
  batchSize: number;
}

/** Serializable contents of a buffer (for checkpoints); `setState` also accepts plain arrays (parsed JSON). */
export interface ReplayState<A extends ArrayLike<number> = Float32Array> {
  capacity: number;
  obsDim: number;
  actionDim: number;
  pos: number;
  size: number;
  obs: A;
  action: A;
  reward: A;
  nextObs: A;
  terminated: A;
}

export class ReplayBuffer {
  private obs: Float32Array;
  private action: Float32Array;
  private reward: Float32Array;
  private nextObs: Float32Array;
  private terminated: Float32Array;
  /** Next slot to write. */
  private pos = 0;
  /** Number of filled slots (≤ capacity). */
  size = 0;

  constructor(
    readonly capacity: number,
    readonly obsDim: number,
    readonly actionDim: number,
  ) {
    for (const [field, v] of [
      ['capacity', capacity],
      ['obsDim', obsDim],
      ['actionDim', actionDim],
    ] as const) {
      if (!Number.isInteger(v) || v <= 0)
        throw new RangeError(`ReplayBuffer.${field}: expected a positive integer, got ${v}`);
    }
    this.obs = new Float32Array(capacity * obsDim);
    this.action = new Float32Array(capacity * actionDim);
    this.reward = new Float32Array(capacity);
    this.nextObs = new Float32Array(capacity * obsDim);
    this.terminated = new Float32Array(capacity);
  }

  /** Stores one transition, overwriting the oldest once full. */
  add(
    obs: ArrayLike<number>,
    action: ArrayLike<number> | number,
    reward: number,
    nextObs: ArrayLike<number>,
    terminated: boolean,
  ): void {
    const act = typeof action === 'number' ? [action] : action;
    if (obs.length !== this.obsDim)
      throw new RangeError(`ReplayBuffer.add: obs has length ${obs.length}, expected ${this.obsDim}`);
    if (nextObs.length !== this.obsDim)
      throw new RangeError(`ReplayBuffer.add: nextObs has length ${nextObs.length}, expected ${this.obsDim}`);
    if (act.length !== this.actionDim)
      throw new RangeError(`ReplayBuffer.add: action has length ${act.length}, expected ${this.actionDim}`);
    const i = this.pos;
    this.obs.set(obs, i * this.obsDim);
    this.action.set(act, i * this.actionDim);
    this.reward[i] = reward;
    this.nextObs.set(nextObs, i * this.obsDim);
    this.terminated[i] = terminated ? 1 : 0;
    this.pos = (this.pos + 1) % this.capacity;
    this.size = Math.min(this.size + 1, this.capacity);
  }

  /** `batchSize` transitions drawn uniformly with replacement from the filled slots. */
  sample(batchSize: number, rng: Rng): ReplayBatch {
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new RangeError(`ReplayBuffer.sample: batchSize must be a positive integer, got ${batchSize}`);
    if (this.size === 0) throw new RangeError('ReplayBuffer.sample: the buffer is empty');
    const { obsDim: od, actionDim: ad } = this;
    const out: ReplayBatch = {
      obs: new Float32Array(batchSize * od),
      action: new Float32Array(batchSize * ad),
      reward: new Float32Array(batchSize),
      nextObs: new Float32Array(batchSize * od),
      terminated: new Float32Array(batchSize),
      batchSize,
    };
    for (let b = 0; b < batchSize; b++) {
      const i = rng.integer(this.size);
      out.obs.set(this.obs.subarray(i * od, (i + 1) * od), b * od);
      out.action.set(this.action.subarray(i * ad, (i + 1) * ad), b * ad);
      out.reward[b] = this.reward[i];
      out.nextObs.set(this.nextObs.subarray(i * od, (i + 1) * od), b * od);
      out.terminated[b] = this.terminated[i];
    }
    return out;
  }

  /** A copy of the filled part (the arrays are copies, safe to serialize). */
  getState(): ReplayState {
    const n = this.size;
    return {
      capacity: this.capacity,
      obsDim: this.obsDim,
      actionDim: this.actionDim,
      pos: this.pos,
      size: n,
      obs: this.obs.slice(0, n * this.obsDim),
      action: this.action.slice(0, n * this.actionDim),
      reward: this.reward.slice(0, n),
      nextObs: this.nextObs.slice(0, n * this.obsDim),
      terminated: this.terminated.slice(0, n),
    };
  }

  setState(s: ReplayState<ArrayLike<number>>): void {
    for (const field of ['capacity', 'obsDim', 'actionDim'] as const) {
      if (s[field] !== this[field])
        throw new RangeError(`ReplayBuffer.setState: ${field} is ${s[field]} in the saved state, ${this[field]} here`);
    }
    if (!(
      Number.isInteger(s.size) &&
      s.size >= 0 &&
      s.size <= this.capacity &&
      Number.isInteger(s.pos) &&
      s.pos >= 0 &&
      s.pos < this.capacity
    )) {
      throw new RangeError(
        `ReplayBuffer.setState: size ${s.size} / pos ${s.pos} out of range for capacity ${this.capacity}`,
      );
    }
    const n = s.size;
    const lens: [string, ArrayLike<number>, number][] = [
      ['obs', s.obs, n * this.obsDim],
      ['action', s.action, n * this.actionDim],
      ['reward', s.reward, n],
      ['nextObs', s.nextObs, n * this.obsDim],
      ['terminated', s.terminated, n],
    ];
    for (const [f, a, want] of lens) {
      if (a.length !== want)
        throw new RangeError(`ReplayBuffer.setState: ${f} has ${a.length} values, expected ${want} (size ${n})`);
    }
    this.obs.fill(0).set(s.obs);
    this.action.fill(0).set(s.action);
    this.reward.fill(0).set(s.reward);
    this.nextObs.fill(0).set(s.nextObs);
    this.terminated.fill(0).set(s.terminated);
    this.pos = s.pos;
    this.size = n;
  }
}
