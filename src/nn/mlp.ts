/**
 * Multi-layer perceptrons tuned for tfjs's wasm backend.
 *
 * Why not `tf.layers.dense`: on wasm a 2-D `matMul` without transpose flags runs on a fast path; the same
 * product with a transpose flag, or as a 3-D batched product, is 10–20× slower (measured in `bench/sac.ts`).
 * tfjs's built-in `matMul` gradient uses the flags. The `fused` implementation therefore:
 * - keeps all weights of a network (all ensemble copies included) in ONE flat `tf.Variable`, sliced into
 *   `[in, out]` / `[out]` views inside the forward pass, so the optimizer and the Polyak update touch one
 *   buffer with a handful of kernels instead of ~15 kernels per layer variable;
 * - runs each layer as one `tf.fused.matMul` (product + bias + activation in a single kernel);
 * - writes the backward pass by hand in a `tf.customGrad` with explicit transposes and plain 2-D products,
 *   returning the gradient of the whole flat buffer as one tensor (one concat);
 * - evaluates an ensemble (e.g. twin critics) inside the same custom op, as K chains of 2-D products
 *   (a 3-D batched product is slower on wasm than K separate 2-D ones).
 * The `autodiff` implementation is the straightforward baseline (one variable per weight and bias, tfjs's
 * built-in gradients); it keeps the same flat weight layout so weights move between the two, which the
 * tests use to check the hand-written gradients against tfjs's.
 *
 * Flat layout: for each copy k, for each layer l: W[k][l] (`in × out`, row-major) then b[k][l] (`out`).
 * Initialization is PyTorch's `nn.Linear` default (W, b ~ U(±1/√in)), drawn from our seeded `Rng`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../core/rng.js';
import { initialWeights } from './init.js';

export type Activation = 'relu' | 'tanh';
export type MlpImpl = 'fused' | 'autodiff';

export interface MlpConfig {
  /** Layer widths from input to output, e.g. `[3, 64, 64, 1]` (at least input and output). */
  sizes: readonly number[];
  /** Activation after every hidden layer; the output layer is linear. */
  activation?: Activation;
  /** Number of independent copies evaluated in one op (twin critics: 2). Output gains a leading K axis when K > 1. */
  ensemble?: number;
  /** Multiplies the initial weights and biases of the output layer (e.g. 0.01 for a policy head). */
  outputScale?: number;
  /** `fused` (flat variable, hand-written backward) or `autodiff` (per-layer variables, built-in gradients; the baseline). */
  impl?: MlpImpl;
  /** Name prefix of the variables (tfjs variable names must be unique). */
  name?: string;
}

interface LayerSlot {
  inDim: number;
  outDim: number;
  /** Offset of W in the flat buffer (b follows at `wOffset + inDim * outDim`). */
  wOffset: number;
}

let nameCounter = 0;

/** `a b` for `[1, m, k] × [1, k, n]`, straight to the kernel (no flags: the fast path on wasm). */
function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  return tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }) as tf.Tensor3D;
}

/** `act(a b + bias)` in one kernel (tfjs's `_FusedMatMul`), called directly: the public op falls back to
 * three unfused kernels whenever a gradient tape is recording, even inside a custom gradient. */
function fusedMatMul(a: tf.Tensor3D, b: tf.Tensor3D, bias: tf.Tensor1D, activation: 'relu' | 'linear'): tf.Tensor3D {
  return tf
    .engine()
    .runKernel('_FusedMatMul', { a, b, bias }, { transposeA: false, transposeB: false, activation }) as tf.Tensor3D;
}

export class Mlp {
  readonly sizes: readonly number[];
  readonly activation: Activation;
  readonly ensemble: number;
  readonly impl: MlpImpl;
  /** Total number of parameters (all copies). */
  readonly numParams: number;
  /** The trainable variables: one flat buffer (`fused`) or one per weight and bias (`autodiff`, layout order). */
  readonly params: tf.Variable[];
  /** `slots[k][l]`: where layer l of copy k lives in the flat layout. */
  private readonly slots: LayerSlot[][];
  /** Forward with gradients w.r.t. the input and the flat parameters (`fused` only). */
  private readonly trainOp?: (x: tf.Tensor, p: tf.Tensor) => tf.Tensor;
  /** Cached W/b views of the flat buffer for its current version (`fused` only). */
  private viewCache?: { dataId: object; ws: tf.Tensor3D[]; bs: tf.Tensor1D[]; wTs?: tf.Tensor3D[] };
  /** Forward with a gradient w.r.t. the input only: the parameters are held constant (`fused` only). */
  private readonly frozenOp?: (x: tf.Tensor) => tf.Tensor;

  constructor(cfg: MlpConfig, rng: Rng) {
    const { sizes, activation = 'relu', ensemble = 1, outputScale = 1, impl = 'fused' } = cfg;
    if (sizes.length < 2 || !sizes.every((s) => Number.isInteger(s) && s > 0)) {
      throw new RangeError(`Mlp.sizes: expected at least two positive integers, got [${sizes.join(', ')}]`);
    }
    if (!Number.isInteger(ensemble) || ensemble < 1)
      throw new RangeError(`Mlp.ensemble: expected a positive integer, got ${ensemble}`);
    if (!(outputScale > 0)) throw new RangeError(`Mlp.outputScale: expected > 0, got ${outputScale}`);
    if (impl !== 'fused' && impl !== 'autodiff')
      throw new RangeError(`Mlp.impl: expected 'fused' or 'autodiff', got '${impl}'`);
    if (activation !== 'relu' && activation !== 'tanh')
      throw new RangeError(`Mlp.activation: expected 'relu' or 'tanh', got '${activation}'`);
    this.sizes = [...sizes];
    this.activation = activation;
    this.ensemble = ensemble;
    this.impl = impl;

    const nLayers = sizes.length - 1;
    this.slots = [];
    let offset = 0;
    for (let k = 0; k < ensemble; k++) {
      const copy: LayerSlot[] = [];
      for (let l = 0; l < nLayers; l++) {
        copy.push({ inDim: sizes[l], outDim: sizes[l + 1], wOffset: offset });
        offset += (sizes[l] + 1) * sizes[l + 1];
      }
      this.slots.push(copy);
    }
    this.numParams = offset;

    const flat = initialWeights(sizes, ensemble, outputScale, rng);
    const prefix = `${cfg.name ?? 'mlp'}_${nameCounter++}`;
    if (impl === 'fused') {
      // tf.variable keeps its own reference to the data; the tidy disposes the temporary initial tensor.
      this.params = [tf.tidy(() => tf.variable(tf.tensor1d(flat), true, `${prefix}/flat`))];
      this.trainOp = tf.customGrad((x, p, save) =>
        this.fusedForward(x as tf.Tensor2D, p as tf.Tensor1D, save as tf.GradSaveFunc, true),
      ) as (x: tf.Tensor, p: tf.Tensor) => tf.Tensor;
      this.frozenOp = tf.customGrad((x, save) =>
        this.fusedForward(x as tf.Tensor2D, this.params[0] as tf.Tensor1D, save as tf.GradSaveFunc, false),
      ) as (x: tf.Tensor) => tf.Tensor;
    } else {
      this.params = [];
      for (const [k, copy] of this.slots.entries()) {
        for (const [l, s] of copy.entries()) {
          const w = flat.subarray(s.wOffset, s.wOffset + s.inDim * s.outDim);
          const b = flat.subarray(s.wOffset + s.inDim * s.outDim, s.wOffset + (s.inDim + 1) * s.outDim);
          this.params.push(
            tf.tidy(() => tf.variable(tf.tensor2d(w, [s.inDim, s.outDim]), true, `${prefix}/${k}/W${l}`)),
          );
          this.params.push(tf.tidy(() => tf.variable(tf.tensor1d(b), true, `${prefix}/${k}/b${l}`)));
        }
      }
    }
  }

  get inDim(): number {
    return this.sizes[0];
  }

  get outDim(): number {
    return this.sizes[this.sizes.length - 1];
  }

  /**
   * Evaluates the network on `x` (`[B, in]`): returns `[B, out]`, or `[K, B, out]` for an ensemble of K.
   * `frozen: true` differentiates w.r.t. `x` only (the parameters act as constants), e.g. the critic inside
   * the actor loss; it saves the parameter-gradient work of the backward pass.
   */
  apply(x: tf.Tensor2D, opts: { frozen?: boolean } = {}): tf.Tensor {
    if (x.rank !== 2 || x.shape[1] !== this.inDim) {
      throw new RangeError(`Mlp.apply: x must have shape [batch, ${this.inDim}], got [${x.shape.join(', ')}]`);
    }
    if (this.impl === 'fused') {
      return opts.frozen ? this.frozenOp!(x) : this.trainOp!(x, this.params[0]);
    }
    // Built-in autodiff only differentiates w.r.t. what is asked for, so `frozen` needs nothing here.
    const params = this.params;
    const outs = this.slots.map((copy, k) =>
      copy.reduce<tf.Tensor2D>((h, _s, l) => {
        const z = tf.add(
          tf.matMul(h, params[2 * (k * copy.length + l)] as tf.Tensor2D),
          params[2 * (k * copy.length + l) + 1],
        );
        return (l === copy.length - 1 ? z : this.activation === 'relu' ? tf.relu(z) : tf.tanh(z)) as tf.Tensor2D;
      }, x),
    );
    return this.ensemble === 1 ? outs[0] : tf.stack(outs);
  }

  /**
   * W (`[1, in, out]`) and b views of the flat buffer `p`, sliced once per parameter version: a
   * `Variable.assign` (optimizer step, Polyak update, `setWeights`) gives the variable a new `dataId`,
   * which invalidates the cache. Kept outside any `tidy`; replaced (and disposed) on the next version.
   */
  private views(p: tf.Tensor1D): { ws: tf.Tensor3D[]; bs: tf.Tensor1D[] } {
    if (this.viewCache?.dataId !== p.dataId) {
      this.disposeViews();
      const ws: tf.Tensor3D[] = [];
      const bs: tf.Tensor1D[] = [];
      tf.tidy(() => {
        for (const copy of this.slots) {
          for (const s of copy) {
            ws.push(
              tf.keep(tf.reshape(tf.slice(p, s.wOffset, s.inDim * s.outDim), [1, s.inDim, s.outDim]) as tf.Tensor3D),
            );
            bs.push(tf.keep(tf.slice(p, s.wOffset + s.inDim * s.outDim, s.outDim)));
          }
        }
      });
      this.viewCache = { dataId: p.dataId, ws, bs };
    }
    return this.viewCache;
  }

  /** Wᵀ (`[1, out, in]`) of the cached views `ws`, transposed once per parameter version (for dh = dz Wᵀ). */
  private transposedViews(ws: tf.Tensor3D[]): tf.Tensor3D[] {
    const cache = this.viewCache!;
    // The backward runs right after its forward, so `ws` is the current cache; the guard keeps this honest.
    if (cache.ws !== ws) throw new Error('Mlp: the parameters changed between a forward pass and its backward pass');
    cache.wTs ??= ws.map((w) => tf.keep(tf.transpose(w, [0, 2, 1]) as tf.Tensor3D));
    return cache.wTs;
  }

  private disposeViews(): void {
    if (this.viewCache) tf.dispose([...this.viewCache.ws, ...this.viewCache.bs, ...(this.viewCache.wTs ?? [])]);
    this.viewCache = undefined;
  }

  /** The forward pass of the fused op and its hand-written backward (explicit transposes, 2-D products only). */
  private fusedForward(x: tf.Tensor2D, p: tf.Tensor1D, save: tf.GradSaveFunc, paramGrad: boolean) {
    const act = this.activation;
    const nL = this.slots[0].length;
    const [batch] = x.shape;
    // Everything inside is rank 3 with a batch axis of 1 ([1, rows, cols]): the shape the kernels take, so
    // calling them directly skips the reshapes and the unfused fallback of `tf.matMul` / `tf.fused.matMul`.
    const x3 = tf.reshape(x, [1, batch, this.inDim]) as tf.Tensor3D;
    const { ws, bs } = this.views(p);
    const hs: tf.Tensor3D[] = []; // hs[k * nL + l]: output of layer l of copy k (post-activation), [1, B, out]
    const outs = this.slots.map((copy, k) => {
      let h = x3;
      copy.forEach((_s, l) => {
        // The fused kernel (product + bias + activation) has relu but no tanh.
        const hidden = l < nL - 1;
        h = fusedMatMul(h, ws[k * nL + l], bs[k * nL + l], hidden && act === 'relu' ? 'relu' : 'linear');
        if (hidden && act === 'tanh') h = tf.tanh(h);
        hs.push(h);
      });
      return tf.reshape(h, [batch, this.outDim]) as tf.Tensor2D;
    });
    save([x3, ...hs]);
    const value = this.ensemble === 1 ? outs[0] : tf.stack(outs);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const xs = saved[0] as tf.Tensor3D;
      const wTs = this.transposedViews(ws);
      const h = (k: number, l: number) => saved[1 + k * nL + l] as tf.Tensor3D;
      const dys = this.ensemble === 1 ? [dy] : tf.unstack(dy);
      const ones = tf.ones([1, 1, batch]) as tf.Tensor3D;
      const dParams: tf.Tensor[] = [];
      const dxs: tf.Tensor3D[] = [];
      for (let k = 0; k < this.ensemble; k++) {
        const dCopy: tf.Tensor[] = [];
        let g = tf.reshape(dys[k], [1, batch, this.outDim]) as tf.Tensor3D;
        for (let l = nL - 1; l >= 0; l--) {
          // dz = g ⊙ σ'(z), with σ' read from the layer's output: relu' = [h > 0], tanh' = 1 − h².
          const hl = h(k, l);
          const dz = (
            l === nL - 1 ? g : act === 'relu' ? tf.mul(g, tf.step(hl)) : tf.mul(g, tf.sub(1, tf.square(hl)))
          ) as tf.Tensor3D;
          if (paramGrad) {
            const hIn = l === 0 ? xs : h(k, l - 1);
            const dW = batchMatMul(tf.transpose(hIn, [0, 2, 1]) as tf.Tensor3D, dz); // dW = hᵀ dz (explicit transpose: the fast path)
            const db = batchMatMul(ones, dz); // db = Σ_batch dz, as 1ᵀ dz
            dCopy.unshift(tf.reshape(dW, [-1]), tf.reshape(db, [-1]));
          }
          g = batchMatMul(dz, wTs[k * nL + l]); // dh = dz Wᵀ
        }
        dParams.push(...dCopy);
        dxs.push(g);
      }
      const dx = tf.reshape(dxs.length === 1 ? dxs[0] : tf.addN(dxs), [batch, this.inDim]);
      return paramGrad ? [dx, tf.concat(dParams)] : [dx];
    };
    return { value, gradFunc };
  }

  /** All weights in the flat layout (reads from the device: for checkpoints, not inside an update). */
  getWeights(): Float32Array {
    return tf.tidy(() => tf.concat(this.params.map((v) => tf.reshape(v, [-1]))).dataSync() as Float32Array);
  }

  /** Sets all weights from the flat layout (e.g. a checkpoint, or another Mlp with the same sizes). */
  setWeights(w: Float32Array): void {
    if (w.length !== this.numParams) {
      throw new RangeError(
        `Mlp.setWeights: expected ${this.numParams} values (sizes [${this.sizes.join(', ')}] × ${this.ensemble}), got ${w.length}`,
      );
    }
    let off = 0;
    for (const v of this.params) {
      tf.tidy(() => v.assign(tf.tensor(w.slice(off, off + v.size), v.shape)));
      off += v.size;
    }
  }

  dispose(): void {
    for (const v of this.params) v.dispose();
    this.disposeViews();
  }
}
