/**
 * Adam on host arrays, the same arithmetic as `adam.ts` (tfjs `adam` semantics, bias corrections folded into
 * the step size, optional global-norm clipping over all its parameters), for the tape's networks
 * (`tape.ts`). Its JSON is `AdamJson` with one moment array per parameter buffer, so a checkpoint moves
 * between this and the tfjs optimizer over the same buffers.
 */
import type { AdamConfig, AdamJson } from './adam.js';

export class HostAdam {
  lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly clipNorm: number;
  t = 0;
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];

  /** `params[i]` is updated with `grads[i]` (same lengths). */
  constructor(
    private readonly params: readonly Float32Array[],
    private readonly grads: readonly Float32Array[],
    cfg: AdamConfig,
  ) {
    const { lr, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, clipNorm = 0 } = cfg;
    if (!(lr >= 0) || !Number.isFinite(lr))
      throw new RangeError(`HostAdam.lr: expected a finite number ≥ 0, got ${lr}`);
    if (!(clipNorm >= 0)) throw new RangeError(`HostAdam.clipNorm: expected ≥ 0 (0 = off), got ${clipNorm}`);
    params.forEach((p, i) => {
      if (grads[i]?.length !== p.length)
        throw new RangeError(`HostAdam: grads[${i}] has ${grads[i]?.length} values, params[${i}] ${p.length}`);
    });
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.clipNorm = clipNorm;
    this.m = params.map((p) => new Float32Array(p.length));
    this.v = params.map((p) => new Float32Array(p.length));
  }

  /** The global L2 norm of the gradients (before clipping). */
  gradNorm(): number {
    let sq = 0;
    for (const g of this.grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
    return Math.sqrt(sq);
  }

  /** One step from the current gradients (which it leaves as they are). */
  step(): void {
    this.t += 1;
    const { beta1: b1, beta2: b2 } = this;
    const lrT = (this.lr * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    const epsHat = this.epsilon * Math.sqrt(1 - b2 ** this.t);
    const scale = this.clipNorm > 0 ? this.clipNorm / Math.max(this.gradNorm(), this.clipNorm) : 1;
    this.params.forEach((p, k) => {
      const g = this.grads[k];
      const m = this.m[k];
      const v = this.v[k];
      for (let i = 0; i < p.length; i++) {
        const gi = g[i] * scale;
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        p[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + epsHat);
      }
    });
  }

  toJSON(): AdamJson {
    return { t: this.t, m: this.m.map((x) => Array.from(x)), v: this.v.map((x) => Array.from(x)) };
  }

  fromJSON(s: AdamJson): void {
    const n = this.m.length;
    if (s?.m?.length !== n || s?.v?.length !== n)
      throw new RangeError(
        `HostAdam.fromJSON: expected moments for ${n} buffers, got m: ${s?.m?.length}, v: ${s?.v?.length}`,
      );
    s.m.forEach((x, i) => copyInto('m', i, x, this.m[i]));
    s.v.forEach((x, i) => copyInto('v', i, x, this.v[i]));
    this.t = s.t;
  }
}

function copyInto(field: string, i: number, from: ArrayLike<number>, to: Float32Array): void {
  if (from.length !== to.length)
    throw new RangeError(`HostAdam.fromJSON: ${field}[${i}] must have ${to.length} values, got ${from.length}`);
  to.set(from);
}
