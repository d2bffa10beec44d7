/**
 * Seeded randomness. One root seed per run, split into named, independent streams
 * (`env`, `agent`, `buffer`, `eval`, ...). Every stream is a `seedrandom` Alea generator whose full
 * state (including the cached second Box–Muller normal) can be saved and restored, so a resumed run
 * draws exactly the numbers an uninterrupted one would. `Math.random()` is never used.
 */
import seedrandom from 'seedrandom';

/** A seed: a number or a string (named streams derive string seeds from the root). */
export type Seed = number | string;

/** Serializable state of an `Rng`: the Alea state plus the spare normal deviate, if one is cached. */
export interface RngState {
  alea: object;
  spare: number | null;
}

interface AleaPrng {
  (): number;
  state(): object;
}

// The typings of seedrandom do not model restoring a saved state object; the runtime supports it.
const makeAlea = seedrandom.alea as unknown as (seed: string, opts: { state: true | object }) => AleaPrng;

/** A seeded random number generator (seedrandom); its state can be saved and restored exactly. */
export class Rng {
  private prng: AleaPrng;
  private spare: number | null = null;

  constructor(seed: Seed, state?: RngState) {
    this.prng = makeAlea(String(seed), { state: state ? state.alea : true });
    if (state) this.spare = state.spare;
  }

  /** Uniform on [0, 1). */
  uniform(): number {
    return this.prng();
  }

  /** Uniform on [low, high). */
  uniformRange(low: number, high: number): number {
    return low + (high - low) * this.prng();
  }

  /** Uniform integer in {0, ..., n-1}. */
  integer(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`integer(n): n must be a positive integer, got ${n}`);
    return Math.floor(this.prng() * n);
  }

  /** Standard normal by the polar Box–Muller method (the second deviate is cached). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.prng() - 1;
      v = 2 * this.prng() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return mean + std * u * f;
  }

  /** Index drawn with probability proportional to `weights` (need not be normalized). */
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i];
      if (!(w >= 0) || !Number.isFinite(w)) {
        throw new RangeError(`categorical(weights): weights[${i}] must be finite and non-negative, got ${w}`);
      }
      total += w;
    }
    if (!(total > 0)) {
      throw new RangeError(`categorical(weights): weights must be finite, non-negative and sum > 0 (sum=${total})`);
    }
    let u = this.prng() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    // Rounding can leave u ≥ 0 after the loop: return the last index with positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
    return weights.length - 1;
  }

  /** A 32-bit unsigned integer, e.g. to seed something else. */
  uint32(): number {
    return Math.floor(this.prng() * 4294967296) >>> 0;
  }

  /** The generator's state (JSON-serializable), for checkpoints. */
  getState(): RngState {
    return { alea: this.prng.state(), spare: this.spare };
  }

  /** Restores a state from `getState()`: the draws continue exactly. */
  setState(state: RngState): void {
    this.prng = makeAlea('', { state: state.alea });
    this.spare = state.spare;
  }
}

/**
 * Named independent streams derived from one root seed: `streams.get('env')` always returns the same
 * generator object for the same name; two names never share a sequence.
 */
export class RngStreams {
  private readonly byName = new Map<string, Rng>();
  constructor(readonly rootSeed: Seed) {}

  /** The stream `name` (made on first use from the root seed and the name). */
  get(name: string): Rng {
    let rng = this.byName.get(name);
    if (!rng) {
      rng = new Rng(`${this.rootSeed}/${name}`);
      this.byName.set(name, rng);
    }
    return rng;
  }

  /** Every stream's state by name, for checkpoints. */
  getState(): Record<string, RngState> {
    const out: Record<string, RngState> = {};
    for (const [name, rng] of this.byName) out[name] = rng.getState();
    return out;
  }

  /** Restores the streams from `getState()`. */
  setState(state: Record<string, RngState>): void {
    for (const [name, s] of Object.entries(state)) this.get(name).setState(s);
  }
}
