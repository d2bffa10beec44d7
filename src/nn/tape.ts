/**
 * Reverse-mode automatic differentiation on the host, over row-major `Float32Array` matrices: the fast path
 * of the world-model agent (`src/agents/dreamer`). Why not tfjs: an RSSM update unrolls a GRU over T steps
 * and imagines H more, ~40 small ops a step; tfjs's ~8 µs of JavaScript per kernel (wasm backend) costs more
 * than the arithmetic at these sizes (`npm run bench -- dreamer` measures both). Here an op is a plain loop
 * over typed arrays, its backward a closure on the tape.
 *
 * - A `Node` holds a value `[rows, cols]` and, when something it depends on is trainable, a gradient.
 * - Parameters are `Net`s: an MLP's flat weights in `src/nn/mlp.ts`'s layout (per layer W `in × out`, then b),
 *   with a gradient buffer of the same layout, or none (frozen: the net still passes gradients to its input).
 * - Ops whose inputs need no gradient record no backward step: a forward-only pass (acting, targets) costs
 *   the arithmetic alone.
 * - `backward(loss)` seeds ∂loss/∂loss = 1 on a `[1, 1]` node and runs the steps in reverse; gradients add
 *   into the nets' buffers (zero them between updates: `Net.zeroGrad`).
 *
 * Dense layers run on `kernels.ts` (WebAssembly SIMD products) once loaded, else on the loops below.
 * Values are float32 (each op's result is stored in a Float32Array), as tfjs's, so the dual-path tests compare
 * to float32 tolerance. The fused ops (`gru`, `gaussianHead`, `klDiag`, `tanhGaussian`) carry the math of the
 * models that use them, written once here with their derivatives.
 */
import { tapeKernels } from './kernels.js';

/** A matrix on the tape: its value and, if it needs one, its gradient (allocated on first use). */
export class Node {
  private g: Float32Array | null = null;
  constructor(
    readonly value: Float32Array,
    readonly rows: number,
    readonly cols: number,
    readonly needsGrad: boolean,
  ) {}

  /** ∂loss/∂value, allocated (zeros) on first use. */
  get grad(): Float32Array {
    return (this.g ??= new Float32Array(this.value.length));
  }

  /** The value as a number (a `[1, 1]` node). */
  get scalar(): number {
    return this.value[0];
  }
}

/** An MLP's parameters in `mlp.ts`'s flat layout, with its gradient buffer (null: frozen). */
export interface Net {
  readonly sizes: readonly number[];
  readonly activation: 'relu' | 'tanh';
  readonly weights: Float32Array;
  readonly grad: Float32Array | null;
}

/** A trainable net: weights and a gradient buffer of the same layout. */
export function trainableNet(
  sizes: readonly number[],
  weights: Float32Array,
  activation: 'relu' | 'tanh' = 'relu',
): Net {
  return { sizes, activation, weights, grad: new Float32Array(weights.length) };
}

/** The same weights, frozen: gradients flow through to the input, none into the weights. */
export function frozen(net: Net): Net {
  return { ...net, grad: null };
}

/** Number of parameters of an MLP with these widths. */
export function netSize(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 0; l + 1 < sizes.length; l++) n += (sizes[l] + 1) * sizes[l + 1];
  return n;
}

export type Act = 'relu' | 'tanh' | 'linear';

const softplus = (x: number) => (x > 20 ? x : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const LOG_2PI = Math.log(2 * Math.PI);

export class Tape {
  private readonly steps: (() => void)[] = [];

  /** A constant (no gradient): data, targets, noise. */
  constant(value: Float32Array, rows: number, cols: number): Node {
    if (value.length !== rows * cols)
      throw new RangeError(`Tape.constant: ${value.length} values, expected rows·cols = ${rows}·${cols}`);
    return new Node(value, rows, cols, false);
  }

  /** A leaf whose gradient is wanted (a test's input). */
  variable(value: Float32Array, rows: number, cols: number): Node {
    return new Node(value, rows, cols, true);
  }

  /** The value of `x` as a constant: gradients stop here. */
  detach(x: Node): Node {
    return new Node(x.value, x.rows, x.cols, false);
  }

  private out(rows: number, cols: number, needsGrad: boolean): Node {
    return new Node(new Float32Array(rows * cols), rows, cols, needsGrad);
  }

  private record(node: Node, step: () => void): Node {
    if (node.needsGrad) this.steps.push(step);
    return node;
  }

  /** Runs the backward steps from `loss` (`[1, 1]`), once. */
  backward(loss: Node): void {
    if (loss.value.length !== 1)
      throw new RangeError(`Tape.backward: loss must be [1, 1], got [${loss.rows}, ${loss.cols}]`);
    loss.grad[0] += 1;
    for (let i = this.steps.length - 1; i >= 0; i--) this.steps[i]();
    this.steps.length = 0;
  }

  // ───────────────────────────────────────────────────────────────────── networks
  /** One layer: act(x W + b), W and b at `off` in `net`'s flat layout. */
  private dense(x: Node, net: Net, off: number, inDim: number, outDim: number, act: Act): Node {
    if (x.cols !== inDim) throw new RangeError(`Tape.dense: input has ${x.cols} columns, the layer takes ${inDim}`);
    const n = x.rows;
    const W = net.weights;
    const bOff = off + inDim * outDim;
    const y = this.out(n, outDim, x.needsGrad || net.grad !== null);
    const xv = x.value;
    const yv = y.value;
    const kernels = tapeKernels();
    const Wl = W.subarray(off, bOff);
    if (kernels) {
      kernels.forward(xv, n, inDim, Wl, W.subarray(bOff, bOff + outDim), outDim, yv, act === 'relu');
      if (act === 'tanh') for (let i = 0; i < yv.length; i++) yv[i] = Math.tanh(yv[i]);
    } else
      for (let i = 0; i < n; i++) {
        const yr = i * outDim;
        for (let j = 0; j < outDim; j++) yv[yr + j] = W[bOff + j];
        const xr = i * inDim;
        for (let k = 0; k < inDim; k++) {
          const a = xv[xr + k];
          if (a === 0) continue;
          const wr = off + k * outDim;
          for (let j = 0; j < outDim; j++) yv[yr + j] += a * W[wr + j];
        }
        if (act === 'relu') for (let j = 0; j < outDim; j++) yv[yr + j] = yv[yr + j] > 0 ? yv[yr + j] : 0;
        else if (act === 'tanh') for (let j = 0; j < outDim; j++) yv[yr + j] = Math.tanh(yv[yr + j]);
      }
    return this.record(y, () => {
      const dy = y.grad;
      const dz = act === 'linear' ? dy : new Float32Array(dy.length);
      if (act === 'relu') for (let i = 0; i < dz.length; i++) dz[i] = yv[i] > 0 ? dy[i] : 0;
      else if (act === 'tanh') for (let i = 0; i < dz.length; i++) dz[i] = dy[i] * (1 - yv[i] * yv[i]);
      const G = net.grad;
      if (kernels) {
        const dW = G && G.subarray(off, bOff);
        kernels.backward(
          xv,
          n,
          inDim,
          Wl,
          outDim,
          dz,
          x.needsGrad ? x.grad : null,
          dW,
          G && G.subarray(bOff, bOff + outDim),
        );
        return;
      }
      if (G !== null) {
        for (let i = 0; i < n; i++) {
          const zr = i * outDim;
          for (let j = 0; j < outDim; j++) G[bOff + j] += dz[zr + j];
          const xr = i * inDim;
          for (let k = 0; k < inDim; k++) {
            const a = xv[xr + k];
            if (a === 0) continue;
            const gr = off + k * outDim;
            for (let j = 0; j < outDim; j++) G[gr + j] += a * dz[zr + j];
          }
        }
      }
      if (x.needsGrad) {
        const dx = x.grad;
        for (let i = 0; i < n; i++) {
          const zr = i * outDim;
          const xr = i * inDim;
          for (let k = 0; k < inDim; k++) {
            const wr = off + k * outDim;
            let s = 0;
            for (let j = 0; j < outDim; j++) s += dz[zr + j] * W[wr + j];
            dx[xr + k] += s;
          }
        }
      }
    });
  }

  /** The MLP `net` on `x` `[n, in]` → `[n, out]`: its activation after every hidden layer, a linear output. */
  mlp(x: Node, net: Net): Node {
    let h = x;
    let off = 0;
    const L = net.sizes.length - 1;
    for (let l = 0; l < L; l++) {
      const [i, o] = [net.sizes[l], net.sizes[l + 1]];
      h = this.dense(h, net, off, i, o, l < L - 1 ? net.activation : 'linear');
      off += (i + 1) * o;
    }
    return h;
  }

  // ───────────────────────────────────────────────────────────────────── shapes
  /** Columns side by side: `[n, Σ cols]`. */
  concat(parts: readonly Node[]): Node {
    const n = parts[0].rows;
    for (const p of parts) if (p.rows !== n) throw new RangeError(`Tape.concat: rows ${p.rows} ≠ ${n}`);
    const cols = parts.reduce((s, p) => s + p.cols, 0);
    const y = this.out(
      n,
      cols,
      parts.some((p) => p.needsGrad),
    );
    let c0 = 0;
    for (const p of parts) {
      for (let i = 0; i < n; i++) y.value.set(p.value.subarray(i * p.cols, (i + 1) * p.cols), i * cols + c0);
      c0 += p.cols;
    }
    return this.record(y, () => {
      let c = 0;
      for (const p of parts) {
        if (p.needsGrad) {
          const g = p.grad;
          const dy = y.grad;
          for (let i = 0; i < n; i++) for (let j = 0; j < p.cols; j++) g[i * p.cols + j] += dy[i * cols + c + j];
        }
        c += p.cols;
      }
    });
  }

  /** Columns `[c0, c1)` of `x`. */
  columns(x: Node, c0: number, c1: number): Node {
    const n = x.rows;
    const w = c1 - c0;
    const y = this.out(n, w, x.needsGrad);
    for (let i = 0; i < n; i++) y.value.set(x.value.subarray(i * x.cols + c0, i * x.cols + c1), i * w);
    return this.record(y, () => {
      const g = x.grad;
      const dy = y.grad;
      for (let i = 0; i < n; i++) for (let j = 0; j < w; j++) g[i * x.cols + c0 + j] += dy[i * w + j];
    });
  }

  /** Rows stacked: `[Σ rows, cols]`. */
  stack(parts: readonly Node[]): Node {
    const cols = parts[0].cols;
    for (const p of parts) if (p.cols !== cols) throw new RangeError(`Tape.stack: cols ${p.cols} ≠ ${cols}`);
    const rows = parts.reduce((s, p) => s + p.rows, 0);
    const y = this.out(
      rows,
      cols,
      parts.some((p) => p.needsGrad),
    );
    let off = 0;
    for (const p of parts) {
      y.value.set(p.value, off);
      off += p.value.length;
    }
    return this.record(y, () => {
      let o = 0;
      for (const p of parts) {
        if (p.needsGrad) {
          const g = p.grad;
          const dy = y.grad;
          for (let i = 0; i < g.length; i++) g[i] += dy[o + i];
        }
        o += p.value.length;
      }
    });
  }

  // ───────────────────────────────────────────────────────────────────── element-wise
  /** a + b (same shape), or a + c·b with `c`. */
  add(a: Node, b: Node, c = 1): Node {
    sameShape('add', a, b);
    const y = this.out(a.rows, a.cols, a.needsGrad || b.needsGrad);
    for (let i = 0; i < y.value.length; i++) y.value[i] = a.value[i] + c * b.value[i];
    return this.record(y, () => {
      const dy = y.grad;
      if (a.needsGrad) for (let i = 0; i < dy.length; i++) a.grad[i] += dy[i];
      if (b.needsGrad) for (let i = 0; i < dy.length; i++) b.grad[i] += c * dy[i];
    });
  }

  /** a ⊙ b (same shape). */
  mul(a: Node, b: Node): Node {
    sameShape('mul', a, b);
    const y = this.out(a.rows, a.cols, a.needsGrad || b.needsGrad);
    for (let i = 0; i < y.value.length; i++) y.value[i] = a.value[i] * b.value[i];
    return this.record(y, () => {
      const dy = y.grad;
      if (a.needsGrad) for (let i = 0; i < dy.length; i++) a.grad[i] += dy[i] * b.value[i];
      if (b.needsGrad) for (let i = 0; i < dy.length; i++) b.grad[i] += dy[i] * a.value[i];
    });
  }

  /** s·x + c. */
  affine(x: Node, s: number, c = 0): Node {
    const y = this.out(x.rows, x.cols, x.needsGrad);
    for (let i = 0; i < y.value.length; i++) y.value[i] = s * x.value[i] + c;
    return this.record(y, () => {
      const dy = y.grad;
      for (let i = 0; i < dy.length; i++) x.grad[i] += s * dy[i];
    });
  }

  /** max(x, c) element-wise (free nats); the gradient passes where x > c. */
  maxConst(x: Node, c: number): Node {
    const y = this.out(x.rows, x.cols, x.needsGrad);
    for (let i = 0; i < y.value.length; i++) y.value[i] = x.value[i] > c ? x.value[i] : c;
    return this.record(y, () => {
      const dy = y.grad;
      for (let i = 0; i < dy.length; i++) if (x.value[i] > c) x.grad[i] += dy[i];
    });
  }

  /** Σ of every entry, times `scale`: `[1, 1]`. */
  sum(x: Node, scale = 1): Node {
    const y = this.out(1, 1, x.needsGrad);
    let s = 0;
    for (let i = 0; i < x.value.length; i++) s += x.value[i];
    y.value[0] = scale * s;
    return this.record(y, () => {
      const d = scale * y.grad[0];
      const g = x.grad;
      for (let i = 0; i < g.length; i++) g[i] += d;
    });
  }

  /** Σ_i w_i·x_i with constant weights `w` (same length): `[1, 1]`. */
  dot(x: Node, w: Float32Array): Node {
    if (w.length !== x.value.length) throw new RangeError(`Tape.dot: ${w.length} weights for ${x.value.length} values`);
    const y = this.out(1, 1, x.needsGrad);
    let s = 0;
    for (let i = 0; i < w.length; i++) s += w[i] * x.value[i];
    y.value[0] = s;
    return this.record(y, () => {
      const d = y.grad[0];
      const g = x.grad;
      for (let i = 0; i < g.length; i++) g[i] += d * w[i];
    });
  }

  /** Σ over columns per row: `[n, 1]`. */
  rowSum(x: Node): Node {
    const { rows: n, cols: c } = x;
    const y = this.out(n, 1, x.needsGrad);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < c; j++) s += x.value[i * c + j];
      y.value[i] = s;
    }
    return this.record(y, () => {
      const g = x.grad;
      for (let i = 0; i < n; i++) for (let j = 0; j < c; j++) g[i * c + j] += y.grad[i];
    });
  }

  /** symexp(x) = sign(x)(e^|x| − 1), DreamerV3's inverse of symlog (a critic's output in return units). */
  symexp(x: Node): Node {
    const y = this.out(x.rows, x.cols, x.needsGrad);
    for (let i = 0; i < y.value.length; i++) y.value[i] = Math.sign(x.value[i]) * Math.expm1(Math.abs(x.value[i]));
    return this.record(y, () => {
      for (let i = 0; i < y.value.length; i++) x.grad[i] += y.grad[i] * Math.exp(Math.abs(x.value[i]));
    });
  }

  // ───────────────────────────────────────────────────────────────────── fused model pieces
  /**
   * DreamerV1's GRU cell from one linear layer's output `parts` = [reset | cand | update] `[n, 3D]` and h `[n, D]`:
   *     u = σ(update − 1),  c = tanh(σ(reset)·cand),  h' = u·c + (1 − u)·h.
   */
  gru(parts: Node, h: Node): Node {
    const D = h.cols;
    const n = h.rows;
    if (parts.cols !== 3 * D || parts.rows !== n)
      throw new RangeError(`Tape.gru: parts is [${parts.rows}, ${parts.cols}], expected [${n}, ${3 * D}]`);
    const y = this.out(n, D, parts.needsGrad || h.needsGrad);
    const u = new Float32Array(n * D);
    const c = new Float32Array(n * D);
    const r = new Float32Array(n * D);
    const pv = parts.value;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < D; j++) {
        const k = i * D + j;
        const p = i * 3 * D + j;
        r[k] = sigmoid(pv[p]);
        c[k] = Math.tanh(r[k] * pv[p + D]);
        u[k] = sigmoid(pv[p + 2 * D] - 1);
        y.value[k] = u[k] * c[k] + (1 - u[k]) * h.value[k];
      }
    return this.record(y, () => {
      const dy = y.grad;
      if (h.needsGrad) for (let k = 0; k < dy.length; k++) h.grad[k] += dy[k] * (1 - u[k]);
      if (!parts.needsGrad) return;
      const dp = parts.grad;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < D; j++) {
          const k = i * D + j;
          const p = i * 3 * D + j;
          const du = dy[k] * (c[k] - h.value[k]);
          const dc = dy[k] * u[k];
          const dpre = dc * (1 - c[k] * c[k]); // ∂/∂(r·cand)
          dp[p] += dpre * pv[p + D] * r[k] * (1 - r[k]);
          dp[p + D] += dpre * r[k];
          dp[p + 2 * D] += du * u[k] * (1 - u[k]);
        }
    });
  }

  /** A diagonal Gaussian from a head's output [mean | raw] `[n, 2S]`: σ = softplus(raw) + minStd. */
  gaussianHead(out: Node, minStd: number): { mean: Node; std: Node } {
    const S = out.cols / 2;
    const mean = this.columns(out, 0, S);
    const raw = this.columns(out, S, 2 * S);
    const std = this.out(raw.rows, S, raw.needsGrad);
    for (let i = 0; i < std.value.length; i++) std.value[i] = softplus(raw.value[i]) + minStd;
    this.record(std, () => {
      for (let i = 0; i < std.value.length; i++) raw.grad[i] += std.grad[i] * sigmoid(raw.value[i]);
    });
    return { mean, std };
  }

  /** z = μ + σ·ε (the reparameterized sample; ε constant). */
  rsample(mean: Node, std: Node, eps: Float32Array): Node {
    sameShape('rsample', mean, std);
    const y = this.out(mean.rows, mean.cols, mean.needsGrad || std.needsGrad);
    for (let i = 0; i < eps.length; i++) y.value[i] = mean.value[i] + std.value[i] * eps[i];
    return this.record(y, () => {
      const dy = y.grad;
      if (mean.needsGrad) for (let i = 0; i < dy.length; i++) mean.grad[i] += dy[i];
      if (std.needsGrad) for (let i = 0; i < dy.length; i++) std.grad[i] += dy[i] * eps[i];
    });
  }

  /**
   * KL(N(μq, σq²) ‖ N(μp, σp²)) of diagonal Gaussians, summed over columns: `[n, 1]`,
   *     Σ_j log σp − log σq + (σq² + (μq − μp)²)/(2σp²) − ½.
   */
  klDiag(qm: Node, qs: Node, pm: Node, ps: Node): Node {
    const { rows: n, cols: S } = qm;
    const y = this.out(n, 1, qm.needsGrad || qs.needsGrad || pm.needsGrad || ps.needsGrad);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < S; j++) {
        const k = i * S + j;
        const d = qm.value[k] - pm.value[k];
        const vp = ps.value[k] * ps.value[k];
        s += Math.log(ps.value[k]) - Math.log(qs.value[k]) + (qs.value[k] * qs.value[k] + d * d) / (2 * vp) - 0.5;
      }
      y.value[i] = s;
    }
    return this.record(y, () => {
      for (let i = 0; i < n; i++) {
        const g = y.grad[i];
        for (let j = 0; j < S; j++) {
          const k = i * S + j;
          const d = qm.value[k] - pm.value[k];
          const sp = ps.value[k];
          const sq = qs.value[k];
          const vp = sp * sp;
          if (qm.needsGrad) qm.grad[k] += (g * d) / vp;
          if (pm.needsGrad) pm.grad[k] -= (g * d) / vp;
          if (qs.needsGrad) qs.grad[k] += g * (sq / vp - 1 / sq);
          if (ps.needsGrad) ps.grad[k] += g * (1 / sp - (sq * sq + d * d) / (vp * sp));
        }
      }
    });
  }

  /**
   * Σ log N(x; mean, σ²) over every entry, with x constant: `[1, 1]`. σ is a fixed number, or `{ log }`, a `[1, 1]`
   * node holding log σ (a learned std): ∂/∂log σ = Σ (x − mean)²/σ² − n.
   */
  gaussLogLik(x: Float32Array, mean: Node, std: number | { log: Node }): Node {
    if (x.length !== mean.value.length)
      throw new RangeError(`Tape.gaussLogLik: ${x.length} targets for ${mean.value.length} means`);
    const logStd = typeof std === 'number' ? null : std.log;
    const sd = logStd ? Math.exp(logStd.value[0]) : (std as number);
    const y = this.out(1, 1, mean.needsGrad || logStd?.needsGrad === true);
    let s = 0;
    for (let i = 0; i < x.length; i++) {
      const d = (x[i] - mean.value[i]) / sd;
      s += d * d;
    }
    y.value[0] = -0.5 * s - x.length * ((logStd ? logStd.value[0] : Math.log(sd)) + 0.5 * LOG_2PI);
    return this.record(y, () => {
      const g = y.grad[0];
      if (mean.needsGrad) for (let i = 0; i < x.length; i++) mean.grad[i] += (g * (x[i] - mean.value[i])) / (sd * sd);
      if (logStd?.needsGrad) logStd.grad[0] += g * (s - x.length);
    });
  }

  /**
   * A tanh-squashed Gaussian policy's reparameterized action from a head's output [μ | r] `[n, 2A]` and ε:
   *     log σ = logStdMin + (logStdMax − logStdMin)·σ(r),  u = μ + σ·ε,  a = lo + (hi − lo)·(tanh u + 1)/2,
   *     log π(a|s) = Σ_j log N(u_j; μ_j, σ_j²) − log((hi_j − lo_j)/2 · (1 − tanh² u_j)).
   * Returns the action `[n, A]` (env units) and log π `[n, 1]`, both differentiable in the head's output.
   */
  tanhGaussian(
    out: Node,
    eps: Float32Array,
    lo: Float32Array,
    hi: Float32Array,
    logStdRange: readonly [number, number],
  ): { action: Node; logProb: Node } {
    const A = out.cols / 2;
    const n = out.rows;
    const [lmin, lmax] = logStdRange;
    const action = this.out(n, A, out.needsGrad);
    const logProb = this.out(n, 1, out.needsGrad);
    const th = new Float32Array(n * A);
    const sg = new Float32Array(n * A);
    const std = new Float32Array(n * A);
    for (let i = 0; i < n; i++) {
      let lp = 0;
      for (let j = 0; j < A; j++) {
        const k = i * A + j;
        const o = i * 2 * A + j;
        sg[k] = sigmoid(out.value[o + A]);
        const logStd = lmin + (lmax - lmin) * sg[k];
        std[k] = Math.exp(logStd);
        const t = Math.tanh(out.value[o] + std[k] * eps[k]);
        th[k] = t;
        const half = (hi[j] - lo[j]) / 2;
        action.value[k] = lo[j] + half * (t + 1);
        // log N(u; μ, σ) = −ε²/2 − log σ − ½ log 2π;  log |da/du| = log half + log(1 − t²) (guarded).
        lp += -0.5 * eps[k] * eps[k] - logStd - 0.5 * LOG_2PI - Math.log(half) - Math.log(Math.max(1 - t * t, 1e-6));
      }
      logProb.value[i] = lp;
    }
    const back = () => {
      const da = action.needsGrad ? action.grad : null;
      const dl = logProb.grad;
      const g = out.grad;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < A; j++) {
          const k = i * A + j;
          const o = i * 2 * A + j;
          const half = (hi[j] - lo[j]) / 2;
          const t = th[k];
          // ∂a/∂u = half·(1 − t²);  ∂log π/∂u = 2t (from −log(1 − t²));  u = μ + σε, ∂u/∂μ = 1, ∂u/∂σ = ε.
          const dlogu = 1 - t * t > 1e-6 ? 2 * t : 0;
          const du = (da ? da[k] * half * (1 - t * t) : 0) + dl[i] * dlogu;
          const dLogStd = du * std[k] * eps[k] - dl[i];
          g[o] += du;
          g[o + A] += dLogStd * (lmax - lmin) * sg[k] * (1 - sg[k]);
        }
    };
    // One backward step serves both outputs; their consumers come later on the tape, so run before it.
    if (out.needsGrad) this.steps.push(back);
    return { action, logProb };
  }

  /**
   * y = f(x) `[n, 1]` for a function computed elsewhere (a prior's log-density, evaluated by its own code),
   * given its values and its row-wise derivative ∂y_i/∂x_i `[n, cols]`: the chain rule continues through x.
   */
  given(x: Node, values: Float32Array, derivative: Float32Array): Node {
    if (values.length !== x.rows || derivative.length !== x.value.length)
      throw new RangeError(
        `Tape.given: ${values.length} values and ${derivative.length} derivatives for x [${x.rows}, ${x.cols}]`,
      );
    const y = this.out(x.rows, 1, x.needsGrad);
    y.value.set(values);
    return this.record(y, () => {
      for (let i = 0; i < x.rows; i++)
        for (let j = 0; j < x.cols; j++) x.grad[i * x.cols + j] += y.grad[i] * derivative[i * x.cols + j];
    });
  }
}

function sameShape(op: string, a: Node, b: Node): void {
  if (a.rows !== b.rows || a.cols !== b.cols)
    throw new RangeError(`Tape.${op}: shapes [${a.rows}, ${a.cols}] and [${b.rows}, ${b.cols}] differ`);
}
