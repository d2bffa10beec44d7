/**
 * Adam (Kingma & Ba 2015) with tfjs's `tf.train.adam` semantics, fused for flat parameter buffers: one call
 * updates each variable with ~12 element-wise kernels however many layers it holds. Optional clipping of
 * the global gradient norm (over all variables of this optimizer). No host reads inside `step`: the step
 * count and bias corrections live on the host as plain numbers and enter as scalars.
 */
import * as tf from '@tensorflow/tfjs';

export interface AdamConfig {
  /** Learning rate. */
  lr: number;
  /** Decay of the first-moment estimate. */
  beta1?: number;
  /** Decay of the second-moment estimate. */
  beta2?: number;
  /** Added to √v̂ in the denominator. */
  epsilon?: number;
  /** Rescale gradients so their global L2 norm is at most this; 0 disables clipping. */
  clipNorm?: number;
}

/** Optimizer state on the host (for in-memory checkpoints). */
export interface AdamState {
  t: number;
  m: Float32Array[];
  v: Float32Array[];
}

/** `AdamState` as plain arrays: JSON-serializable (for checkpoints written to disk or JSON). */
export interface AdamJson {
  t: number;
  m: number[][];
  v: number[][];
}

export class Adam {
  private lrValue: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly clipNorm: number;
  /** Number of steps taken. */
  t = 0;
  private readonly m: tf.Variable[];
  private readonly v: tf.Variable[];

  constructor(
    readonly vars: readonly tf.Variable[],
    cfg: AdamConfig,
  ) {
    const { lr, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, clipNorm = 0 } = cfg;
    if (!(lr > 0)) throw new RangeError(`Adam.lr: expected > 0, got ${lr}`);
    if (!(beta1 >= 0 && beta1 < 1)) throw new RangeError(`Adam.beta1: expected in [0, 1), got ${beta1}`);
    if (!(beta2 >= 0 && beta2 < 1)) throw new RangeError(`Adam.beta2: expected in [0, 1), got ${beta2}`);
    if (!(epsilon > 0)) throw new RangeError(`Adam.epsilon: expected > 0, got ${epsilon}`);
    if (!(clipNorm >= 0)) throw new RangeError(`Adam.clipNorm: expected ≥ 0 (0 = off), got ${clipNorm}`);
    this.lrValue = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.clipNorm = clipNorm;
    this.m = vars.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.v = vars.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
  }

  /** Learning rate, read on every step: set it for a schedule (e.g. linear annealing down to 0). */
  get lr(): number {
    return this.lrValue;
  }

  set lr(value: number) {
    if (!(value >= 0) || !Number.isFinite(value))
      throw new RangeError(`Adam.lr: expected a finite number ≥ 0, got ${value}`);
    this.lrValue = value;
  }

  /** One Adam step with `grads[i]` the gradient of `vars[i]`. Call inside `tf.tidy`. */
  step(grads: readonly tf.Tensor[]): void {
    if (grads.length !== this.vars.length)
      throw new RangeError(`Adam.step: expected ${this.vars.length} gradients, got ${grads.length}`);
    tf.tidy(() => {
      this.t += 1;
      const { beta1: b1, beta2: b2 } = this;
      // Bias corrections folded into the step size: p −= lr·m̂/(√v̂ + ε) = lr_t·m/(√v + ε̂).
      const lrT = tf.scalar((this.lr * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t));
      const epsHat = tf.scalar(this.epsilon * Math.sqrt(1 - b2 ** this.t));
      let gs = grads;
      if (this.clipNorm > 0) {
        // g ← g · c / max(‖g‖₂, c), ‖g‖₂ over all variables of this optimizer.
        const sq = grads.map((g) => tf.sum(tf.square(g)));
        const norm = tf.sqrt(sq.length === 1 ? sq[0] : tf.addN(sq));
        const scale = tf.div(this.clipNorm, tf.maximum(norm, this.clipNorm));
        gs = grads.map((g) => tf.mul(g, scale));
      }
      gs.forEach((g, i) => {
        const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, 1 - b1)); // m ← β₁m + (1−β₁)g
        const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), 1 - b2)); // v ← β₂v + (1−β₂)g²
        this.vars[i].assign(tf.sub(this.vars[i], tf.div(tf.mul(m, lrT), tf.add(tf.sqrt(v), epsHat))));
        this.m[i].assign(m);
        this.v[i].assign(v);
      });
    });
  }

  /** Moments and step count, read back to the host (for checkpoints). */
  getState(): AdamState {
    return {
      t: this.t,
      m: this.m.map((x) => x.dataSync() as Float32Array),
      v: this.v.map((x) => x.dataSync() as Float32Array),
    };
  }

  /**
   * Restores moments given one array per variable, or (m and v each) one flat array of their concatenation:
   * the layout of a single flat parameter buffer (the fused networks, the SAC engine), so checkpoints move
   * between implementations.
   */
  setState(s: AdamState): void {
    const n = this.m.length;
    const split = (xs: Float32Array[]): Float32Array[] => {
      if (xs.length !== 1 || n === 1) return xs;
      const out: Float32Array[] = [];
      let off = 0;
      for (const x of this.m) {
        out.push(xs[0].subarray(off, off + x.size));
        off += x.size;
      }
      return off === xs[0].length ? out : xs;
    };
    s = { t: s.t, m: split(s.m), v: split(s.v) };
    if (s.m.length !== n || s.v.length !== this.v.length) {
      throw new RangeError(
        `Adam.setState: expected moments for ${n} variables (or one flat array of their sizes' sum), got m: ${s.m.length}, v: ${s.v.length}`,
      );
    }
    tf.tidy(() => {
      this.m.forEach((x, i) => x.assign(tf.tensor(checkLen('m', i, s.m[i], x.size), x.shape)));
      this.v.forEach((x, i) => x.assign(tf.tensor(checkLen('v', i, s.v[i], x.size), x.shape)));
    });
    this.t = s.t;
  }

  /** `getState()` as plain arrays (also what `JSON.stringify(adam)` writes). */
  toJSON(): AdamJson {
    const s = this.getState();
    return { t: s.t, m: s.m.map((x) => Array.from(x)), v: s.v.map((x) => Array.from(x)) };
  }

  /** Restores a state written by `toJSON()`. */
  fromJSON(s: AdamJson): void {
    this.setState({ t: s.t, m: s.m.map((x) => Float32Array.from(x)), v: s.v.map((x) => Float32Array.from(x)) });
  }

  dispose(): void {
    for (const x of [...this.m, ...this.v]) x.dispose();
  }
}

function checkLen(field: string, i: number, a: Float32Array, n: number): Float32Array {
  if (a.length !== n) throw new RangeError(`Adam.setState: ${field}[${i}] must have ${n} values, got ${a.length}`);
  return a;
}
