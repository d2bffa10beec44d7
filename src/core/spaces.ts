/**
 * Action and observation spaces with Gymnasium's meaning: `Discrete(n)` is {0, ..., n-1};
 * `Box(low, high)` is a bounded (or unbounded) 1-D vector space with a float dtype.
 */
import type { Rng } from './rng.js';

/** The element type of a `Box`'s values. */
export type Dtype = 'float32' | 'float64';

/** The integers `0 … n − 1` (Gymnasium's `Discrete(n)`). */
export class Discrete {
  readonly kind = 'discrete' as const;
  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Discrete: n must be a positive integer, got ${n}`);
  }
  /** A uniform element, drawn from `rng`. */
  sample(rng: Rng): number {
    return rng.integer(this.n);
  }
  /** True when `x` is an integer in 0 … n − 1. */
  contains(x: unknown): boolean {
    return typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < this.n;
  }
  /** `Discrete(n)`. */
  toString(): string {
    return `Discrete(${this.n})`;
  }
}

/** A box of real vectors `[low, high]` per dimension (Gymnasium's `Box`), bounded or not. */
export class Box {
  readonly kind = 'box' as const;
  readonly low: Float64Array;
  readonly high: Float64Array;
  readonly shape: readonly [number];

  constructor(
    low: ArrayLike<number>,
    high: ArrayLike<number>,
    readonly dtype: Dtype = 'float32',
  ) {
    if (low.length !== high.length || low.length === 0) {
      throw new RangeError(
        `Box: low and high must be non-empty and of equal length (got ${low.length}, ${high.length})`,
      );
    }
    this.low = Float64Array.from(low);
    this.high = Float64Array.from(high);
    for (let i = 0; i < this.low.length; i++) {
      if (!(this.low[i] <= this.high[i]))
        throw new RangeError(`Box: low[${i}]=${this.low[i]} > high[${i}]=${this.high[i]}`);
    }
    this.shape = [this.low.length];
  }

  get dim(): number {
    return this.shape[0];
  }

  /** True when every bound is finite (uniform sampling and a uniform prior exist). */
  get bounded(): boolean {
    return this.low.every(Number.isFinite) && this.high.every(Number.isFinite);
  }

  /** A uniform element in bounded dimensions (exponential or normal in unbounded ones), drawn from `rng`. */
  sample(rng: Rng): Float32Array | Float64Array {
    const out = this.dtype === 'float32' ? new Float32Array(this.dim) : new Float64Array(this.dim);
    for (let i = 0; i < this.dim; i++) {
      const lo = this.low[i];
      const hi = this.high[i];
      if (Number.isFinite(lo) && Number.isFinite(hi)) out[i] = rng.uniformRange(lo, hi);
      else if (Number.isFinite(lo)) out[i] = lo - Math.log(1 - rng.uniform());
      else if (Number.isFinite(hi)) out[i] = hi + Math.log(1 - rng.uniform());
      else out[i] = rng.normal();
    }
    return out;
  }

  /** True when `x` has the dimension and lies within the bounds. */
  contains(x: unknown): boolean {
    if (!isNumericArray(x) || x.length !== this.dim) return false;
    for (let i = 0; i < this.dim; i++) {
      const v = x[i];
      if (Number.isNaN(v) || v < this.low[i] || v > this.high[i]) return false;
    }
    return true;
  }

  /** `Box([low], [high], dtype)`. */
  toString(): string {
    return `Box(${fmt(this.low)}, ${fmt(this.high)}, ${this.dtype})`;
  }
}

/** An observation or action space: `Discrete` or `Box`. */
export type Space = Discrete | Box;

export function isNumericArray(x: unknown): x is ArrayLike<number> {
  return (
    x instanceof Float32Array ||
    x instanceof Float64Array ||
    (Array.isArray(x) && x.every((v) => typeof v === 'number'))
  );
}

function fmt(a: Float64Array): string {
  return `[${Array.from(a).join(', ')}]`;
}

/** log of a box's volume, Σ_d log(high_d − low_d) (float64, dimension by dimension). */
export function logVolume(low: ArrayLike<number>, high: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < low.length; i++) s += Math.log(high[i] - low[i]);
  return s;
}

/** log u of the uniform density over a space: −log n (Discrete) or −Σ_d log(high_d − low_d) (a bounded Box). */
export function uniformLogDensity(space: Space): number {
  return space.kind === 'discrete' ? -Math.log(space.n) : -logVolume(space.low, space.high);
}
